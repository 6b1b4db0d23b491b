"""Tracking a notice delivered to an organisation (签收 / 反馈). Pure: the status is a function of the dates.

未签收 → 已签收 → 已反馈; 逾期 when the feedback deadline has passed without feedback (acknowledged or not).
Events dated after `as_of` have not happened yet as of that day, so a status can be recomputed for any past day.
A notice that asks for no feedback is finished once acknowledged, and 逾期 when not acknowledged by its deadline.
Acknowledgement is due within `ack_days` of issue (never later than the feedback deadline).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

DEFAULT_ACK_DAYS = 3


class TargetStatus(StrEnum):
    UNACKED = "未签收"
    ACKED = "已签收"
    FED_BACK = "已反馈"
    OVERDUE = "逾期"


STATUS_TAGS = {
    TargetStatus.UNACKED: "tag-warn",
    TargetStatus.ACKED: "tag-info",
    TargetStatus.FED_BACK: "tag-ok",
    TargetStatus.OVERDUE: "tag-bad",
}


def _happened(day: date | None, as_of: date) -> bool:
    return day is not None and day <= as_of


def target_status(
    *,
    deadline: date,
    acknowledged_on: date | None,
    fed_back_on: date | None,
    as_of: date,
    requires_feedback: bool = True,
) -> TargetStatus:
    if requires_feedback:
        if _happened(fed_back_on, as_of):
            return TargetStatus.FED_BACK
        if as_of > deadline:
            return TargetStatus.OVERDUE
        return TargetStatus.ACKED if _happened(acknowledged_on, as_of) else TargetStatus.UNACKED
    if _happened(acknowledged_on, as_of):
        return TargetStatus.ACKED
    return TargetStatus.OVERDUE if as_of > deadline else TargetStatus.UNACKED


def day_ends_at(day: date, tz: tzinfo) -> datetime:
    """The instant the local day ends: a timestamp happened "on or before `day`" when it is earlier than this."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def ack_due_on(issued_on: date, deadline: date, ack_days: int = DEFAULT_ACK_DAYS) -> date:
    return min(issued_on + timedelta(days=ack_days), deadline)


def acknowledged_on_time(
    issued_on: date, deadline: date, acknowledged_on: date | None, ack_days: int = DEFAULT_ACK_DAYS
) -> bool:
    return acknowledged_on is not None and acknowledged_on <= ack_due_on(issued_on, deadline, ack_days)


def fed_back_on_time(deadline: date, fed_back_on: date | None) -> bool:
    return fed_back_on is not None and fed_back_on <= deadline
