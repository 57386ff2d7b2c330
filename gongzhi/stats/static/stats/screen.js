// The big screen's charts: ECharts from static/vendor/ (no CDN).  The numbers come with each
// 30-second panel (#screen-charts, JSON in a data- attribute), the grid boundaries once with the
// page (#screen-geo, a JSON script element: data, never run, so the CSP allows it).  Without this script the panel keeps its SVG heat map.
(function () {
  "use strict";
  var charts = [];
  var INK = "#dce8f5", DIM = "#8fb3d4", LINE = "#1d3a5c";
  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.dataset.json !== undefined ? el.dataset.json : el.textContent) : null;
  }

  // Grids are drawn in degrees: squeeze longitude by cos(latitude) so a square block stays square.
  function aspect(geo) {
    var lats = [];
    geo.features.forEach(function (f) { lats.push(f.properties.label[1]); });
    var mid = lats.reduce(function (a, b) { return a + b; }, 0) / (lats.length || 1);
    return Math.cos(mid * Math.PI / 180);
  }
  function heat(el, d, geo) {
    if (!geo || !geo.features.length) return null;
    echarts.registerMap("gongzhi-grids", geo);
    var c = echarts.init(el, null, {renderer: "canvas"});
    c.setOption({
      animation: false,
      tooltip: {trigger: "item", formatter: function (p) {
        return echarts.format.encodeHTML((p.data && p.data.label) || p.name) + d.text.colon + (p.value || 0) + " " + d.text.events;
      }},
      // The legend below the map, never over it.
      visualMap: {min: 0, max: Math.max(1, d.heat.max), orient: "horizontal", left: "center", bottom: 0,
                  calculable: false, itemWidth: 16, itemHeight: 220,
                  text: [d.text.high, d.text.low], textStyle: {color: INK, fontSize: 16},
                  inRange: {color: ["#12314f", "#3aa0ff", "#ffd27f", "#ff5a36"]}},
      series: [{type: "map", map: "gongzhi-grids", nameProperty: "code", roam: false, selectedMode: false,
                layoutCenter: ["50%", "45%"], layoutSize: "86%", aspectScale: aspect(geo),
                label: {show: false}, emphasis: {label: {show: true, color: "#fff", fontSize: 16}},
                itemStyle: {borderColor: "#2f5d8a", borderWidth: 1, areaColor: "#12314f"},
                data: d.heat.grids}]
    });
    return c;
  }
  function trend(el, d) {
    var c = echarts.init(el, null, {renderer: "canvas"});
    c.setOption({
      animation: false,
      grid: {left: 8, right: 16, top: 36, bottom: 8, containLabel: true},
      legend: {data: [d.text.reported, d.text.closed], textStyle: {color: INK, fontSize: 16}, top: 0},
      tooltip: {trigger: "axis"},
      xAxis: {type: "category", data: d.trend.days, axisLabel: {color: DIM, fontSize: 16, hideOverlap: true},
              axisLine: {lineStyle: {color: LINE}}},
      yAxis: {type: "value", minInterval: 1, axisLabel: {color: DIM, fontSize: 16}, splitLine: {lineStyle: {color: LINE}}},
      series: [{name: d.text.reported, type: "line", data: d.trend.reported, smooth: true, symbol: "none",
                lineStyle: {width: 3, color: "#7fd1ff"}, areaStyle: {color: "rgba(127,209,255,.12)"}},
               {name: d.text.closed, type: "line", data: d.trend.closed, smooth: true, symbol: "none",
                lineStyle: {width: 2, color: "#6be0a0"}}]
    });
    return c;
  }
  function cats(el, d) {
    var c = echarts.init(el, null, {renderer: "canvas"});
    c.setOption({
      animation: false,
      grid: {left: 8, right: 56, top: 4, bottom: 4, containLabel: true},
      xAxis: {type: "value", show: false},
      // Top first: ECharts draws a category axis bottom-up.  Long names wrap onto two lines at
      // 220 px instead of being cut (overflow "break"), so no label is ever clipped.
      yAxis: {type: "category", inverse: true, data: d.cats.labels, axisTick: {show: false},
              axisLine: {lineStyle: {color: LINE}},
              axisLabel: {color: INK, fontSize: 18, width: 220, overflow: "break", lineHeight: 20}},
      series: [{type: "bar", data: d.cats.reported, barMaxWidth: 26, itemStyle: {color: "#3aa0ff"},
                label: {show: true, position: "right", color: INK, fontSize: 18}}]
    });
    return c;
  }

  function draw() {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    if (!window.echarts) return;
    var d = json("screen-charts"), geo = json("screen-geo");
    if (!d) return;
    var box = function (name) { return document.querySelector('[data-chart="' + name + '"]'); };
    var h = box("heat");
    if (h && geo && geo.features.length) { while (h.firstChild) h.removeChild(h.firstChild); }
    [[h, function (el) { return heat(el, d, geo); }], [box("trend"), function (el) { return trend(el, d); }],
     [box("cats"), function (el) { return cats(el, d); }]].forEach(function (p) {
      if (!p[0]) return;
      var c = p[1](p[0]);
      if (c) { charts.push(c); p[0].gzChart = c; p[0].classList.add("live"); }
    });
    document.body.dataset.charts = String(charts.length);
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", function (e) { if (e.target && e.target.id === "panel") draw(); });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
