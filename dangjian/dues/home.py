"""党费 in 本月待办 (core.nav.register_todo): members in arrears for the reminder threshold or longer in the
organisation's subtree, those past the 党章 第九条 threshold apart, and members still without a base this year.
A page may read the apps below; this writes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from dangjian.accounts.policy import Perm, can
from dangjian.core.nav import TodoLine
from dangjian.orgs.models import Organization

from .arrears import excused, in_arrears
from .models import DuesConfig


def _names(found, limit: int = 6) -> str:
    head = "、".join(f"{a.name}（{a.months}个月）" for a in found[:limit])
    return head + (f" 等{len(found)}人" if len(found) > limit else "")


def todo_lines(user: Any, org: Organization, today: date) -> list[TodoLine]:
    if not can(user, Perm.VIEW_DUES):
        return []
    config = DuesConfig.current()
    found = in_arrears(
        today.replace(day=1), Organization.objects.filter(path__startswith=org.path), config.remind_months
    )
    if not found:
        return []
    url = f"{reverse('dues:arrears')}?org={org.pk}"
    ok = excused(found)
    flagged = [a for a in found if a.months >= config.flag_months and a.member_id not in ok]
    lines = []
    if flagged:
        lines.append(
            TodoLine(
                f"连续欠交党费满{config.flag_months}个月 {len(flagged)} 人，请谈话并记录处置",
                _names(flagged),
                url,
                overdue=True,
            )
        )
    reminded = [a for a in found if a.months < config.flag_months or a.member_id in ok]
    if reminded:
        lines.append(
            TodoLine(
                f"欠交党费满{config.remind_months}个月 {len(reminded)} 人，请提醒按时交纳",
                _names(reminded),
                url,
            )
        )
    return lines


def mine_panel(request: Any) -> dict[str, Any] | None:
    """我的党费 on a member's home page: this month's due, this year's paid and unpaid months."""
    from django.utils import timezone

    from dangjian.accounts.scope import member_record, own_record_only

    from . import ledger

    if not own_record_only(request.user):
        return None
    me = member_record(request.user)
    if me is None:
        return None
    today = timezone.localdate()
    month = today.replace(day=1)
    sheet = ledger.build(ledger.year_months(today.year), today, member_ids=[me.pk])
    ended = [c for c in sheet.cells if ledger.month_end(c.month) < today]
    this = next((c for c in sheet.cells if c.month == month), None)
    facts = sheet.members.get(me.pk)
    due = ledger.due_of(facts, month, sheet.config) if facts is not None else None
    return {
        "year": today.year,
        "month": today.month,
        "due": due,
        "this": this,
        "paid_months": sum(1 for c in ended if c.settled),
        "unpaid_months": sum(1 for c in ended if not c.settled),
    }
