"""Recording an activity on a phone (390×844) through the form, in well under a minute of interactions."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import pytest

from dangjian.activities.models import Activity
from dangjian.factories import TEST_PASSWORD, cast

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed"),
]


def test_record_an_activity_on_a_phone(live_server):
    from playwright.sync_api import expect, sync_playwright

    c = cast()
    org = c["a"]
    late = c["members_a"][2]
    late.join_date = date(2025, 6, 1)  # not yet a member on the earlier date chosen below
    late.full_date = None
    late.save()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "admin_a")
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

        started = time.monotonic()
        page.goto(f"{live_server.url}/activities/new/?org={org.pk}&kinds=theme_day,branch_assembly")
        expect(page.locator("input[value=theme_day]")).to_be_checked()
        expect(page.locator("input[value=branch_assembly]")).to_be_checked()
        expect(page.locator("#att-count")).to_have_text("3/3")
        # a 党课 as well: the speaker field appears
        page.click("label.kind-chip:has-text('党课')")
        expect(page.locator("#id_speaker")).to_be_visible()
        page.fill("#id_speaker", "王书记")
        page.fill("#id_topic", "学习贯彻上级会议精神")
        # an earlier date: the attendance list is redrawn for who was a member then
        page.fill("#id_date", "2025-03-20")
        page.locator("#id_date").dispatch_event("change")
        expect(page.locator("#att-count")).to_have_text("2/2")
        # `fill` and the explicit event may each ask for the list: let every redraw land before tapping a name,
        # or a late redraw would undo the tap.
        page.wait_for_load_state("networkidle")
        # tap a name to mark absent, pick the reason
        page.click("label.att-name:has-text('甲支部党员1')")
        page.select_option(f"select[name=reason_{c['members_a'][1].pk}]", "因病")
        expect(page.locator("#att-count")).to_have_text("1/2")
        page.screenshot(path=str(ARTIFACTS / "activity-form-phone.png"), full_page=True)
        page.click("#save-activity")
        page.wait_for_url(f"{live_server.url}/activities/*/")
        elapsed = time.monotonic() - started
        expect(page.locator("h1")).to_have_text("学习贯彻上级会议精神")
        expect(page.locator("#quorum-warning")).to_be_visible()  # 1 of 2 正式党员 present: not more than half
        page.screenshot(path=str(ARTIFACTS / "activity-record-phone.png"), full_page=True)

        page.goto(f"{live_server.url}/activities/")
        expect(page.locator("#activity-table")).to_contain_text("学习贯彻上级会议精神")
        page.screenshot(path=str(ARTIFACTS / "activity-list-phone.png"), full_page=True)
        browser.close()

    a = Activity.objects.get(topic="学习贯彻上级会议精神")
    assert a.date == date(2025, 3, 20)
    assert sorted(a.kinds.values_list("key", flat=True)) == ["branch_assembly", "party_lecture", "theme_day"]
    assert (a.expected, a.present, a.quorum_met, a.speaker) == (2, 1, False, "王书记")
    assert a.attendance.get(present=False).absence_reason == "因病"
    assert elapsed < 60
