"""Home-page panels: this month's notice and anything unacknowledged (with one-click 签收) for branch admins;
the signed-in person's own due or overdue responsibility items for everyone."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from dangjian.accounts import policy, scope
from dangjian.accounts.policy import Perm

from .cadence import OccurrenceState
from .models import NoticeKind, NoticeStatus, NoticeTarget
from .tracking import STATUS_TAGS

PANEL_ROWS = 8


def notices_panel(request: Any) -> dict[str, Any] | None:
    today = timezone.localdate()
    targets = (
        scope.filter_by_org(NoticeTarget.objects.all(), request.user, write=True)
        .filter(notice__status=NoticeStatus.ISSUED)
        .filter(
            Q(notice__kind=NoticeKind.MONTHLY, notice__year=today.year, notice__month=today.month)
            | Q(acknowledged_at__isnull=True)
        )
        .select_related("notice", "organization")
        .order_by(F("acknowledged_at").asc(nulls_first=True), "-notice__issued_at", "organization__path")[
            :PANEL_ROWS
        ]
    )
    return {"rows": [(t, t.status_on(today)) for t in targets], "tags": STATUS_TAGS}


def mine_panel(request: Any) -> dict[str, Any] | None:
    from .services import duties_of_user, progress_for

    if policy.can(request.user, Perm.VIEW_OWN_MEMBER) and scope.member_record(request.user) is not None:
        return None  # a member's own home page (members.home) lists them among what awaits them

    today = timezone.localdate()
    rows = []
    for p in progress_for(list(duties_of_user(request.user).order_by("duty_list_id", "seq")), today):
        for occ, _r, state in p.rows:
            if state in (OccurrenceState.OPEN, OccurrenceState.OVERDUE) and occ.starts_on <= today:
                rows.append((p, occ, state.value))
    if not rows:
        return None
    rows.sort(key=lambda r: r[1].due_on)
    return {"rows": rows[:PANEL_ROWS], "more": max(len(rows) - PANEL_ROWS, 0)}
