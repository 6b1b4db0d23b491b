// Small progressive enhancements. No inline scripts anywhere (CSP script-src 'self').
(function () {
  "use strict";
  // Collapse the side navigation by default on phones.
  function fitNav() {
    var nav = document.getElementById("sidenav");
    if (nav && window.matchMedia("(max-width: 760px)").matches) { nav.removeAttribute("open"); }
  }
  // Elements with data-confirm ask before submitting.
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { ev.preventDefault(); }
  }, true);
  // Checkbox "select all": <input type=checkbox data-check-all="name">
  document.addEventListener("change", function (ev) {
    var name = ev.target.getAttribute && ev.target.getAttribute("data-check-all");
    if (!name) { return; }
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (cb) { cb.checked = ev.target.checked; });
  });
  // Auto-submit filters: <select data-autosubmit>
  document.addEventListener("change", function (ev) {
    if (ev.target.hasAttribute && ev.target.hasAttribute("data-autosubmit") && ev.target.form) { ev.target.form.submit(); }
  });
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fitNav); } else { fitNav(); }
  // Installable (issue 19 part 4): the service worker at the site's root, registered from every page. Browsers
  // allow it on https and on localhost / 127.0.0.1 only; elsewhere the site simply works without it.
  var sw = document.documentElement.getAttribute("data-sw");
  if (sw && "serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(sw, { scope: "/" }).catch(function () { /* the site works without it */ });
    });
  }
})();
