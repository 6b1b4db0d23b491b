"""Home-page panels: open rectifications in the user's scope; observation sheets waiting for this rater."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.accounts import scope

from .flow import OPEN_STATES, State
from .models import Observation, Rectification

OPEN = [s.value for s in OPEN_STATES]


def rectifications(request: Any) -> dict[str, Any] | None:
    today = timezone.localdate()
    stats = scope.filter_by_org(Rectification.objects.filter(status__in=OPEN), request.user).aggregate(
        open=Count("id"),
        overdue=Count("id", filter=Q(deadline__lt=today)),
        submitted=Count("id", filter=Q(status=State.SUBMITTED)),
    )
    if not stats["open"]:
        return None
    return stats


def scoring(request: Any) -> dict[str, Any] | None:
    pending = list(
        Observation.objects.filter(raters__user=request.user, is_final=False, is_cancelled=False).order_by(
            "-held_on"
        )[:5]
    )
    return {"observations": pending} if pending else None
