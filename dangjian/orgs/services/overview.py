"""The 换届 overview: every organisation in a queryset with its term status, expiry and renewal steps, in a
constant number of queries. The 月提醒 command and the dashboard reuse it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models
from django.db.models import Q

from ..models import RENEWAL_ORDER, Organization, RenewalStep, RenewalStepKind, Term
from ..terms import STATUS_TAG, TermStatus, step_after, term_status, urgency_key
from .base import STEP_LABELS


# --- the 换届 overview ----------------------------------------------------------------------------------------
@dataclass
class TermRow:
    org: Organization
    term: Term | None
    status: TermStatus
    expires_on: date | None  # as approved: a granted delay moves it (Term.effective_expiry)
    days_left: int | None
    steps: list[RenewalStep] = field(default_factory=list)
    next_step: str | None = None  # RenewalStepKind value
    wrapping_up: bool = False  # the steps belong to the previous term (elected, not yet 新一届)
    can_remind: bool = False  # the viewer may 提醒 / 发函 (a superior, the term due); set by the page

    @property
    def status_tag(self) -> str:
        return STATUS_TAG[self.status]

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def next_step_label(self) -> str:
        return STEP_LABELS.get(self.next_step or "", "")

    @property
    def step_kinds(self) -> list[str]:
        return [s.kind for s in self.steps]

    def reminder_item(self) -> dict[str, Any] | None:
        """The 月提醒 item of design §4, or None when there is nothing to remind."""
        if self.status not in (TermStatus.EXPIRING, TermStatus.OVERDUE, TermStatus.MISSING):
            return None
        return {
            "type": "term",
            "status": str(self.status),
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
        }


def current_expiries(orgs: models.QuerySet[Organization] | list[Organization]) -> dict[int, date]:
    """{organisation id: its current term's expiry as approved (Term.effective_expiry)} from bare rows, one
    query: for batch work over a whole city's organisations, where term instances are not needed."""
    rows = Term.objects.filter(is_current=True, committee__organization__in=orgs).values_list(
        "committee__organization_id", "expires_on", "extended_to"
    )
    return {org_id: extended_to or expires_on for org_id, expires_on, extended_to in rows}


def term_overview(orgs_qs: models.QuerySet[Organization], today: date) -> list[TermRow]:
    """Every organisation of `orgs_qs` still existing on `today`, with its term status, expiry and the
    renewal steps done, most urgent first. Three queries, whatever the number of organisations."""
    live = orgs_qs.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
    orgs = list(live.order_by("path"))
    ids = live.values("pk")
    terms = {
        t.committee.organization_id: t
        for t in Term.objects.filter(is_current=True, committee__organization__in=ids).select_related(
            "committee"
        )
    }
    steps_by_term: dict[int, list[RenewalStep]] = {}
    for s in (
        RenewalStep.objects.filter(term__committee__organization__in=ids)
        .filter(Q(term__is_current=True) | Q(term__successor__is_current=True))
        .order_by("term_id", "done_on", "id")
    ):
        steps_by_term.setdefault(s.term_id, []).append(s)
    rows = []
    for org in orgs:
        term = terms.get(org.pk)
        expiry = term.effective_expiry if term else None
        status = term_status(expiry, today, elected=org.has_elected_term)
        row = TermRow(
            org=org,
            term=term,
            status=status,
            expires_on=expiry if org.has_elected_term else None,
            days_left=(expiry - today).days if expiry and org.has_elected_term else None,
        )
        if term is not None and org.has_elected_term:
            previous_steps = steps_by_term.get(term.previous_id or 0, [])
            if previous_steps and RenewalStepKind.NEW_TERM not in {s.kind for s in previous_steps}:
                row.steps, row.wrapping_up = previous_steps, True
            else:
                row.steps = steps_by_term.get(term.pk, [])
            row.next_step = step_after(RENEWAL_ORDER, row.step_kinds)
        rows.append(row)
    rows.sort(key=lambda r: urgency_key(r.status, r.expires_on, r.org.code))
    return rows
