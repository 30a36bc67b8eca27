// The calling screen (叫号屏): polls /api/v1/hall/display/ every second and redraws the calls and the
// waiting numbers. Short polling: the simplest thing that stays robust on gunicorn's sync workers (an
// open SSE or WebSocket connection would hold a whole worker per screen). No inline script (CSP).
(function () {
  "use strict";
  var feed = document.body.getAttribute("data-feed");
  var calls = document.getElementById("calls");
  var waiting = document.getElementById("waiting");
  var count = document.getElementById("waiting-count");
  // "{n}号窗口" in the page's language (the template translates it): "Window {n}" in English
  var windowLabel = document.body.getAttribute("data-window-label") || "{n}号窗口";
  var last = "";

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function draw(data) {
    var key = JSON.stringify(data);
    if (key === last) { return; }
    last = key;
    calls.textContent = "";
    data.calls.forEach(function (c, i) {
      var tr = document.createElement("tr");
      if (i === 0) { tr.className = "hall-screen__latest"; }
      tr.appendChild(cell(c.number));
      tr.appendChild(cell(windowLabel.replace("{n}", String(c.window))));
      calls.appendChild(tr);
    });
    if (!data.calls.length) { var tr = document.createElement("tr"); var td = cell("—"); td.colSpan = 2; tr.appendChild(td); calls.appendChild(tr); }
    waiting.textContent = "";
    data.waiting.forEach(function (n) {
      var s = document.createElement("span");
      s.textContent = n;
      waiting.appendChild(s);
      waiting.appendChild(document.createTextNode(" "));
    });
    count.textContent = String(data.waiting_count);
  }

  function poll() {
    fetch(feed, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { draw(data); } })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, 1000); });
  }
  window.setTimeout(poll, 1000);
})();
