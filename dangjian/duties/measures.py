"""The notice measure (core.measures): of the notices delivered to the subtree in the period's year and issued by
its end, the share of deliveries acknowledged (签收) by the end of the period."""

from __future__ import annotations

from datetime import date

from dangjian.core.measures import MeasureValue, read_until, share
from dangjian.orgs.models import Organization

from .models import NoticeTarget


def notice_ack_measure(org: Organization, period_end: date, as_of: date) -> MeasureValue:
    ends = read_until(period_end, as_of)
    qs = NoticeTarget.objects.filter(
        organization__path__startswith=org.path,
        notice__year=period_end.year,
        notice__issued_at__lt=ends,
    )
    total = qs.count()
    acked = qs.filter(acknowledged_at__lt=ends).count()
    return share(acked, total, period_end, as_of, "通知已签收")
