"""QR 签到 pages: the secretary's screen (start, code, live list), the member's scan, scope and refusals, and the
scan kept across the login with its TOTP step."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest
import time_machine

from dangjian.accounts import services as account_services
from dangjian.accounts.roles import Role
from dangjian.accounts.tests.conftest import totp_code
from dangjian.activities import checkin
from dangjian.activities.models import Attendance
from dangjian.activities.tests.factories import activity
from dangjian.core.models import AuditEntry
from dangjian.engagement import tokens
from dangjian.factories import TEST_PASSWORD, user

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)
AT = datetime(2026, 3, 2, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai


@pytest.fixture
def clock():
    with time_machine.travel(AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def meeting(cast, clock):
    return activity(cast["a"], ["theme_day"], day=DAY, topic="主题党日：扫码签到")


def scan_path(a, at: float | None = None) -> str:
    t = tokens.issue(a.pk, at if at is not None else AT.timestamp())
    return f"/engagement/s/{a.pk}/{t.step}/{t.sig}/"


def test_the_secretary_starts_check_in_and_shows_a_code_of_this_site(cast, login, meeting):
    client = login(cast["admin_a"])
    page = client.get(f"/engagement/checkin/{meeting.pk}/").content.decode()
    assert 'id="checkin-open"' in page and "data-scan-url" not in page
    r = client.post(f"/engagement/checkin/{meeting.pk}/open/")
    assert r.status_code == 302
    page = client.get(f"/engagement/checkin/{meeting.pk}/").content.decode()
    url = re.search(r'data-scan-url="([^"]+)"', page).group(1)
    assert url == "http://testserver" + scan_path(meeting)
    assert 'src="data:image/svg+xml;base64,' in page
    assert "未签到（3 人）" in page and "已签到 0 人" in page
    fragment = client.get(f"/engagement/checkin/{meeting.pk}/qr/").content.decode()
    assert 'hx-trigger="every 5s"' in fragment and url in fragment


def test_the_detail_page_offers_it_to_writers_on_the_day(cast, login, meeting):
    assert 'id="checkin-link"' in login(cast["admin_a"]).get(f"/activities/{meeting.pk}/").content.decode()
    assert 'id="checkin-link"' not in login(cast["member"]).get(f"/activities/{meeting.pk}/").content.decode()


def test_a_member_scans_and_appears_on_the_live_list(cast, login, meeting, clock):
    checkin.open_checkin(meeting, actor=cast["admin_a"])
    path = scan_path(meeting)
    clock.shift(40)  # the code shown at 14:30:00, scanned at 14:30:40
    r = login(cast["member"]).get(path)
    body = r.content.decode()
    assert r.status_code == 200 and "签到成功" in body and "2026-03-02 14:30:40" in body
    att = Attendance.objects.get(activity=meeting, member=cast["members_a"][0])
    assert att.present and att.checked_in_at == datetime(2026, 3, 2, 6, 30, 40, tzinfo=UTC)
    entry = AuditEntry.objects.get(action="activity.check_in")
    assert entry.actor_id == cast["member"].pk
    listing = login(cast["admin_a"]).get(f"/engagement/checkin/{meeting.pk}/list/").content.decode()
    assert cast["members_a"][0].name in re.search(r'<ol class="checkin-names".*?</ol>', listing, re.S).group(
        0
    )
    assert 'hx-trigger="every 3s"' in listing and "已签到 1 人" in listing
    again = login(cast["member"]).get(path)
    assert again.status_code == 200 and "您已签到" in again.content.decode()


def test_scope_other_branch_and_roles(cast, login, meeting):
    checkin.open_checkin(meeting, actor=cast["admin_a"])
    for url in ("", "qr/", "list/"):
        assert login(cast["admin_b"]).get(f"/engagement/checkin/{meeting.pk}/{url}").status_code == 404
        assert login(cast["member"]).get(f"/engagement/checkin/{meeting.pk}/{url}").status_code == 403
        assert login(cast["bureau"]).get(f"/engagement/checkin/{meeting.pk}/{url}").status_code == 200
    assert login(cast["admin_b"]).post(f"/engagement/checkin/{meeting.pk}/open/").status_code == 404
    assert login(cast["member"]).get("/engagement/s/999999/1/AAAAAAAAAAAAAAAAAAAAAAAA/").status_code == 404


def test_a_member_of_another_branch_is_refused(cast, login, meeting):
    checkin.open_checkin(meeting, actor=cast["admin_a"])
    outsider = user("member_b", Role.MEMBER, member_record=cast["members_b"][0])
    r = login(outsider).get(scan_path(meeting))
    assert r.status_code == 403 and "不在本次活动的应到名单中" in r.content.decode()
    assert not Attendance.objects.filter(activity=meeting, member=cast["members_b"][0]).exists()


def test_an_account_without_a_member_record_is_refused(cast, login, meeting):
    checkin.open_checkin(meeting, actor=cast["admin_a"])
    r = login(cast["inspector"]).get(scan_path(meeting))
    assert r.status_code == 403 and "没有关联党员信息" in r.content.decode()
    assert login(cast["auditor"]).get(scan_path(meeting)).status_code == 403  # no 扫码签到 permission


def test_expired_forged_and_wrong_activity_codes_are_refused(cast, login, meeting, clock):
    checkin.open_checkin(meeting, actor=cast["admin_a"])
    other = activity(cast["a"], ["party_lecture"], day=DAY, speaker="李老师", topic="另一次活动")
    checkin.open_checkin(other, actor=cast["admin_a"])
    client = login(cast["member"])
    path = scan_path(meeting)
    t = tokens.issue(meeting.pk, AT.timestamp())
    forged = client.get(f"/engagement/s/{meeting.pk}/{t.step}/{'A' * 24}/")
    assert forged.status_code == 400 and "二维码无效" in forged.content.decode()
    wrong = client.get(f"/engagement/s/{other.pk}/{t.step}/{t.sig}/")
    assert wrong.status_code == 400 and "二维码无效" in wrong.content.decode()
    clock.shift(30 + 121)
    expired = client.get(path)
    assert expired.status_code == 400 and "二维码已过期" in expired.content.decode()
    assert not Attendance.objects.filter(activity__in=[meeting, other], present=True).exists()


def test_a_late_scan_after_the_window_is_refused(cast, login, clock):
    a = activity(cast["a"], ["theme_day"], day=DAY, start_time=time(13, 0), end_time=time(14, 29))
    clock.move_to(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))  # 14:00
    checkin.open_checkin(a, actor=cast["admin_a"])
    path = scan_path(a, datetime(2026, 3, 2, 6, 28, 50, tzinfo=UTC).timestamp())
    clock.move_to(
        datetime(2026, 3, 2, 6, 29, 30, tzinfo=UTC)
    )  # 14:29:30: the code is fresh, the meeting over
    r = login(cast["member"]).get(path)
    assert r.status_code == 400 and "签到已结束" in r.content.decode()
    page = login(cast["admin_a"]).get(f"/engagement/checkin/{a.pk}/").content.decode()
    assert 'id="checkin-closed"' in page and "data-scan-url" not in page


def test_the_scan_survives_the_login_with_its_totp_step(cast, client, meeting, clock):
    checkin.open_checkin(meeting, actor=cast["admin_a"])
    u = cast["member"]
    key = "3132333435363738393031323334353637383930"
    account_services.confirm_totp(u, key, totp_code(key), actor=u)
    clock.shift(30)
    path = scan_path(meeting, AT.timestamp() + 30)
    clock.shift(10)  # scanned at 14:30:40, signed out
    r = client.get(path)
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next=")
    login_page = client.get(r["Location"]).content.decode()
    assert f'name="next" value="{path}"' in login_page
    clock.shift(60)
    r = client.post("/accounts/login/", {"username": u.username, "password": TEST_PASSWORD, "next": path})
    assert r["Location"] == "/accounts/login/otp/"
    clock.shift(120)  # the code on the screen is long gone by the time the TOTP code is typed
    r = client.post("/accounts/login/otp/", {"token": totp_code(key)})
    assert r.status_code == 302 and r["Location"] == path
    done = client.get(path)
    assert done.status_code == 200 and "签到成功" in done.content.decode()
    att = Attendance.objects.get(activity=meeting, member=cast["members_a"][0])
    assert att.checked_in_at == datetime(2026, 3, 2, 6, 30, 40, tzinfo=UTC)  # the time of the scan


def test_a_scan_remembered_too_long_ago_is_judged_now(cast, client, meeting, clock):
    checkin.open_checkin(meeting, actor=cast["admin_a"])
    path = scan_path(meeting)
    client.get(path)
    clock.shift(11 * 60)  # the login took longer than its grace
    client.post("/accounts/login/", {"username": cast["member"].username, "password": TEST_PASSWORD})
    r = client.get(path)
    assert r.status_code == 400 and "二维码已过期" in r.content.decode()
