"""The 党费 measure (core.measures): the share of the months owed in the organisation's subtree that were paid —
a 责任清单 item "按时收缴党费" can take its status from it."""

from __future__ import annotations

from datetime import date

from dangjian.core.measures import MeasureValue, share
from dangjian.orgs.models import Organization

from . import ledger


def collection_measure(org: Organization, period_end: date, as_of: date) -> MeasureValue:
    year = period_end.year
    months = ledger.ended_months(year, min(as_of, period_end))
    sheet = ledger.build(
        months, min(as_of, period_end), orgs=Organization.objects.filter(path__startswith=org.path)
    )
    t = sheet.totals()
    return share(t.months_paid, t.months_due, period_end, as_of, f"{year}年党费按月交纳（人·月）")
