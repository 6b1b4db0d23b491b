"""The as-of convention (design §3): every figure about a period is taken on one day, the period's last day,
from the facts dated on or before it. Each domain app answers "as of" questions about its own facts
(orgs.asof, members.asof); this module only fixes the day, so that the report, the dashboard, the 年终总评
and the 月提醒 agree on it. Knows no domain app."""

from __future__ import annotations

from datetime import date

from .periods import Period

AsOf = date  # a day: facts dated on or before it count, facts dated after it do not


def period_as_of(period: Period) -> AsOf:
    """A period's figures are taken at its last day."""
    return period.end


def year_as_of(year: int) -> AsOf:
    """The yearly report's day (党内统计 counts at 12月31日)."""
    return period_as_of(Period.whole_year(year))


def as_of_for(period: Period | None = None, *, on: date | None = None, today: date | None = None) -> AsOf:
    """An explicit day wins; else the period's last day; else today. A period that has not ended yet is taken
    as of today, since facts after today are not known (and figures must not claim a future day)."""
    if on is not None:
        return on
    if period is not None:
        end = period_as_of(period)
        return min(end, today) if today is not None else end
    if today is None:
        raise ValueError("as_of_for needs a period, a day or today")
    return today


def existed_on(as_of: AsOf, began: date | None, ended: date | None) -> bool:
    """A dated span seen on `as_of`: begun on or before it (unknown start = always), not ended on or before it
    (the end day itself no longer counts: dissolved, transferred out or replaced that day)."""
    return (began is None or began <= as_of) and (ended is None or ended > as_of)
