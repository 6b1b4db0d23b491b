"""The rectification measure (core.measures): of the subtree's 整改 due by the period's end, the share closed."""

from __future__ import annotations

from datetime import date

from dangjian.core.measures import MeasureValue, share
from dangjian.orgs.models import Organization

from .models import Rectification, RectificationStatus


def rectification_measure(org: Organization, period_end: date, as_of: date) -> MeasureValue:
    qs = Rectification.objects.filter(
        organization__path__startswith=org.path, deadline__lte=period_end
    ).exclude(status=RectificationStatus.CANCELLED)
    total = qs.count()
    closed = qs.filter(status=RectificationStatus.CLOSED).count()
    return share(closed, total, period_end, as_of, "到期整改已销号")
