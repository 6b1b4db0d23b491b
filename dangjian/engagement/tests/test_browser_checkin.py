"""QR 签到 in chromium: the secretary starts check-in and shows the code; a member at 390 px opens the address the
code carries (the camera, simulated), signs in, is checked in, and appears on the secretary's live list."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.activities.models import Attendance
from dangjian.activities.tests.factories import activity
from dangjian.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_scans_at_390_and_appears_present_on_the_secretary_screen(
    cast, live_server, page, phone_page, browser_login, horizontal_overflow
):
    a = activity(cast["a"], ["theme_day"], day=timezone.localdate(), topic="主题党日：扫码签到演示")
    sec = page
    sec.set_viewport_size(PHONE)
    browser_login(sec, cast["admin_a"].username)
    sec.goto(f"{live_server.url}/activities/{a.pk}/")
    with sec.expect_navigation():
        sec.click("#checkin-link")
    with sec.expect_navigation():
        sec.click("#checkin-open")
    qr = sec.locator("#checkin-qr[data-scan-url]")
    expect(qr.locator("img.checkin-code")).to_be_visible()
    url = qr.get_attribute("data-scan-url")
    assert url.startswith(f"{live_server.url}/engagement/s/{a.pk}/")
    expect(sec.locator("#checkin-waiting")).to_contain_text(cast["members_a"][0].name)
    assert horizontal_overflow(sec) == 0

    member = phone_page
    member.goto(url)  # what the phone's camera opens
    assert "/accounts/login/" in member.url
    member.fill("#id_username", cast["member"].username)
    member.fill("#id_password", "Dangjian#2026")
    with member.expect_navigation():
        member.click("button[type=submit]")
    expect(member.locator("#checkin-ok")).to_contain_text("签到成功")
    expect(member.locator("#checkin-ok")).to_contain_text(cast["members_a"][0].name)
    assert horizontal_overflow(member) == 0
    assert Attendance.objects.get(activity=a, member=cast["members_a"][0]).present

    # the secretary's list refreshes by itself (htmx, every 3 s)
    expect(sec.locator("#checked-in")).to_contain_text(cast["members_a"][0].name, timeout=10_000)
    expect(sec.locator("#checkin-count")).to_contain_text("已签到 1 人")
