"""Term status (换届提醒). Pure: a term's expiry and today → status (支部条例: 一般提前6个月提醒)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from dangjian.core.periods import add_months

REMIND_MONTHS_AHEAD = 6


class TermStatus(StrEnum):
    NORMAL = "正常"
    EXPIRING = "即将届满"
    OVERDUE = "已届满未换届"
    MISSING = "未录入任期"
    NOT_ELECTED = "不适用"  # 党组: appointed, not elected


def term_status(
    expires_on: date | None, today: date, *, elected: bool = True, months_ahead: int = REMIND_MONTHS_AHEAD
) -> TermStatus:
    if not elected:
        return TermStatus.NOT_ELECTED
    if expires_on is None:
        return TermStatus.MISSING
    if expires_on < today:
        return TermStatus.OVERDUE
    if expires_on <= add_months(today, months_ahead):
        return TermStatus.EXPIRING
    return TermStatus.NORMAL
