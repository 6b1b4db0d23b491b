"""月提醒 items of 督查考核, merged by the monthly reminder (notify app): each organisation's overdue
rectifications and those due by the end of the reminder's month."""

from __future__ import annotations

from datetime import date
from typing import Any

from dangjian.core.periods import Period

from .flow import OPEN_STATES, STATE_LABELS, State
from .models import Rectification
from .services.rectifications import overdue_rectifications

__all__ = ["items_for_month", "overdue_rectifications"]


def items_for_month(month: Period, as_of: date, org_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """{org_id: [{"type": "rectification", "id", "title", "deadline", "status", "overdue"}]} in one query.

    Included: open rectifications (待整改, 整改中, 待验收) whose deadline has passed by `as_of` (overdue) or
    falls on or before the last day of `month` (soon due). Overdue first, then by deadline.
    """
    if not org_ids:
        return {}
    rows = (
        Rectification.objects.filter(
            organization_id__in=org_ids,
            status__in=[s.value for s in OPEN_STATES],
            deadline__lte=max(month.end, as_of),
        )
        .order_by("deadline", "id")
        .values_list("id", "organization_id", "title", "deadline", "status")
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for pk, org_id, title, deadline, status in rows:
        out.setdefault(org_id, []).append(
            {
                "type": "rectification",
                "id": pk,
                "title": title,
                "deadline": deadline.isoformat(),
                "status": STATE_LABELS[State(status)],
                "overdue": deadline < as_of,
            }
        )
    for items in out.values():
        items.sort(key=lambda i: (not i["overdue"], i["deadline"], i["id"]))
    return out
