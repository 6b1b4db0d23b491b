"""The rectification measure (core.measures): of the subtree's 整改 due by the period's end, the share closed (销号)
by then — a 销号 after a period has closed does not rewrite it."""

from __future__ import annotations

from datetime import date

from dangjian.core.measures import MeasureValue, read_until, share
from dangjian.orgs.models import Organization

from .models import Rectification, RectificationStatus


def rectification_measure(org: Organization, period_end: date, as_of: date) -> MeasureValue:
    ends = read_until(period_end, as_of)
    qs = Rectification.objects.filter(
        organization__path__startswith=org.path, deadline__lte=period_end, created_at__lt=ends
    ).exclude(status=RectificationStatus.CANCELLED)
    total = qs.count()
    closed = qs.filter(status=RectificationStatus.CLOSED, closed_at__lt=ends).count()
    return share(closed, total, period_end, as_of, "到期整改已销号")
