// The task page: fill the position fields from the phone (GPS inside the grid is part of the
// evidence), and say so next to them.  No inline script (CSP): this file only.
(function () {
  "use strict";
  function locate() {
    var forms = document.querySelectorAll("form[data-locate]");
    if (!forms.length || !navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(function (p) {
      forms.forEach(function (f) {
        var lon = f.querySelector("input[name=lon]"), lat = f.querySelector("input[name=lat]");
        if (lon && lat) { lon.value = p.coords.longitude.toFixed(6); lat.value = p.coords.latitude.toFixed(6); }
        var out = f.querySelector("[data-located]");
        if (out) out.textContent = out.getAttribute("data-located");
      });
    }, function () {}, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  }
  document.addEventListener("DOMContentLoaded", locate);
})();
