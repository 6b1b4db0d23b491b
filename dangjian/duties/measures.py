"""The notice measure (core.measures): of the notices delivered to the subtree in the period's year and issued by
its end, the share of deliveries acknowledged (签收) by the end of the period."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from dangjian.core.measures import MeasureValue, share
from dangjian.orgs.models import Organization

from .models import NoticeTarget
from .tracking import day_ends_at


def notice_ack_measure(org: Organization, period_end: date, as_of: date) -> MeasureValue:
    day = min(period_end, as_of)
    ends = day_ends_at(day, timezone.get_current_timezone())
    qs = NoticeTarget.objects.filter(
        organization__path__startswith=org.path,
        notice__year=period_end.year,
        notice__issued_at__lt=ends,
    )
    total = qs.count()
    acked = qs.filter(acknowledged_at__lt=ends).count()
    return share(acked, total, period_end, as_of, "通知已签收")
