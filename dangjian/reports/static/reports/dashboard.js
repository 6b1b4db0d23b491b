// 驾驶舱: renders the charts described in <script type="application/json" id="dashboard-data">. No inline script.
(function () {
  "use strict";
  var RED = "#c8161d", PALETTE = ["#c8161d", "#e6a23c", "#1d4ed8", "#15803d", "#7c3aed", "#0891b2", "#b45309", "#6b7280"];
  var STATUS_COLOR = { "正常": "#15803d", "即将届满": "#e6a23c", "已届满未换届": "#c8161d" };

  // Tooltips are HTML: every data string (an organisation's name is typed by users) goes in escaped.
  var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(value) { return String(value == null ? "" : value).replace(/[&<>"']/g, function (ch) { return ESCAPES[ch]; }); }

  function narrow() { return window.matchMedia("(max-width: 760px)").matches; }

  function barOption(c) {
    var horizontal = c.extra && c.extra.horizontal;
    // horizontal bars carry organisation names: the grid makes room for them (containLabel) and a long name
    // wraps onto a second line instead of being clipped at the chart's edge
    var cat = { type: "category", data: c.categories, axisLabel: horizontal
      ? { interval: 0, fontSize: 11, width: narrow() ? 110 : 240, overflow: "break", lineHeight: 13 }
      : { interval: 0, rotate: narrow() ? 40 : 20, fontSize: 11 } };
    var val = { type: "value", minInterval: 1 };
    return {
      color: [RED], grid: { left: horizontal ? 8 : 40, right: horizontal ? 40 : 16, top: 16, bottom: horizontal ? 24 : 64, containLabel: true },
      tooltip: { trigger: "axis" }, xAxis: horizontal ? val : cat, yAxis: horizontal ? cat : val,
      series: c.series.map(function (s) { return { name: s.name, type: "bar", data: s.data, barMaxWidth: 36, label: { show: true, position: horizontal ? "right" : "top", fontSize: 11 } }; })
    };
  }

  function pieOption(c) {
    return {
      color: PALETTE, tooltip: { trigger: "item", formatter: function (p) { return esc(p.name) + "：" + esc(p.value) + "（" + esc(p.percent) + "%）"; } }, legend: { bottom: 0, type: "scroll" },
      series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], label: { formatter: "{b}\n{c}" },
        data: c.categories.map(function (name, i) { return { name: name, value: c.series[0].data[i] }; }) }]
    };
  }

  // The month under way (extra.partial: its index) is drawn apart, dashed and hollow, as 进行中: a month that has
  // just begun is not a drop.
  function lineOption(c) {
    var partial = c.extra && c.extra.partial != null ? c.extra.partial : -1;
    var series = c.series.map(function (s, k) {
      var last = k === c.series.length - 1 && partial >= 0;
      var data = last ? s.data.map(function (v, i) { return i === partial ? null : v; }) : s.data;
      return { name: s.name, type: "line", data: data, smooth: true, connectNulls: false };
    });
    if (partial >= 0) {
      var cur = c.series[c.series.length - 1].data;
      series.push({ name: c.extra.partial_label, type: "line", smooth: false, symbol: "emptyCircle", symbolSize: 8,
        lineStyle: { type: "dashed" }, itemStyle: { color: RED },
        label: { show: true, position: "top", fontSize: 11, formatter: function (p) { return p.dataIndex === partial ? "进行中" : ""; } },
        data: cur.map(function (v, i) { return (i === partial || i === partial - 1) ? v : null; }) });
    }
    return {
      color: ["#9ca3af", RED, RED], tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll" }, grid: { left: 40, right: 16, top: 32, bottom: 32 },
      xAxis: { type: "category", data: c.categories }, yAxis: { type: "value", minInterval: 1 },
      series: series
    };
  }

  // the scale's labels come from the chart (extra.statuses, score 1..n); 待审核 is blue, between 进行中 and 达标
  var HEAT_COLORS = { "未达标": "#ef4444", "进行中": "#fbbf24", "待审核": "#60a5fa", "达标": "#22c55e" };
  function heatmapOption(c) {
    var orgs = c.extra.orgs;
    var statuses = c.extra.statuses || ["未达标", "进行中", "达标"];
    return {
      tooltip: { formatter: function (p) { return esc(orgs[p.value[1]]) + "<br>" + esc(c.categories[p.value[0]]) + "：" + esc(statuses[p.value[2] - 1]); } },
      grid: { left: narrow() ? 90 : 160, right: 8, top: 8, bottom: 90 },
      xAxis: { type: "category", data: c.categories, axisLabel: { interval: 0, rotate: 45, fontSize: 11 }, splitArea: { show: true } },
      yAxis: { type: "category", data: orgs, axisLabel: { fontSize: 11, width: narrow() ? 84 : 150, overflow: "truncate" }, splitArea: { show: true } },
      visualMap: { type: "piecewise", orient: "horizontal", left: "center", bottom: 0, dimension: 2,
        pieces: statuses.map(function (s, i) { return { value: i + 1, label: s, color: HEAT_COLORS[s] || "#9ca3af" }; }) },
      series: [{ type: "heatmap", data: c.series[0].data, emphasis: { itemStyle: { borderColor: "#111", borderWidth: 1 } } }]
    };
  }

  function timelineOption(c) {
    var data = c.series[0].data;
    var names = data.map(function (d) { return d.name; });
    return {
      tooltip: { formatter: function (p) { return esc(p.data.name) + "<br>届满：" + esc(p.data.value[0]) + "（" + esc(p.data.status) + "）"; } },
      grid: { left: narrow() ? 90 : 160, right: 24, top: 16, bottom: 32 },
      // at 390 px fewer date ticks, and labels that would overlap are hidden rather than drawn on each other
      xAxis: { type: "time", splitNumber: narrow() ? 3 : 6, axisLabel: { hideOverlap: true, fontSize: 11, formatter: "{yyyy}-{MM}" } },
      yAxis: { type: "category", data: names, axisLabel: { fontSize: 11, width: narrow() ? 84 : 150, overflow: "truncate", hideOverlap: true } },
      series: [{ type: "scatter", symbolSize: 12,
        data: data.map(function (d) { return { name: d.name, status: d.status, value: [d.value[0], d.name], itemStyle: { color: STATUS_COLOR[d.status] || "#6b7280" } }; }),
        markLine: { symbol: "none", label: { formatter: "今天", position: "insideEndTop" }, lineStyle: { color: "#111", type: "dashed" }, data: [{ xAxis: c.extra.today }] } }]
    };
  }

  var BUILDERS = { bar: barOption, pie: pieOption, line: lineOption, heatmap: heatmapOption, timeline: timelineOption };

  function render() {
    var holder = document.getElementById("dashboard-data");
    if (!holder || !window.echarts) { return; }
    var charts = JSON.parse(holder.textContent);
    var instances = [];
    charts.forEach(function (c) {
      var el = document.getElementById("chart-" + c.id);
      if (!el || !BUILDERS[c.kind]) { return; }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(BUILDERS[c.kind](c));
      chart.on("click", function (p) {
        var url = c.links[p.dataIndex];
        if (url) { window.location.href = url; }
      });
      el.setAttribute("data-ready", "1");
      instances.push(chart);
    });
    window.addEventListener("resize", function () { instances.forEach(function (i) { i.resize(); }); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", render); } else { render(); }
})();
