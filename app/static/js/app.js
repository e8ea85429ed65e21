// Small enhancements only; every page works without this file.
(function () {
  "use strict";
  // A refreshed balance pulses briefly (CSS respects prefers-reduced-motion).
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute("data-points")) {
      target.classList.remove("bump");
      void target.offsetWidth;
      target.classList.add("bump");
    }
  });

  // A request the server answered with a redirect (a log-in that lands on /me, an expired
  // session sent to /login) is a new page, not a fragment: go there instead of swapping it in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var info = event.detail.pathInfo, xhr = event.detail.xhr;
    if (!info || !xhr || !xhr.responseURL) return;
    var asked = new URL(info.requestPath, window.location.href);
    var got = new URL(xhr.responseURL);
    if (got.origin === asked.origin && got.pathname !== asked.pathname) {
      event.detail.shouldSwap = false;
      window.location.assign(got.href);
    }
  });
})();
