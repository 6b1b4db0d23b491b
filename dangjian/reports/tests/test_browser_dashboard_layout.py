"""The dashboard as drawn (issue 18 item 5): 学时达标率's organisation names are not clipped at 1280 px, the 换届
timeline's labels do not collide at 390 px (their boxes measured in the rendered svg), and the month under way is drawn as 进行中 rather than as a drop."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from dangjian import factories
from dangjian.activities.models import Activity, ActivityKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "测试第一党支部（市商务局机关综合业务处室联合党支部）"

# every <text> of a chart's svg: its box and its string
TEXTS = """sel => Array.from(document.querySelectorAll(sel + ' svg text')).map(t => {
  const b = t.getBoundingClientRect();
  return {s: t.textContent, l: b.left, r: b.right, t: b.top, b: b.bottom};
})"""
BOX = "sel => { const b = document.querySelector(sel).getBoundingClientRect(); return {l: b.left, r: b.right}; }"


@pytest.fixture
def dashboard_data():
    cast = factories.cast()
    cast["a"].name = LONG
    cast["a"].short_name = ""
    cast["a"].save()
    for i in range(8):  # eight terms ending within a few months of each other: crowded labels on a phone
        o = factories.org(f"测试第{i + 3}党支部", parent=cast["organ"])
        factories.term(o, elected_on=date(2023, 6 + i % 6, 1 + i))
    a = Activity.objects.create(
        organization=cast["b"], date=date(2026, 11, 5), topic="学习", minutes="记录" * 20
    )
    a.kinds.set(ActivityKind.objects.filter(key="theme_day"))
    return cast


@time_machine.travel("2026-12-03 10:00 +0800", tick=True)
def test_names_whole_at_desktop_and_the_month_under_way(dashboard_data, page, live_server, browser_login):
    browser_login(page, "bureau")
    page.goto(f"{live_server.url}/reports/dashboard/")
    page.wait_for_selector("#chart-study[data-ready='1']")
    box = page.evaluate(BOX, "#chart-study")
    texts = page.evaluate(TEXTS, "#chart-study")
    assert "".join(t["s"] for t in texts).replace("\n", "").count(LONG) == 1, [t["s"] for t in texts]
    clipped = [t for t in texts if t["s"].strip() and (t["l"] < box["l"] - 1 or t["r"] > box["r"] + 1)]
    assert not clipped, clipped
    # December has just begun: its point is labelled 进行中, in the legend and the table too
    trend = [t["s"] for t in page.evaluate(TEXTS, "#chart-trend")]
    assert "进行中" in trend and any("12月进行中（截至3日）" in s for s in trend), trend
    assert page.locator("td", has_text="12月进行中（截至3日）").count() == 1


@pytest.fixture
def crowded_terms():
    """Forty branches whose terms fall due over nine years (overdue since 2023 to due in 2031): the time axis
    spans years and the names fill the chart's height, as in the demo bureau."""
    cast = factories.cast()
    for i in range(40):
        o = factories.org(f"测试第{i + 3}党支部", parent=cast["organ"])
        factories.term(o, elected_on=date(2020 + i % 7, 1 + i % 12, 1 + i % 27), years=3 if i % 3 else 5)
    return cast


# Two labels on one line drawn closer than this read as one ("20242025202620272028…" at 390 px): a collision,
# not only an overlap. Labels on different lines collide when their boxes overlap.
LABEL_GAP = 4


def _collide(a, b) -> bool:
    same_line = a["t"] < b["b"] and b["t"] < a["b"]
    return same_line and a["l"] < b["r"] + LABEL_GAP and b["l"] < a["r"] + LABEL_GAP


@time_machine.travel("2026-12-03 10:00 +0800", tick=True)
def test_term_timeline_labels_do_not_collide_at_390(crowded_terms, phone_page, live_server, browser_login):
    """Every label the timeline draws (organisation names, dates, 今天) is measured in the rendered svg: no two
    boxes may touch. Before the fix the time axis drew a label per year, edge to edge."""
    browser_login(phone_page, "bureau")
    phone_page.goto(f"{live_server.url}/reports/dashboard/")
    phone_page.wait_for_selector("#chart-terms[data-ready='1']")
    texts = [t for t in phone_page.evaluate(TEXTS, "#chart-terms") if t["s"].strip() and t["r"] > t["l"]]
    names = [t for t in texts if t["s"].startswith("测试")]
    dates = [t for t in texts if t["s"][:2] == "20"]
    assert len(names) >= 4 and len(dates) >= 2, [t["s"] for t in texts]  # the axes are labelled at all
    hits = [(a["s"], b["s"]) for i, a in enumerate(texts) for b in texts[i + 1 :] if _collide(a, b)]
    assert not hits, hits
