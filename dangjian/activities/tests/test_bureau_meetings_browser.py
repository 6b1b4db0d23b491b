"""A 民主生活会 recorded on a phone (390 px): ticking the kind brings up its own fields, nothing overflows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dangjian.activities.models import BureauMeeting
from dangjian.factories import TEST_PASSWORD, cast

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed"),
]


def test_life_meeting_fields_appear_when_the_kind_is_ticked(live_server):
    from playwright.sync_api import expect, sync_playwright

    c = cast()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "bureau")
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/activities/new/?org={c['root'].pk}")
        expect(page.locator("#id_self_examination")).to_be_hidden()
        page.click("label.kind-chip:has-text('民主生活会')")
        for field in ("attendees", "opinions_solicited", "self_examination", "rectification_list"):
            expect(page.locator(f"#id_{field}")).to_be_visible()
        expect(page.locator("#id_study_subjects")).to_be_hidden()
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        page.fill("#id_topic", "党组民主生活会")
        page.fill("#id_opinions_solicited", "征求意见12条")
        page.fill("#id_self_examination", "查摆问题8个")
        page.fill("#id_rectification_list", "问题一：措施一\n问题二：措施二")
        page.click("#save-activity")
        page.wait_for_url(f"{live_server.url}/activities/*/")
        expect(page.locator("#bureau-meeting")).to_contain_text("整改清单（2 项）")
        browser.close()
    assert BureauMeeting.objects.get().self_examination == "查摆问题8个"
