"""Events reach people across roles (issue 18 item 3) and 代签收 is confirmed, recorded and shown, with 催办 (item 6):
walked in chromium at 390 px as the branch admin and the bureau officer."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from dangjian.activities.models import Activity
from dangjian.activities.tests.factories import activity
from dangjian.duties.models import NoticeTarget
from dangjian.duties.tests import factories as df
from dangjian.factories import TEST_PASSWORD, cast
from dangjian.notify.models import Notification

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed"),
]


def _browser(p):
    return p.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    )


def _login(browser, url, username):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = ctx.new_page()
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def test_return_and_approve_reach_the_branch_admin(live_server):
    from playwright.sync_api import expect, sync_playwright

    c = cast()
    rec = activity(c["a"], actor=c["admin_a"], topic="学习党章", day=timezone.localdate() - timedelta(days=1))
    url = live_server.url
    with sync_playwright() as p:
        browser = _browser(p)
        branch = _login(browser, url, "admin_a")
        officer = _login(browser, url, "bureau")
        # the branch admin submits
        branch.goto(f"{url}/activities/{rec.pk}/")
        branch.click("button:has-text('提交上级审核')")
        expect(officer.locator("body")).to_be_visible()
        # the officer sees 待审核 in the bell and returns the record
        officer.goto(f"{url}/activities/{rec.pk}/")
        expect(officer.locator("#notify-unread")).to_have_text("1")
        officer.fill("#id_comment", "请补充会议记录")
        officer.click("#review-box button[value=return]")
        # the branch admin: the bell counts it, the centre shows it with the comment's record
        branch.goto(f"{url}/")
        expect(branch.locator("#notify-unread")).to_have_text("1")
        branch.click("a.bell")
        expect(branch.locator("main")).to_contain_text("【退回】")
        branch.click("a:has-text('【退回】')")
        branch.wait_for_url(f"{url}/activities/{rec.pk}/")
        expect(branch.locator(".msg-warning")).to_contain_text("请补充会议记录")
        expect(branch.locator("#notify-unread")).to_have_count(0)  # opened: read
        # resubmits; the officer approves; the branch admin is told
        branch.click("button:has-text('提交上级审核')")
        officer.goto(f"{url}/activities/{rec.pk}/")
        officer.click("#review-box button[value=approve]")
        branch.goto(f"{url}/notify/")
        expect(branch.locator("#notify-unread")).to_have_text("1")
        expect(branch.locator("main")).to_contain_text("【审核通过】")
        browser.close()
    assert Activity.objects.get(pk=rec.pk).status == "approved"


def test_proxy_ack_is_confirmed_recorded_and_urged(live_server):
    from playwright.sync_api import expect, sync_playwright

    c = cast()
    today = timezone.localdate()
    n = df.notice(c["root"], actor=c["bureau"], orgs=[c["a"], c["b"]], deadline=today + timedelta(days=10))
    ta = NoticeTarget.objects.get(notice=n, organization=c["a"])
    url = live_server.url
    with sync_playwright() as p:
        browser = _browser(p)
        officer = _login(browser, url, "bureau")
        officer.goto(f"{url}/duties/notices/{n.pk}/")
        row = officer.locator("tr", has_text=c["a"].name)
        # no one-click 签收 for another organisation: 代签收 asks for the way and reason
        expect(row.locator("button:text-is('签收')")).to_have_count(0)
        row.locator("summary:has-text('代签收')").click()
        row.locator("button:has-text('确认代签收')").click()  # empty: the browser refuses (required)
        ta.refresh_from_db()
        assert ta.acknowledged_at is None
        row.locator("input[name=proxy_note]").fill("电话确认，支部书记同意代签收")
        row.locator("button:has-text('确认代签收')").click()
        officer.wait_for_load_state()
        row = officer.locator("tr", has_text=c["a"].name)
        expect(row.locator(".proxy-tag")).to_have_text("代签收")
        expect(row).to_contain_text("电话确认，支部书记同意代签收")
        # 催办 the one still unsigned, twice: one notification
        officer.click("#urge-unsigned")
        expect(officer.locator(".msg-success")).to_contain_text("1 个未签收")
        officer.click("#urge-unsigned")
        branch_b = _login(browser, url, "admin_b")
        expect(branch_b.locator("#notify-unread")).to_have_text("2")  # 新通知 + one 催办
        browser.close()
    assert Notification.objects.filter(recipient=c["admin_b"], kind="notice.urge").count() == 1
    assert Notification.objects.filter(recipient=c["admin_a"], kind="notice.proxy_ack").count() == 1
