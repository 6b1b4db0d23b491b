"""What every orgs write shares: labels and today's date. Refusals and versioned saves are core.actions'."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from ..models import PostTitle, RenewalStepKind

POST_LABELS = dict(PostTitle.choices)
STEP_LABELS = dict(RenewalStepKind.choices)


def today_or_now(today: date | None) -> date:
    return today or timezone.localdate()
