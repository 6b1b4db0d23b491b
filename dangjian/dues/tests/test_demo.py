"""The demo's 党费 (seed_demo): non-empty ledgers, a few members in arrears, and `dues_stats` equal to a count made
here by hand — a separate, plain reading of the rows (the roll from the member's own dates and moves, the bands
written out), not the ledger's code."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from dangjian.dues.models import ArrearsCase, DuesBase, DuesPayment, DuesRemittance
from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs.models import Organization

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
pytestmark = pytest.mark.django_db


def _due(category: str, base: DuesBase | None) -> Decimal | None:
    if base is not None and base.relief:
        return base.relief_amount or Decimal("0.00")
    if category in ("学生", "下岗失业", "其他", "农牧渔民"):
        return Decimal("0.20")
    if base is None or base.income is None:
        return None
    x = base.income
    if category == "在职":
        rate = "0.005" if x <= 3000 else "0.01" if x <= 5000 else "0.015" if x <= 10000 else "0.02"
    else:
        rate = "0.005" if x <= 5000 else "0.01"
    return (x * Decimal(rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def hand_count(year: int, months: list[date]) -> tuple[dict, dict]:
    bases = defaultdict(list)
    for b in DuesBase.objects.order_by("year", "effective_month"):
        bases[b.member_id].append(b)
    paid = defaultdict(Decimal)
    regular = defaultdict(Decimal)
    for p in DuesPayment.objects.filter(is_voided=False, month__year=year):
        paid[(p.member_id, p.month)] += p.amount
        if p.kind != "自愿多交":
            regular[(p.member_id, p.month)] += p.amount
    moves = defaultdict(list)
    for e in MembershipEvent.objects.filter(kind="组织内转接").order_by("date", "id"):
        moves[e.member_id].append(e)
    codes = dict(Organization.objects.values_list("pk", "code"))
    orgs: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    members = {}
    for m in Member.objects.all():
        months_due = months_paid = 0
        for month in months:
            end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            arrived = m.arrived_on or m.join_date
            if arrived > end or (m.status != "正常" and m.left_on <= end):
                continue
            if month < m.join_date.replace(day=1):
                continue
            later = [e for e in moves[m.pk] if e.date > end]
            org = codes[later[0].from_org_id if later else m.organization_id]
            base = None
            for b in bases[m.pk]:
                if (b.year, b.effective_month) <= (month.year, month.month):
                    base = b
            due = _due(m.category, base)
            got, reg = paid[(m.pk, month)], regular[(m.pk, month)]
            settled = reg >= due if due is not None else reg > 0
            months_due += 1
            months_paid += settled
            orgs[org][0] += due or 0
            orgs[org][1] += got
            orgs[org][2] += max(Decimal(0), (due or 0) - reg)
        if months_due:
            members[m.id_number] = (months_due, months_paid)
    return orgs, members


def test_the_demo_ledgers_are_not_empty_and_add_up_by_hand():
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", "--seed", "7", stdout=io.StringIO())
        out = io.StringIO()
        call_command("dues_stats", "--year", "2026", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert DuesPayment.objects.count() > 5000 and DuesRemittance.objects.count() > 100
    assert DuesBase.objects.filter(relief=True).exists()
    assert (
        DuesPayment.objects.filter(kind="预交").exists()
        and DuesPayment.objects.filter(method__name="代交").exists()
    )
    assert ArrearsCase.objects.filter(is_closed=False).count() == 1
    behind = [m for m in data["members"] if m["arrears_months"] >= 3]
    assert 5 <= len(behind) <= 15 and any(m["arrears_months"] >= 6 for m in behind)

    orgs, members = hand_count(2026, [date(2026, m, 1) for m in range(1, 11)])
    got = {o["org"]: [Decimal(str(o[k])) for k in ("due", "paid", "arrears")] for o in data["orgs"]}
    assert got == {code: [v.quantize(Decimal("0.01")) for v in vals] for code, vals in orgs.items()}
    listed = {m["id_number"]: (m["months_due"], m["months_paid"]) for m in data["members"] if m["months_due"]}
    assert listed == members
