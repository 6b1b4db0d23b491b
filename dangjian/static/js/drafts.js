// Forms that keep their input on this device until the server has saved it (issue 19 part 4).
// <form data-draft="study-new">: what is typed is stored in localStorage under the signed-in user and the key,
// restored when the form is opened again, marked 未提交 while unsaved, and removed when the server says it saved
// it (<body data-drafts-saved="study-new">, see dangjian/core/drafts.py). No inline script (CSP).
(function () {
  "use strict";
  var PREFIX = "dangjian.draft.";
  var MAX_AGE = 14 * 24 * 3600 * 1000; // a draft nobody came back to for two weeks is dropped
  var SKIP_TYPES = { file: 1, password: 1, submit: 1, button: 1, reset: 1, hidden: 1, image: 1 };

  function storage() {
    try { var s = window.localStorage; s.getItem(PREFIX); return s; } catch (e) { return null; }
  }
  function owner() { return document.body ? document.body.getAttribute("data-user") : null; }
  function storeKey(key) { return PREFIX + owner() + "." + key; }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function when(ms) {
    var d = new Date(ms);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && !SKIP_TYPES[el.type] && !el.disabled;
    });
  }
  function collect(form) {
    var data = {};
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (!Array.isArray(data[el.name])) { data[el.name] = []; }
        if (el.checked) { data[el.name].push(el.value); }
      } else if (el.tagName === "SELECT" && el.multiple) {
        data[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }
  function apply(form, data) {
    var changed = [];
    fields(form).forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(data, el.name)) { return; }
      var v = data[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        var on = Array.isArray(v) && v.indexOf(el.value) >= 0;
        if (el.checked !== on) { el.checked = on; changed.push(el); }
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) {
          var sel = Array.isArray(v) && v.indexOf(o.value) >= 0;
          if (o.selected !== sel) { o.selected = sel; changed.push(el); }
        });
      } else if (typeof v === "string" && el.value !== v) {
        el.value = v;
        changed.push(el);
      }
    });
    // let the page's own scripts follow (the attendance list of the meeting form, counters)
    changed.forEach(function (el) { el.dispatchEvent(new Event("change", { bubbles: true })); });
    return changed.length;
  }
  function read(s, key) {
    try { return JSON.parse(s.getItem(storeKey(key)) || "null"); } catch (e) { return null; }
  }

  function mark(form, text) {
    var box = form.querySelector(".draft-mark");
    if (!text) {
      if (box) { box.remove(); }
      form.classList.remove("has-draft");
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.className = "draft-mark";
      box.setAttribute("role", "status");
      var tag = document.createElement("strong");
      tag.className = "draft-tag";
      tag.textContent = "未提交";
      var span = document.createElement("span");
      span.className = "draft-text";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "linklike draft-discard";
      discard.textContent = "放弃暂存内容";
      box.appendChild(tag);
      box.appendChild(span);
      box.appendChild(discard);
      form.insertBefore(box, form.firstChild);
    }
    box.querySelector(".draft-text").textContent = text;
    form.classList.add("has-draft");
  }

  function setup(form, s) {
    var key = form.getAttribute("data-draft");
    var draft = read(s, key);
    if (draft && draft.fields) {
      apply(form, draft.fields);
      mark(form, "已恢复本机暂存、尚未保存到系统的内容（" + when(draft.at) + "），请核对后点击保存提交。");
    }
    var timer = null;
    function save() {
      timer = null;
      var at = Date.now();
      try {
        s.setItem(storeKey(key), JSON.stringify({ at: at, path: location.pathname, fields: collect(form) }));
      } catch (e) { return; } // storage full or refused: the form still works, only without a draft
      mark(form, "填写内容已暂存在本机（" + when(at) + "），尚未保存到系统；网络中断也不会丢失。");
    }
    function later() { if (timer) { clearTimeout(timer); } timer = setTimeout(save, 250); }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function () {
      if (timer) { clearTimeout(timer); }
      save();
      mark(form, "正在提交……如网络中断，内容仍暂存在本机，恢复网络后重新打开本页即可再次提交。");
    });
    form.addEventListener("click", function (ev) {
      if (!ev.target.classList || !ev.target.classList.contains("draft-discard")) { return; }
      if (!window.confirm("放弃本机暂存的内容？页面将恢复为系统中保存的内容。")) { return; }
      if (timer) { clearTimeout(timer); timer = null; }
      s.removeItem(storeKey(key));
      window.location.reload();
    });
  }

  function start() {
    var s = storage();
    var me = owner();
    if (!s || !me) { return; }
    var mine = PREFIX + me + ".";
    var saved = (document.body.getAttribute("data-drafts-saved") || "").split(/\s+/).filter(Boolean);
    saved.forEach(function (key) { s.removeItem(storeKey(key)); });
    for (var i = s.length - 1; i >= 0; i--) { // forget stale drafts
      var k = s.key(i);
      if (k && k.indexOf(mine) === 0) {
        try { if (Date.now() - (JSON.parse(s.getItem(k)) || {}).at > MAX_AGE) { s.removeItem(k); } } catch (e) { s.removeItem(k); }
      }
    }
    document.querySelectorAll("form[data-draft]").forEach(function (form) { setup(form, s); });
    // Signing out on a shared device: the drafts go too, after a warning.
    document.addEventListener("submit", function (ev) {
      if (!ev.target.hasAttribute || !ev.target.hasAttribute("data-draft-logout")) { return; }
      var keys = [];
      for (var j = 0; j < s.length; j++) { var key = s.key(j); if (key && key.indexOf(mine) === 0) { keys.push(key); } }
      if (!keys.length) { return; }
      if (!window.confirm("本机有尚未提交的暂存内容，退出登录后将被清除。确定退出吗？")) { ev.preventDefault(); return; }
      keys.forEach(function (key) { s.removeItem(key); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
