// gongzhi pages: progressive enhancement only — every form works without this file.
(function () {
  "use strict";
  // Web Mercator, inverted: the SVG map was drawn with maps.mercator() (see web/maps.py).
  function toLonLat(svg, x, y) {
    var x0 = +svg.dataset.x0, y0 = +svg.dataset.y0, s = +svg.dataset.scale;
    var mx = x / s + x0, my = y / s + y0;
    var lon = mx * 360 - 180;
    var lat = Math.atan(Math.sinh(Math.PI * (1 - 2 * my))) * 180 / Math.PI;
    return [lon, lat];
  }
  function toXY(svg, lon, lat) {
    var x0 = +svg.dataset.x0, y0 = +svg.dataset.y0, s = +svg.dataset.scale;
    var sn = Math.sin(lat * Math.PI / 180);
    var mx = (lon + 180) / 360, my = 0.5 - Math.log((1 + sn) / (1 - sn)) / (4 * Math.PI);
    return [(mx - x0) * s, (my - y0) * s];
  }
  function setPoint(svg, lon, lat) {
    var form = svg.closest("form");
    form.querySelector("[name=lon]").value = lon.toFixed(6);
    form.querySelector("[name=lat]").value = lat.toFixed(6);
    var xy = toXY(svg, lon, lat), pin = svg.querySelector("#pick-pin");
    pin.setAttribute("cx", xy[0]); pin.setAttribute("cy", xy[1]);
    var text = document.getElementById("pick-text");
    if (text) text.textContent = "已选位置：" + lon.toFixed(5) + ", " + lat.toFixed(5);
  }
  // The language menu applies on choice (no inline onchange: the CSP allows no inline script).
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-submit-on-change]")) e.target.form.submit();
  });
  document.addEventListener("click", function (e) {
    var svg = e.target.closest && e.target.closest("svg.map.pickable");
    if (!svg) return;
    var pt = svg.createSVGPoint(); pt.x = e.clientX; pt.y = e.clientY;
    var p = pt.matrixTransform(svg.getScreenCTM().inverse());
    var ll = toLonLat(svg, p.x, p.y);
    setPoint(svg, ll[0], ll[1]);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var svg = document.querySelector("svg.map.pickable");
    if (svg) {
      var form = svg.closest("form"), lon = form.querySelector("[name=lon]").value, lat = form.querySelector("[name=lat]").value;
      if (lon && lat) setPoint(svg, +lon, +lat);
    }
    var me = document.getElementById("locate-me");
    if (me) me.addEventListener("click", function () {
      if (!navigator.geolocation) return;
      navigator.geolocation.getCurrentPosition(function (pos) {
        setPoint(svg, pos.coords.longitude, pos.coords.latitude);   // browsers give WGS-84
      });
    });
    var kind = document.getElementById("id_kind"), note = document.getElementById("tipoff-note");
    if (kind && note) kind.addEventListener("change", function () { note.hidden = kind.value !== "tip_off"; });
    // 采用: the classifier's suggestion fills kind, category and urgency (the reporter can still change them).
    document.addEventListener("click", function (e) {
      var b = e.target.closest("[data-apply-category]");
      if (!b) return;
      [["id_kind", b.dataset.applyKind], ["id_category", b.dataset.applyCategory], ["id_urgency", b.dataset.applyUrgency]]
        .forEach(function (p) {
          var el = document.getElementById(p[0]);
          if (el && p[1] && el.querySelector('option[value="' + p[1] + '"]')) {
            el.value = p[1];
            el.dispatchEvent(new Event("change", {bubbles: true}));
          }
        });
    });
    var all = document.querySelector("[data-check-all]");
    if (all) all.addEventListener("change", function () {
      document.querySelectorAll("input[name=" + all.dataset.checkAll + "]").forEach(function (c) { c.checked = all.checked; });
    });
  });
})();
