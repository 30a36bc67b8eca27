// The counter's tablet (评价器), paired with a window by its standing address: polls what the window
// finished last and turns to that visit's rating page; after a rating it goes back to waiting.
// No inline script (CSP).
(function () {
  "use strict";
  var el = document.getElementById("hall-device");
  if (!el) { return; }
  var next = el.getAttribute("data-next");
  var home = el.getAttribute("data-home");
  var back = parseInt(el.getAttribute("data-return-after") || "0", 10);
  var shown = el.getAttribute("data-visit") || "";  // the visit this page rates, if any

  function poll() {
    fetch(next, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.rate && String(data.visit) !== shown) {
          window.location.assign(data.rate);
          return;
        }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  if (back > 0) {
    window.setTimeout(function () { window.location.assign(home); }, back * 1000);
  } else {
    window.setTimeout(poll, 1000);
  }
})();
