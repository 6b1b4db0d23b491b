// 党员 pages. No inline scripts (CSP): the filter box starts folded on phones unless a filter is set.
(function () {
  "use strict";
  function fold() {
    if (!window.matchMedia("(max-width: 760px)").matches) { return; }
    document.querySelectorAll("details[data-collapse-on-phone]:not([data-active])").forEach(function (d) {
      d.removeAttribute("open");
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fold); } else { fold(); }
})();
