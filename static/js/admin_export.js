/* The import-export "select all fields" toggle, bound here instead of an inline onchange (CSP). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
    toggle.addEventListener("change", function (event) {
      if (typeof window.onSelectToggleChange === "function") { window.onSelectToggleChange(event); }
    });
  });
});
