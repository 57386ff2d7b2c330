// gongzhi pages: progressive enhancement only — every form works without this file.
(function () {
  "use strict";
  // The maps (Leaflet, the report form's pin) are web/map.js.
  // The language menu applies on choice (no inline onchange: the CSP allows no inline script).
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-submit-on-change]")) e.target.form.submit();
  });
  document.addEventListener("DOMContentLoaded", function () {
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
