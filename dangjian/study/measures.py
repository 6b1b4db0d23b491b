"""The study measure (core.measures): the share of the subtree's members who have met the year's hours."""

from __future__ import annotations

from datetime import date

from dangjian.core.measures import MeasureValue, share
from dangjian.orgs.models import Organization


def study_measure(org: Organization, period_end: date, as_of: date) -> MeasureValue:
    from .services import hours_and_requirements, org_subtree_members

    rows = list(hours_and_requirements(period_end.year, org_subtree_members(org)))
    met = sum(1 for hours, required in rows if hours >= required)
    # the year's hours are due at its end: until then a shortfall is still in progress
    return share(met, len(rows), date(period_end.year, 12, 31), as_of, f"{period_end.year}年学时达标党员")
