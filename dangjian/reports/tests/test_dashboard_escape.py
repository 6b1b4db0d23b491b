"""Issue 14 item 8: an organisation's name is data, never HTML, in the dashboard's chart tooltips.

A branch named `<img src=x onerror=alert(1)>` is shown on the dashboard (the compliance heat map, the term
timeline, the category charts). In chromium, every data point of every chart gets its tooltip (ECharts'
`showTip`, what hovering does); the name must appear as text and no element may be created from it."""

from __future__ import annotations

from datetime import date

import pytest

from dangjian import factories

EVIL = "<img src=x onerror=alert(1)>"

_HOVER_EVERY_POINT = """() => {
  const shown = [];
  for (const el of document.querySelectorAll("[id^='chart-'][data-ready='1']")) {
    const chart = window.echarts.getInstanceByDom(el);
    const option = chart.getOption();
    option.series.forEach((s, seriesIndex) => {
      const n = Math.min((s.data || []).length, 60);
      for (let dataIndex = 0; dataIndex < n; dataIndex++) {
        chart.dispatchAction({ type: "showTip", seriesIndex, dataIndex });
        const tip = el.querySelector("div[style*='z-index']") || el.lastElementChild;
        shown.push({ chart: el.id, html: tip ? tip.innerHTML : "", text: tip ? tip.textContent : "" });
      }
    });
    chart.dispatchAction({ type: "hideTip" });
  }
  return shown;
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_org_name_with_html_is_text_in_every_tooltip(live_server, page, browser_login):
    cast = factories.cast()
    evil = factories.org(EVIL, parent=cast["organ"], code="X")
    factories.member(evil, "某党员")
    factories.term(evil, elected_on=date(2023, 1, 1), secretary="某书记")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    browser_login(page, "bureau")
    page.goto(f"{live_server.url}/reports/dashboard/")
    page.wait_for_selector("#chart-heatmap[data-ready='1']")
    page.wait_for_selector("#chart-terms[data-ready='1']")
    shown = page.evaluate(_HOVER_EVERY_POINT)
    with_name = [s for s in shown if EVIL in s["text"]]
    # the heat map and the term timeline show the name in their tooltips
    assert {"chart-heatmap", "chart-terms"} <= {s["chart"] for s in with_name}, sorted(
        {s["chart"] for s in shown}
    )
    assert all("&lt;img" in s["html"] for s in with_name)
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert not dialogs
