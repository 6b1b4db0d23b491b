"""The 换届 measure (core.measures): the share of the organisations in the subtree whose term is not overdue."""

from __future__ import annotations

from datetime import date

from dangjian.core.measures import MeasureValue, reading_day, share

from .asof import orgs_existing, term_statuses
from .models import Organization
from .terms import TermStatus


def term_measure(org: Organization, period_end: date, as_of: date) -> MeasureValue:
    day = reading_day(period_end, as_of)
    statuses = term_statuses(day, orgs_existing(day, org))
    counted = [s for s, _ in statuses.values() if s is not TermStatus.NOT_ELECTED]
    ok = sum(1 for s in counted if s in (TermStatus.NORMAL, TermStatus.EXPIRING))
    return share(ok, len(counted), period_end, as_of, "按期换届的党组织")
