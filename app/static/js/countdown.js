// Countdowns (flash events, gifts not yet on sale) from the server's clock: the page carries the server time, we keep the offset.
(function () {
  "use strict";
  var clock = document.getElementById("server-clock");
  if (!clock) { return; }
  var offset = Date.parse(clock.getAttribute("data-server-now")) - Date.now();
  var loadedAt = Date.now();
  // "{n} d" in the page's language (2天, 2 d): the server translates, the script only counts
  var dayFormat = clock.getAttribute("data-day-format") || "{n} d";
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function format(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return (d ? dayFormat.replace("{n}", d) + " " : "") + pad(h) + ":" + pad(m) + ":" + pad(s % 60);
  }
  function tick() {
    var now = Date.now() + offset;
    var reload = false;
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var starts = Date.parse(el.getAttribute("data-starts-at"));
      var ends = Date.parse(el.getAttribute("data-ends-at"));
      var target = now < starts ? starts : ends;
      var out = el.querySelector(".countdown-clock");
      var phase = now < starts ? "upcoming" : now < ends ? "live" : "ended";
      // the page was rendered in another phase than the clock now says: fetch the new state
      var rendered = el.getAttribute("data-server-phase") === "sold_out" ? "live" : el.getAttribute("data-server-phase");
      if (rendered && rendered !== phase && Date.now() - loadedAt > 1000) { reload = true; }
      if (out) { out.textContent = phase === "ended" ? "" : format(target - now); }
    });
    if (reload) { window.location.reload(); }
  }
  tick();
  window.setInterval(tick, 1000);
})();
