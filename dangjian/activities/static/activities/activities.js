// 组织生活 form: refresh the attendance list when the organisation, date, kinds, group or talk change;
// keep the 实到/应到 counter current. No inline script (CSP); htmx does the request.
(function () {
  "use strict";
  function roster() { return document.getElementById("roster"); }
  function count() {
    var box = roster();
    var el = document.getElementById("att-count");
    if (!box || !el) { return; }
    var all = box.querySelectorAll("input[name=absent]");
    var absent = 0;
    all.forEach(function (cb) { if (cb.checked) { absent += 1; } });
    el.textContent = (all.length - absent) + "/" + all.length;
  }
  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (!t || !t.closest || !t.closest("#activity-form")) { return; }
    if (t.classList.contains("att-trigger") && window.htmx && roster()) {
      window.htmx.trigger(roster(), "roster-refresh");
    }
    if (t.name === "absent") {
      count();
      if (t.checked) {
        var sel = t.closest(".att-row").querySelector("select");
        if (sel && !sel.value) { sel.focus(); }
      }
    }
  });
  document.addEventListener("htmx:afterSwap", count);
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", count); } else { count(); }
})();
