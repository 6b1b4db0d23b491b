"""Cadence of a responsibility item (责任清单条目): its occurrences, their due dates and states. Pure.

Due dates: monthly → the last day of each month; quarterly → the last day of the quarter; yearly → 31 December;
once → the item's own deadline.

Grace: none by default (`GRACE_DAYS = 0`). The 月提醒 is computed as of the first day of a month (design §4
`remind`), so an item due at the end of the previous month must already show as overdue on that day; a grace
period would hide it from the reminder for a whole month. A report filed after the due date is still accepted and
counted as 逾期完成 (late), so nothing is lost by reporting late. Callers may pass `grace_days` where a locality
wants a few days' leeway; every function here honours it the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from dangjian.core.periods import Period, PeriodKind

GRACE_DAYS = 0
ONCE_KEY = "once"


class Cadence(StrEnum):
    ONCE = "once"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


CADENCE_LABELS = {
    Cadence.ONCE: "一次性（按完成时限）",
    Cadence.MONTHLY: "每月",
    Cadence.QUARTERLY: "每季度",
    Cadence.YEARLY: "每年",
}
_PERIOD_KIND = {
    Cadence.MONTHLY: PeriodKind.MONTH,
    Cadence.QUARTERLY: PeriodKind.QUARTER,
    Cadence.YEARLY: PeriodKind.YEAR,
}


@dataclass(frozen=True, order=True)
class Occurrence:
    """One time an item falls due. `key` names it in reports: 2026-03, 2026Q1, 2026 or `once`."""

    due_on: date
    key: str
    starts_on: date
    label: str


def time_limit_text(cadence: Cadence | str, deadline: date | None) -> str:
    """完成时限 as the printed list says it."""
    cadence = Cadence(cadence)
    if cadence is Cadence.ONCE:
        return f"{deadline.year}年{deadline.month}月{deadline.day}日前" if deadline else "—"
    return {Cadence.MONTHLY: "每月底前", Cadence.QUARTERLY: "每季度末前", Cadence.YEARLY: "每年底前"}[cadence]


def _periodic(period: Period) -> Occurrence:
    return Occurrence(due_on=period.end, key=str(period), starts_on=period.start, label=period.label)


def occurrences(
    cadence: Cadence | str,
    start: date,
    end: date,
    *,
    deadline: date | None = None,
    active_from: date | None = None,
) -> list[Occurrence]:
    """The occurrences whose due date falls in [start, end], in date order.

    `active_from`: a periodic item added during the year is not due for periods that ended before it existed
    (a period still running on that day counts). A once-only item without a deadline never falls due.
    """
    cadence = Cadence(cadence)
    if start > end:
        return []
    if cadence is Cadence.ONCE:
        if deadline is None or not start <= deadline <= end:
            return []
        if active_from is not None and deadline < active_from:
            return []
        begins = min(active_from, deadline) if active_from else deadline
        return [
            Occurrence(deadline, ONCE_KEY, begins, f"{deadline.year}年{deadline.month}月{deadline.day}日前")
        ]
    kind = _PERIOD_KIND[cadence]
    result = []
    period = Period.containing(start, kind)
    while period.start <= end:
        if start <= period.end <= end and (active_from is None or period.end >= active_from):
            result.append(_periodic(period))
        period = period.next()
    return result


def occurrence_by_key(cadence: Cadence | str, key: str, *, deadline: date | None = None) -> Occurrence:
    """The occurrence named `key`; ValueError (Chinese) when the key does not fit the cadence."""
    cadence = Cadence(cadence)
    if cadence is Cadence.ONCE:
        if key != ONCE_KEY or deadline is None:
            raise ValueError("一次性事项只有一个完成节点")
        return occurrences(cadence, deadline, deadline, deadline=deadline)[0]
    try:
        period = Period.parse(key)
    except ValueError:
        raise ValueError(f"“{key}”不是有效的期间")
    if period.kind != _PERIOD_KIND[cadence]:
        raise ValueError(f"“{key}”与该事项的周期（{CADENCE_LABELS[cadence]}）不符")
    return _periodic(period)


def year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def is_overdue(due_on: date, as_of: date, grace_days: int = GRACE_DAYS) -> bool:
    return as_of > due_on + timedelta(days=grace_days)


class OccurrenceState(StrEnum):
    UPCOMING = "未开始"
    OPEN = "待完成"
    DONE = "已完成"
    LATE_DONE = "逾期完成"
    OVERDUE = "逾期未完成"
    NA = "不适用"  # an item bound to a measure that does not apply to the organisation in that period


STATE_TAGS = {
    OccurrenceState.UPCOMING: "",
    OccurrenceState.OPEN: "tag-warn",
    OccurrenceState.DONE: "tag-ok",
    OccurrenceState.LATE_DONE: "tag-info",
    OccurrenceState.OVERDUE: "tag-bad",
    OccurrenceState.NA: "",
}


def occurrence_state(
    occurrence: Occurrence, reported_on: date | None, as_of: date, grace_days: int = GRACE_DAYS
) -> OccurrenceState:
    """A report filed after `as_of` does not exist yet as of that day (states are reproducible for past days)."""
    if reported_on is not None and reported_on <= as_of:
        late = is_overdue(occurrence.due_on, reported_on, grace_days)
        return OccurrenceState.LATE_DONE if late else OccurrenceState.DONE
    if is_overdue(occurrence.due_on, as_of, grace_days):
        return OccurrenceState.OVERDUE
    if as_of < occurrence.starts_on:
        return OccurrenceState.UPCOMING
    return OccurrenceState.OPEN


@dataclass
class Tally:
    """Completion counts. `due` = occurrences past their due date plus those already completed early (so a
    rate never exceeds 100 %); `done` = completed (on time or late); `on_time` = completed by the due date."""

    due: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    open: int = 0

    def add(self, state: OccurrenceState) -> None:
        if state in (OccurrenceState.DONE, OccurrenceState.LATE_DONE):
            self.due += 1
            self.done += 1
            self.on_time += state is OccurrenceState.DONE
        elif state is OccurrenceState.OVERDUE:
            self.due += 1
            self.overdue += 1
        elif state is OccurrenceState.OPEN:
            self.open += 1

    @property
    def rate(self) -> float | None:
        return self.done / self.due if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def tally(states: Iterable[OccurrenceState]) -> Tally:
    t = Tally()
    for s in states:
        t.add(s)
    return t
