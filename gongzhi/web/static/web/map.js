// The web map (Leaflet, served from static/vendor/: no CDN, no tiles from the internet).
// Three modes on one element #webmap (web/_webmap.html):
//   browse — 网格地图: the scope's grids, clustered open-event pins with filters, the worker's position;
//   pick   — the report form: a tap or a dragged pin fills lon/lat and names the grid under the pin;
//   show   — an event page: the event's grid and its neighbours, and the event's pin.
// Without this script (or without the vendored Leaflet) the page keeps its SVG drawing and the form
// its address and grid fields.  Text comes from the element's data-t-* attributes (the .po).
(function () {
  "use strict";
  var el = document.getElementById("webmap");
  if (!el) return;
  var ds = el.dataset, mode = ds.mode || "browse";
  var SEP = " · ";
  function t(key) { return ds["t" + key] || ""; }
  function span(cls, text) { var s = document.createElement("span"); s.className = cls; s.textContent = text; return s; }

  // ---- point in polygon (GeoJSON rings, [lon, lat]) -------------------------------------------
  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function inPolygon(x, y, rings) {
    if (!inRing(x, y, rings[0])) return false;
    for (var k = 1; k < rings.length; k++) if (inRing(x, y, rings[k])) return false;   // a hole
    return true;
  }
  function gridAt(features, lon, lat) {
    for (var i = 0; i < features.length; i++) {
      var g = features[i].geometry;
      var polys = g.type === "MultiPolygon" ? g.coordinates : [g.coordinates];
      for (var p = 0; p < polys.length; p++) if (inPolygon(lon, lat, polys[p])) return features[i];
    }
    return null;
  }

  // ---- the form's fields (pick mode), usable with or without Leaflet ---------------------------
  var form = el.closest("form");
  var lonIn = form && form.querySelector("[name=lon]"), latIn = form && form.querySelector("[name=lat]");
  var pickText = document.getElementById("pick-text");
  var features = [];
  function describe(lon, lat) {
    var g = gridAt(features, lon, lat);
    var where = features.length ? (g ? t("Grid") + g.properties.name : t("Outside")) : "";
    return {grid: g, text: t("Picked") + lon.toFixed(6) + ", " + lat.toFixed(6) + (where ? SEP + where : ""),
            where: where};
  }
  function fill(lon, lat) {
    lonIn.value = lon.toFixed(6); latIn.value = lat.toFixed(6);   // 1e-6° ≈ 0.1 m
    var d = describe(lon, lat);
    if (pickText) pickText.textContent = d.text;
    el.dataset.pickedGrid = d.grid ? d.grid.properties.code : "";
    return d;
  }
  var status = document.getElementById("map-status");
  function say(msg) { if (status) status.textContent = msg; }
  function locate(done) {
    if (!navigator.geolocation) { say(t("NoFix")); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      done(pos.coords.longitude, pos.coords.latitude, pos.coords.accuracy);   // browsers give WGS-84
    }, function () { say(t("NoFix")); }, {enableHighAccuracy: true, timeout: 15000});
  }

  var L = window.L;
  var locateBtn = document.getElementById("locate-me");
  if (!L) {           // no Leaflet: the position button still fills the form
    if (locateBtn && lonIn) locateBtn.addEventListener("click", function () { locate(fill); });
    return;
  }

  // ---- the map ---------------------------------------------------------------------------------
  while (el.firstChild) el.removeChild(el.firstChild);     // the SVG drawing is the no-script fallback
  el.classList.add("live");
  // No attribution control: its default prefix is a link to leafletjs.com, and an intranet page
  // names no outside address.
  var map = L.map(el, {maxZoom: ds.tiles ? 18 : 19, minZoom: 3, zoomSnap: 0.5, attributionControl: false});
  el.gzMap = map;     // for the browser tests
  map.setView([24.5, 117.65], 12);
  if (ds.tiles) {
    L.tileLayer(ds.tiles, {maxZoom: 18, className: "tiles"}).addTo(map);
  }
  // Names sit above the grids and below the pins (the marker pane is 600), and never take a tap.
  map.createPane("labels").style.zIndex = 450;
  map.getPane("labels").style.pointerEvents = "none";
  var gridLabels = L.layerGroup(), communityLabels = L.layerGroup(), labelZoom = 0;
  function label(latlng, cls, text) {
    return L.marker(latlng, {interactive: false, keyboard: false, pane: "labels",
                             icon: L.divIcon({className: "map-label " + cls, iconSize: null, html: span("", text)})});
  }
  function showLabels() {
    var grids = map.getZoom() >= labelZoom;
    if (grids) { map.removeLayer(communityLabels); gridLabels.addTo(map); }
    else { map.removeLayer(gridLabels); communityLabels.addTo(map); }
    el.dataset.labels = grids ? "grid" : "community";
  }
  // The zoom from which grid names fit: when the median grid is at least 140 px wide (a name such
  // as 瑞京社区第1网格 is about 110 px at 13 px); below it, one name per community.
  function gridLabelZoom(layers) {
    var z = map.getZoom(), widths = [];
    layers.forEach(function (l) {
      var b = l.getBounds();
      widths.push(map.project(b.getNorthEast(), z).x - map.project(b.getSouthWest(), z).x);
    });
    widths.sort(function (a, b) { return a - b; });
    var w = widths[Math.floor(widths.length / 2)] || 1;
    return z + Math.log(140 / w) / Math.LN2;
  }

  var gridLayer = null, pickMarker = null;
  fetch(ds.gridsUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (data) {
      features = data.grids.features;
      gridLayer = L.geoJSON(data.grids, {interactive: false, style: function (f) {
        var on = f.properties.code === ds.highlight;
        return {className: "grid-shape" + (on ? " on" : ""), weight: on ? 3 : 2, color: on ? "#1f5fbf" : "#5d8a4a",
                fillColor: on ? "#cfe0ff" : "#dfe9d6", fillOpacity: ds.tiles ? 0.25 : 0.7};
      }}).addTo(map);
      features.forEach(function (f) {
        gridLabels.addLayer(label([f.properties.label[1], f.properties.label[0]], "grid", f.properties.name));
      });
      data.communities.forEach(function (c) {
        communityLabels.addLayer(label([c.label[1], c.label[0]], "community", c.name));
      });
      var layers = gridLayer.getLayers();
      if (layers.length) {
        var focus = ds.highlight && layers.filter(function (l) { return l.feature.properties.code === ds.highlight; })[0];
        map.fitBounds((focus || gridLayer).getBounds(), {padding: [12, 12], animate: false});
        labelZoom = gridLabelZoom(layers);
        el.dataset.labelZoom = labelZoom.toFixed(2);
      } else if (ds.pinLon) {
        map.setView([+ds.pinLat, +ds.pinLon], 16);
      }
      map.on("zoomend", showLabels);
      showLabels();
      el.dataset.ready = "1";
      if (mode === "pick" && lonIn && lonIn.value && latIn.value) place(+lonIn.value, +latIn.value, false);
      if (mode === "show" && ds.pinLon) showPin();
      if (mode === "browse") loadPins();
    })
    .catch(function () { say(t("Failed")); el.dataset.ready = "error"; });

  // ---- pick mode: a tap or a dragged pin -------------------------------------------------------
  function pinIcon(cls) { return L.divIcon({className: "pin-icon " + cls, iconSize: [22, 22]}); }
  function place(lon, lat, pan) {
    var d = fill(lon, lat);
    if (!pickMarker) {
      pickMarker = L.marker([lat, lon], {icon: pinIcon("pick"), draggable: true, keyboard: false}).addTo(map);
      pickMarker.on("dragend", function () { var p = pickMarker.getLatLng(); place(p.lng, p.lat, false); });
    } else {
      pickMarker.setLatLng([lat, lon]);
    }
    // One tooltip under the pin, its words replaced on each move (never a second one).
    if (!pickMarker.getTooltip()) {
      pickMarker.bindTooltip(span("", ""), {permanent: true, direction: "bottom", offset: [0, 10], className: "pick-grid"});
    }
    pickMarker.setTooltipContent(span("", d.where));
    if (d.where) pickMarker.openTooltip(); else pickMarker.closeTooltip();
    if (pan) map.setView([lat, lon], Math.max(map.getZoom(), 17));
  }
  if (mode === "pick") {
    map.on("click", function (e) { place(e.latlng.lng, e.latlng.lat, false); });
    if (locateBtn) locateBtn.addEventListener("click", function () {
      locate(function (lon, lat) { place(lon, lat, true); });
    });
  }

  // ---- show mode: one event's pin --------------------------------------------------------------
  function showPin() {
    L.marker([+ds.pinLat, +ds.pinLon], {icon: pinIcon(ds.pinFlag || "green"), keyboard: false,
                                        title: ds.pinNumber || ""}).addTo(map);
  }

  // ---- browse mode: clustered pins with filters, and my position -------------------------------
  var filters = document.getElementById("map-filters"), cluster = null, me = null;
  var RANK = {red: 2, yellow: 1};
  function popup(p) {
    var box = document.createElement("div"), a = document.createElement("a");
    a.href = p.url; a.textContent = p.number; box.appendChild(a);
    box.appendChild(span("cat", p.category));
    box.appendChild(span("muted", [p.kind_label, p.status_label, p.flag_label].join(SEP)));
    return box;
  }
  function loadPins() {
    var q = filters ? new URLSearchParams(new FormData(filters)).toString() : "";
    return fetch(ds.eventsUrl + (q ? "?" + q : ""), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        if (cluster) map.removeLayer(cluster);
        cluster = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 48, spiderfyOnMaxZoom: true,
          iconCreateFunction: function (c) {
            var worst = "green";
            c.getAllChildMarkers().forEach(function (m) { if ((RANK[m.options.flag] || 0) > (RANK[worst] || 0)) worst = m.options.flag; });
            return L.divIcon({className: "cluster " + worst, iconSize: [40, 40],
                              html: span("", String(c.getChildCount()))});
          }});
        data.events.forEach(function (p) {
          var m = L.marker([p.lat, p.lon], {icon: pinIcon(p.flag), flag: p.flag, title: p.number + " " + p.category,
                                           keyboard: false});
          m.bindPopup(popup(p));
          cluster.addLayer(m);
        });
        cluster.addTo(map);
        el.dataset.pins = String(data.events.length);
        say(t(data.events.length === 1 ? "CountOne" : "Count").replace("{n}", data.events.length) + (data.truncated ? SEP + t("Truncated").replace("{n}", data.max) : ""));
      })
      .catch(function () { say(t("Failed")); });
  }
  if (mode === "browse" && filters) {
    // With the script the filters apply at once; without it the form reloads the page.
    function apply(e) {
      if (e) e.preventDefault();
      var q = new URLSearchParams(new FormData(filters)).toString();
      history.replaceState(null, "", location.pathname + (q ? "?" + q : ""));
      loadPins();
    }
    filters.addEventListener("change", apply);
    filters.addEventListener("submit", apply);
  }
  if (mode === "browse" && locateBtn) locateBtn.addEventListener("click", function () {
    locate(function (lon, lat, acc) {
      if (me) map.removeLayer(me);
      me = L.layerGroup([L.circle([lat, lon], {radius: acc || 30, className: "me-accuracy", interactive: false}),
                         L.circleMarker([lat, lon], {radius: 8, className: "me", interactive: false})]).addTo(map);
      map.setView([lat, lon], Math.max(map.getZoom(), 17));
      say(t("Me") + lon.toFixed(6) + ", " + lat.toFixed(6));
      el.dataset.me = lon.toFixed(6) + "," + lat.toFixed(6);
    });
  });
})();
