"""QR 签到 in the activities write layer (issue 19 part 1): the window, starting it, a check-in, the counts and the
quorum following, the audit events, refusals, and the secretary's correction by hand before submitting."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from dangjian.activities import checkin, rules, services
from dangjian.activities.checkin import CheckInRefused
from dangjian.activities.models import Attendance
from dangjian.activities.review import ReviewError
from dangjian.core.models import AuditEntry
from dangjian.factories import member

from .factories import activity

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)
AT = datetime(2026, 3, 2, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai


@pytest.fixture
def clock():
    with time_machine.travel(AT, tick=False) as traveller:
        yield traveller


def local(h: int, m: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, h, m)


# --- the window (pure) --------------------------------------------------------------------------------------
def test_window_from_an_hour_before_the_start_to_the_end():
    opens, closes = rules.checkin_window(DAY, time(14, 0), time(16, 0))
    assert (opens, closes) == (local(13), local(16))
    assert rules.in_checkin_window(DAY, time(14, 0), time(16, 0), local(13, 0))
    assert not rules.in_checkin_window(DAY, time(14, 0), time(16, 0), local(12, 59))
    assert not rules.in_checkin_window(DAY, time(14, 0), time(16, 0), local(16, 1))


def test_without_times_the_whole_day():
    assert rules.in_checkin_window(DAY, None, None, local(0, 0))
    assert rules.in_checkin_window(DAY, None, None, datetime(2026, 3, 2, 23, 59, 59))
    assert not rules.in_checkin_window(DAY, None, None, datetime(2026, 3, 3, 0, 0))
    assert rules.window_text(DAY, None, None) == "2026-03-02 当天"
    assert rules.window_text(DAY, time(9, 0), None) == "2026-03-02 08:00 至 23:59"
    assert rules.times_error(time(10, 0), time(9, 0)) == "结束时间须晚于开始时间"
    assert rules.times_error(time(9, 0), None) == ""


# --- the service --------------------------------------------------------------------------------------------
def meeting(cast, kinds=("theme_day",), **kw):
    return activity(cast["a"], list(kinds), day=DAY, **kw)


def test_times_are_validated_and_stored(cast, clock):
    with pytest.raises(services.ActivityInvalid) as exc:
        meeting(cast, start_time=time(15, 0), end_time=time(14, 0))
    assert exc.value.errors == {"end_time": ["结束时间须晚于开始时间"]}
    a = meeting(cast, start_time=time(14, 0), end_time=time(16, 0))
    assert (a.start_time, a.end_time) == (time(14, 0), time(16, 0))


def test_opening_marks_everyone_not_checked_in_and_is_audited(cast, clock):
    a = meeting(cast)
    assert a.present == 3
    checkin.open_checkin(a, actor=cast["admin_a"])
    a.refresh_from_db()
    assert a.checkin_opened_at == AT and a.present == 0 and a.expected == 3
    assert all(x.not_checked_in for x in Attendance.objects.filter(activity=a))
    entry = AuditEntry.objects.get(action="activity.checkin_open", object_id=str(a.pk))
    assert entry.actor_id == cast["admin_a"].pk and "3 人标为未签到" in entry.note
    checkin.open_checkin(a, actor=cast["admin_a"])  # once only: a second start changes nothing
    assert AuditEntry.objects.filter(action="activity.checkin_open").count() == 1


def test_a_check_in_marks_present_with_the_time_once(cast, clock):
    a = meeting(cast)
    checkin.open_checkin(a, actor=cast["admin_a"])
    m = cast["members_a"][1]
    clock.shift(90)
    r = checkin.check_in(a, m, actor=cast["member"])
    assert not r.already
    att = Attendance.objects.get(activity=a, member=m)
    assert att.present and att.checked_in_at == datetime(2026, 3, 2, 6, 31, 30, tzinfo=UTC)
    a.refresh_from_db()
    assert (a.expected, a.present) == (3, 1)
    entry = AuditEntry.objects.get(action="activity.check_in", object_id=str(a.pk))
    assert entry.changes["checked_in"] == [None, f"{m.name} 14:31:30"]
    assert entry.changes["present"] == [0, 1]
    version = a.version
    clock.shift(60)
    again = checkin.check_in(a, m, actor=cast["member"])
    assert again.already and again.attendance.checked_in_at == att.checked_in_at
    a.refresh_from_db()
    assert a.version == version and AuditEntry.objects.filter(action="activity.check_in").count() == 1


def test_the_quorum_follows_the_check_ins(cast, clock):
    a = meeting(cast, kinds=("branch_assembly",))
    checkin.open_checkin(a, actor=cast["admin_a"])
    a.refresh_from_db()
    assert a.quorum_met is False
    for m in cast["members_a"][:2]:
        checkin.check_in(a, m, actor=None)
    a.refresh_from_db()
    assert (a.voting_expected, a.voting_present, a.quorum_met) == (3, 2, True)


def test_refused_before_the_start_window_after_the_end_and_before_it_is_opened(cast, clock):
    a = meeting(cast, start_time=time(16, 0), end_time=time(17, 0))  # now 14:30: opens at 15:00
    with pytest.raises(CheckInRefused, match="签到尚未开始"):
        checkin.open_checkin(a, actor=cast["admin_a"])
    clock.move_to(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))  # 15:00
    with pytest.raises(CheckInRefused) as exc:
        checkin.check_in(a, cast["members_a"][0], actor=None)
    assert exc.value.code == "not_open"
    checkin.open_checkin(a, actor=cast["admin_a"])
    checkin.check_in(a, cast["members_a"][0], actor=None)
    clock.move_to(datetime(2026, 3, 2, 9, 0, 1, tzinfo=UTC))  # 17:00:01
    with pytest.raises(CheckInRefused, match="签到已结束") as exc:
        checkin.check_in(a, cast["members_a"][1], actor=None)
    assert exc.value.code == "window"


def test_a_member_not_on_the_roll_is_refused(cast, clock):
    a = meeting(cast)
    checkin.open_checkin(a, actor=cast["admin_a"])
    with pytest.raises(CheckInRefused) as exc:
        checkin.check_in(a, cast["members_b"][0], actor=None)
    assert exc.value.code == "not_on_roll" and "流入党员" in exc.value.message
    assert not Attendance.objects.filter(activity=a, member=cast["members_b"][0]).exists()


def test_a_member_who_joined_the_roll_after_the_record_was_entered_is_added(cast, clock):
    a = meeting(cast)
    checkin.open_checkin(a, actor=cast["admin_a"])
    newcomer = member(cast["a"], "新来党员")
    checkin.check_in(a, newcomer, actor=None)
    a.refresh_from_db()
    assert (a.expected, a.present) == (4, 1)


def test_closed_states_refuse(cast, clock):
    a = meeting(cast)
    checkin.open_checkin(a, actor=cast["admin_a"])
    services.void_activity(a, actor=cast["admin_a"], reason="重复登记")
    a.refresh_from_db()
    with pytest.raises(CheckInRefused, match="已作废"):
        checkin.check_in(a, cast["members_a"][0], actor=None)


def test_not_submitted_while_someone_is_not_checked_in_until_the_secretary_records_a_reason(cast, clock):
    a = meeting(cast)
    checkin.open_checkin(a, actor=cast["admin_a"])
    m0, m1, m2 = cast["members_a"]
    checkin.check_in(a, m0, actor=None)
    a.refresh_from_db()
    with pytest.raises(ReviewError, match="尚有 2 人未签到"):
        services.submit(a, actor=cast["admin_a"])
    # by hand (the record's form): m1 was there after all, m2 was away on duty
    services.update_activity(
        a,
        version=a.version,
        actor=cast["admin_a"],
        kinds=["theme_day"],
        date=DAY,
        topic=a.topic,
        host="张书记",
        absences={m2.pk: ("因公", "出差")},
    )
    a.refresh_from_db()
    assert (a.expected, a.present) == (3, 2)
    assert Attendance.objects.get(activity=a, member=m0).checked_in_at is not None  # the scan's time is kept
    services.submit(a, actor=cast["admin_a"])
    a.refresh_from_db()
    assert a.status == "submitted"
