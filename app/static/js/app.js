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
})();
