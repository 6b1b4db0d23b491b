from __future__ import annotations

import json
import os
import re
import shutil
from datetime import date

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from dangjian import factories
from dangjian.activities.models import Activity, ActivityKind, Attendance

pytestmark = pytest.mark.django_db


def _activity(org, day, kinds=("theme_day",), members=()):
    a = Activity.objects.create(organization=org, date=day, topic="学习贯彻全会精神", minutes="会议记录" * 10)
    a.kinds.set(ActivityKind.objects.filter(key__in=kinds))
    for m in members:
        Attendance.objects.create(activity=a, member=m, present=True)
    return a


@time_machine.travel("2026-11-20")
def test_dashboard_charts_and_drill_links(cast, login):
    _activity(cast["a"], date(2026, 11, 3), members=cast["members_a"])
    r = login(cast["bureau"]).get("/reports/dashboard/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "echarts-5.6.0.min.js" in html and "dashboard.js" in html
    data = json.loads(
        re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    charts = {c["id"]: c for c in data}
    assert {
        "units",
        "orgs",
        "category",
        "standing",
        "gender",
        "age",
        "education",
        "heatmap",
        "terms",
        "trend",
        "study",
    } <= set(charts)
    assert charts["category"]["series"][0]["data"][0] == 5  # five serving members in the cast
    assert charts["trend"]["series"][1]["data"][10] == 1  # November 2026
    assert all(len(c["links"]) for c in data if c["kind"] in ("bar", "pie"))
    # A drill link leads to the list behind the figure.
    drill = login(cast["bureau"]).get(charts["category"]["links"][0]).content.decode()
    assert "甲支部党员0" in drill


@time_machine.travel("2026-11-20")
def test_dashboard_query_count_does_not_grow(cast, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = login(cast["bureau"])
    c.get("/reports/dashboard/")  # warm up: one-time rows (settings singletons) are created on first use
    counts = []
    for extra in (0, 25):
        for i in range(extra):
            org = factories.org(parent=cast["organ"])
            m = factories.member(org)
            _activity(org, date(2026, 10, 1 + i % 28), members=[m])
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/reports/dashboard/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


@time_machine.travel("2026-11-20")
def test_per_organisation_charts_show_the_ones_needing_attention_first(cast, login, monkeypatch):
    from dangjian.reports import dashboard

    monkeypatch.setattr(dashboard, "ORG_ROWS", 1)
    html = login(cast["bureau"]).get("/reports/dashboard/").content.decode()
    data = json.loads(
        re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    charts = {c["id"]: c for c in data}
    heat = charts["heatmap"]
    assert len(heat["extra"]["orgs"]) == 1 and heat["extra"]["total"] >= 2
    assert "（共" in heat["title"] and heat["extra"]["more_url"] == "/compliance/"
    assert len(charts["study"]["categories"]) == 1 and charts["study"]["extra"]["shown"] == 1
    assert "查看全部" in html


@time_machine.travel("2026-11-20")
def test_the_full_heatmap_when_it_fits(cast, login):
    html = login(cast["bureau"]).get("/reports/dashboard/").content.decode()
    data = json.loads(
        re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    heat = next(c for c in data if c["id"] == "heatmap")
    assert "total" not in heat["extra"] and "（共" not in heat["title"]


@pytest.mark.django_db(transaction=True)
def test_dashboard_data_is_reused_until_a_record_it_counts_is_written():
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from dangjian.core import memo
    from dangjian.factories import cast as build_cast

    cast = build_cast()
    client = Client()
    client.force_login(cast["bureau"])

    def trend_now() -> int:
        html = client.get("/reports/dashboard/").content.decode()
        data = json.loads(
            re.search(
                r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S
            ).group(1)
        )
        today = timezone.localdate()
        return next(c for c in data if c["id"] == "trend")["series"][1]["data"][today.month - 1]

    first = trend_now()
    hits = memo.stats["hits"]
    with CaptureQueriesContext(connection) as ctx:
        assert trend_now() == first and memo.stats["hits"] > hits  # served from the memo
    # every chart's data versions are read in one query
    assert sum("core_datastamp" in q["sql"] for q in ctx.captured_queries) == 1
    _activity(cast["a"], timezone.localdate())
    assert trend_now() == first + 1  # a new record of this month is counted at once


@time_machine.travel("2026-11-20")
def test_drill_is_scoped(cast, login):
    assert login(cast["admin_b"]).get(f"/reports/drill/?metric=members&org={cast['a'].pk}").status_code == 404
    page = (
        login(cast["admin_b"])
        .get("/reports/drill/?metric=members&field=category&value=在职")
        .content.decode()
    )
    assert "乙支部党员0" in page and "甲支部党员0" not in page
    assert login(cast["member"]).get("/reports/dashboard/").status_code == 403


@time_machine.travel("2026-11-20")
def test_ledger_handbook_and_statistics(cast, login):
    a = _activity(
        cast["a"], date(2026, 3, 5), kinds=("branch_assembly", "party_lecture"), members=cast["members_a"][:2]
    )
    Attendance.objects.create(activity=a, member=cast["members_a"][2], present=False, absence_reason="因病")
    c = login(cast["admin_a"])
    r = c.get(f"/reports/ledgers/?org={cast['a'].pk}&year=2026&download=ledger")
    assert r.status_code == 200
    from io import BytesIO

    wb = load_workbook(BytesIO(r.content))
    rows = list(wb["活动台账"].iter_rows(values_only=True))
    assert rows[1][2] == "支部党员大会、党课" and "甲支部党员2（因病）" in rows[1][9]
    assert len(list(wb["出勤明细"].iter_rows())) == 4
    r = c.get(f"/reports/ledgers/?org={cast['a'].pk}&year=2026&download=handbook")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = login(cast["bureau"]).get("/reports/ledgers/?year=2026&download=statistics")
    wb = load_workbook(BytesIO(r.content))
    gender = {row[0]: row[1] for row in wb["按性别"].iter_rows(min_row=2, values_only=True)}
    assert gender == {"男": 5, "女": 0, "合计": 5}
    assert c.get(f"/reports/ledgers/?org={cast['b'].pk}&year=2026&download=ledger").status_code == 404


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not shutil.which("chromium") and not os.environ.get("CI"), reason="Debian chromium not installed"
)
def test_dashboard_in_a_browser_at_desktop_and_phone_width(live_server, tmp_path):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    from dangjian.factories import cast as build_cast

    cast = build_cast()
    _activity(cast["a"], timezone.localdate(), members=cast["members_a"])
    out = os.path.join(os.environ.get("TEST_ARTIFACTS", "test-artifacts"))
    os.makedirs(out, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for name, viewport in (
            ("desktop", {"width": 1280, "height": 900}),
            ("phone", {"width": 390, "height": 844}),
        ):
            page = browser.new_page(viewport=viewport)
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", "bureau")
            page.fill("#id_password", factories.TEST_PASSWORD)
            page.click("button[type=submit]")
            page.goto(f"{live_server.url}/reports/dashboard/")
            page.wait_for_selector("#chart-heatmap[data-ready='1']")
            assert page.locator("#chart-category svg").count() == 1
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"] + 1, f"horizontal overflow at {name}: {width}"
            page.screenshot(path=os.path.join(out, f"dashboard-{name}.png"), full_page=True)
            if name == "desktop":  # choose the scope by searching for an organisation
                page.fill("#dash-org-q", "第一")
                page.locator("#dash-org option", has_text="测试第一党支部").wait_for(state="attached")
                with page.expect_navigation():
                    page.select_option("#dash-org", label="测试第一党支部")
                assert f"org={cast['a'].pk}" in page.url
                assert "测试第一党支部" in page.locator("h1").inner_text()
            page.close()
        browser.close()


@time_machine.travel("2026-11-20")
def test_the_scope_is_chosen_with_the_organisation_picker(cast, login):
    html = login(cast["bureau"]).get(f"/reports/dashboard/?org={cast['a'].pk}").content.decode()
    select = re.search(r'<select id="dash-org"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert f'<option value="{cast["a"].pk}" selected>' in select  # a branch below the top levels stays chosen
    assert "中共测试商务局机关委员会" in select and 'hx-get="/orgs/picker/"' in html
    assert "驾驶舱 · 测试第一党支部" in html
    assert 'id="dash-org"' not in login(cast["admin_a"]).get("/reports/dashboard/").content.decode()
