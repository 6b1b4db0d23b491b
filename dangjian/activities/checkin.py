"""QR 签到 on an activity record (issue 19 part 1): part of the activities write layer, beside services.py.

- `checkin_refusal(activity, at)`: why the record cannot take check-ins at that moment ("" when it can) — the
  window (rules.checkin_window: from an hour before the start to the end, or the record's day) and its state.
- `open_checkin(activity, actor=…)`: the secretary starts QR 签到; whoever has not scanned becomes 未签到
  (absent, no reason yet). Audited as `activity.checkin_open`.
- `check_in(activity, member, actor=…, at=…)`: the member is marked 出席 with the time of the scan; the counts
  and the quorum follow. Audited as `activity.check_in`. Idempotent: a second scan changes nothing.

The secretary still corrects attendance by hand with the record's form (services.update_activity): a 未签到
member needs a reason there, and a record with 未签到 members is not submitted for review (services.submit).
The signed QR token itself belongs to the app above (dangjian.engagement), which calls these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit
from dangjian.core.actions import Refusal
from dangjian.members.models import Member

from . import rules
from .models import Activity, ActivityStatus, Attendance
from .roster import roster_for


class CheckInRefused(Refusal):
    """A check-in (or starting one) refused; `code`: state, window, not_open, not_on_roll, forbidden."""

    default_code = "checkin"


NOT_ON_ROLL = (
    "您不在本次活动的应到名单中，不能签到。本系统尚未开通流入党员登记，"
    "如您是以流入党员身份参加本次活动，请会后请支部书记在活动记录中注明。"
)
NOT_OPEN = "支部书记尚未开始本次活动的扫码签到，请稍候再扫码。"


def _local(at: datetime) -> datetime:
    return timezone.localtime(at).replace(tzinfo=None)


def approved_at_entry(activity: Activity) -> bool:
    """An approved record entered by someone who reviews it (approved at entry, issue 13): still theirs."""
    return (
        activity.status == ActivityStatus.APPROVED
        and activity.reviewed_by_id is not None
        and activity.reviewed_by_id == activity.created_by_id
    )


def state_refusal(activity: Activity) -> str:
    """Why the record's state does not allow check-ins ("" when it does)."""
    if activity.is_deleted:
        return "该活动记录已作废，不能签到。"
    if activity.status == ActivityStatus.SUBMITTED:
        return "该活动记录已提交上级审核，签到已结束；如需更正出勤，请撤回后修改。"
    if activity.status == ActivityStatus.APPROVED and not approved_at_entry(activity):
        return "该活动记录已审核通过，签到已结束。"
    return ""


def window_refusal(activity: Activity, at: datetime) -> str:
    """Why `at` lies outside the record's check-in window ("" when inside)."""
    opens, closes = rules.checkin_window(activity.date, activity.start_time, activity.end_time)
    local = _local(at)
    window = rules.window_text(activity.date, activity.start_time, activity.end_time)
    if local < opens:
        return f"签到尚未开始：本次活动的签到时间为 {window}。"
    if local > closes:
        return f"签到已结束：本次活动的签到时间为 {window}，逾期不能扫码签到，请联系支部书记补登。"
    return ""


def checkin_refusal(activity: Activity, at: datetime | None = None) -> str:
    return state_refusal(activity) or window_refusal(activity, at or timezone.now())


def _recount(activity: Activity) -> None:
    """The counts and the quorum from the attendance rows (a record with a full list, as the form keeps it)."""
    rows = list(activity.attendance.select_related("member").only("present", "member__full_date"))
    day = activity.date
    voters = [r for r in rows if rules.has_vote(r.member.full_date, day)]
    activity.expected = len(rows)
    activity.present = sum(1 for r in rows if r.present)
    activity.voting_expected = len(voters)
    activity.voting_present = sum(1 for r in voters if r.present)
    needs_quorum = activity.kinds.filter(needs_quorum=True).exists()
    activity.quorum_met = (
        rules.quorum_met(activity.voting_present, activity.voting_expected) if needs_quorum else None
    )


COUNT_FIELDS = ("expected", "present", "voting_expected", "voting_present", "quorum_met")


def open_checkin(
    activity: Activity, *, actor: Actor, actor_name: str = "", at: datetime | None = None
) -> Activity:
    """Start QR 签到 (once): everyone on the list who has not scanned becomes 未签到. The caller checked that the
    actor may edit the record (views: write scope); refused outside the window or in a closed state."""
    at = at or timezone.now()
    with transaction.atomic():
        row = actions.lock(Activity, activity.pk)
        if message := checkin_refusal(row, at):
            raise CheckInRefused(message, code="window")
        if row.checkin_opened_at is not None:
            return row
        before = audit.snapshot(row)
        waiting = Attendance.objects.filter(activity=row, present=True, checked_in_at__isnull=True)
        n = waiting.update(present=False, absence_reason="", note="")
        _recount(row)
        row.checkin_opened_at = at
        actions.save_versioned(
            row,
            expected_version=None,
            actor=actor,
            actor_name=actor_name,
            event="activity.checkin_open",
            before=before,
            locked=True,
            fields=("checkin_opened_at", *COUNT_FIELDS),
            note=f"开始扫码签到：应到 {row.expected} 人，其中 {n} 人标为未签到，扫码后标为出席",
        )
    return row


@dataclass
class CheckInResult:
    activity: Activity
    attendance: Attendance
    already: bool  # the member had checked in before: nothing changed


def check_in(
    activity: Activity, member: Member, *, actor: Actor, actor_name: str = "", at: datetime | None = None
) -> CheckInResult:
    """Mark `member` 出席 at `at` (the time of the scan). A member on the roll of the record's day who is not on
    its list yet (transferred in since it was entered) is added to it; anyone else is refused."""
    at = at or timezone.now()
    with transaction.atomic():
        row = actions.lock(Activity, activity.pk)
        if message := checkin_refusal(row, at):
            raise CheckInRefused(message, code="window")
        if row.checkin_opened_at is None:
            raise CheckInRefused(NOT_OPEN, code="not_open")
        att = Attendance.objects.select_for_update().filter(activity=row, member=member).first()
        if att is None:
            roster = roster_for(
                row.organization,
                row.date,
                list(row.kinds.all()),
                party_group=row.party_group,
                talk_a=row.talk_a,
                talk_b=row.talk_b,
            )
            if member.pk not in roster.ids:
                raise CheckInRefused(NOT_ON_ROLL, code="not_on_roll")
            att = Attendance(activity=row, member=member, present=False)
        elif att.present and att.checked_in_at is not None:
            return CheckInResult(row, att, already=True)
        before = audit.snapshot(row)
        att.present, att.absence_reason, att.note, att.checked_in_at = True, "", "", at
        att.save()
        _recount(row)
        actions.save_versioned(
            row,
            expected_version=None,
            actor=actor,
            actor_name=actor_name,
            event="activity.check_in",
            before=before,
            locked=True,
            fields=COUNT_FIELDS,
            extra={"checked_in": [None, f"{member.name} {_local(at):%H:%M:%S}"]},
            note=f"{member.name}扫码签到，标为出席",
        )
    return CheckInResult(row, att, already=False)


def not_checked_in(activity: Activity) -> int:
    """How many on the list are 未签到 (QR 签到 started, not scanned, no reason recorded)."""
    if activity.checkin_opened_at is None:
        return 0
    return Attendance.objects.filter(activity=activity, present=False, absence_reason="").count()
