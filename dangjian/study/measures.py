"""The study measure (core.measures): the share of the subtree's members (on the roll on the reading day) who have
met the year's hours with the hours recorded up to that day — a record of a later month does not rewrite a month
that has closed."""

from __future__ import annotations

from datetime import date

from dangjian.core.measures import MeasureValue, reading_day, share
from dangjian.orgs.models import Organization


def study_measure(org: Organization, period_end: date, as_of: date) -> MeasureValue:
    from dangjian.members.asof import members_on_roll

    from .services import hours_and_requirements

    day = reading_day(period_end, as_of)
    members = members_on_roll(day, Organization.objects.filter(path__startswith=org.path))
    rows = list(hours_and_requirements(period_end.year, members, until=day))
    met = sum(1 for hours, required in rows if hours >= required)
    # the year's hours are due at its end: until then a shortfall is still in progress
    return share(met, len(rows), date(period_end.year, 12, 31), as_of, f"{period_end.year}年学时达标党员")
