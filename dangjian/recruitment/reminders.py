"""What is due or overdue in the 发展党员 pipeline, per organisation: for 月提醒 (notify merges
`items_for_month`, design §4: `{"type": "candidate", "member": "姓名", "step": 17, "due_on": "…", "late": false}`)
and for the organisation's 本月待办 (`todo_lines`, registered in core.nav by the AppConfig).

The steps with a time the rules set (rules.due_steps): 谈话 within a month of the application (2), 考察 every half
year (6), 审批 within three months of the 支部大会 (17, 24), 转正 at the end of the 预备期 (22, 23). An item is due by
the end of the month, or late once its day has passed. Taken as of a day from the steps dated by then, so that a
month's reminder is the same whenever it is run. Four queries whatever the number of organisations.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from dangjian.core.nav import TodoLine
from dangjian.core.periods import Period, PeriodKind
from dangjian.orgs.models import Organization

from . import access, rules, services
from .models import Candidate, RecruitmentSettings, RecruitmentStep

__all__ = ["due_items", "items_for_month", "todo_lines"]


def due_items(
    org_ids: list[int] | QuerySet[Organization], as_of: date, until: date
) -> dict[int, list[tuple[Candidate, rules.Due]]]:
    """{org_id: [(candidate, due)]}: the timed steps due by `until` or already late on `as_of` (`org_ids` may be
    a query of organisation ids, read as a subquery)."""
    if isinstance(org_ids, list) and not org_ids:
        return {}
    candidates = (
        Candidate.objects.filter(organization_id__in=org_ids, applied_on__lte=as_of)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=as_of))
        .filter(Q(archived_on__isnull=True) | Q(archived_on__gt=as_of))
        .order_by("organization_id", "applied_on", "pk")
        .prefetch_related(Prefetch("steps", queryset=RecruitmentStep.objects.order_by("id")))
    )
    calendar = services.work_calendar()
    required = RecruitmentSettings.current().publicity_workdays
    out: dict[int, list[tuple[Candidate, rules.Due]]] = defaultdict(list)
    for c in candidates:
        history = [d for d in services.history(c, list(c.steps.all())) if d.on <= as_of]
        facts = rules.Facts(
            stage=rules.stage_of(history),
            birth_date=c.birth_date,
            history=history,
            today=as_of,
            calendar=calendar,
            publicity_required=required,
            archived=any(d.number == 25 for d in history),
        )
        for due in rules.due_steps(facts):
            if due.due_on is not None and (due.due_on <= until or due.late):
                out[c.organization_id].append((c, due))
    for items in out.values():
        items.sort(key=lambda i: (not i[1].late, i[1].due_on or date.max, i[0].pk))
    return out


def items_for_month(month: Period, as_of: date, org_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    return {
        org_id: [
            {
                "type": "candidate",
                "member": c.name,
                "step": due.number,
                "due_on": due.due_on.isoformat() if due.due_on else None,
                "late": due.late,
            }
            for c, due in items
        ]
        for org_id, items in due_items(org_ids, as_of, month.end).items()
    }


def todo_lines(user: Any, org: Organization, today: date) -> list[TodoLine]:
    """本月待办 (core.nav.register_todo): what the pipeline asks of the organisation's subtree this month, with a
    link to the candidate; nothing for a user who reads no candidate (a member)."""
    if not access.reads_candidates(user):
        return []
    month = Period.containing(today, PeriodKind.MONTH)
    ids = Organization.objects.filter(path__startswith=org.path).values("pk")  # a subquery, not a query
    lines = []
    for _org_id, items in sorted(due_items(ids, today, month.end).items()):
        for c, due in items:
            when = ""
            if due.due_on:
                when = f"{'已逾期，' if due.late else ''}应于 {due.due_on:%Y-%m-%d} 前完成 · "
            lines.append(
                TodoLine(
                    title=f"发展党员 {c.name}：{due.step.title}",
                    meta=when + f"{due.step.actor_label}办理" + (f"，{due.why}" if due.why else ""),
                    url=f"/recruitment/{c.pk}/",
                    overdue=due.late,
                )
            )
    return lines
