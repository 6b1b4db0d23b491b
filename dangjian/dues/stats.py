"""The year's 党费 figures as the pages, the 党费收缴统计表 and `dues_stats` show them (one computation: ledger.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from dangjian.orgs.models import Organization

from . import ledger, rules
from .ledger import MemberYear, Totals


@dataclass
class OrgRow:
    org: Organization
    totals: Totals
    remitted: Decimal = ledger.ZERO


@dataclass
class YearStats:
    year: int
    as_of: date
    months: list[date]
    orgs: list[OrgRow]
    members: list[MemberYear]
    total: Totals
    by_month: dict[date, Totals]
    remitted_by_month: dict[date, Decimal] = field(default_factory=dict)

    @property
    def remitted(self) -> Decimal:
        return sum((r.remitted for r in self.orgs), ledger.ZERO)

    @property
    def missing_base(self) -> list[MemberYear]:
        """Members whose due cannot be computed (no base in force): listed for the branch to 核定."""
        return [m for m in self.members if m.monthly_due.amount is None]

    @property
    def not_yet_assessed(self) -> list[MemberYear]:
        """Members paying by a base who have none for this year yet (a previous year's carries on)."""
        return [
            m
            for m in self.members
            if m.facts.category in rules.BASE_CATEGORIES
            and not m.has_base_this_year
            and m.monthly_due.amount is not None
        ]


def year_stats(
    year: int,
    today: date,
    *,
    orgs: QuerySet[Organization] | None = None,
    member_ids: Sequence[int] | None = None,
) -> YearStats:
    sheet, lines = ledger.year_sheet(year, today, orgs=orgs, member_ids=member_ids)
    by_org = sheet.totals_by_org()
    org_objs = {o.pk: o for o in Organization.objects.filter(pk__in=list(by_org))}
    remit = ledger.remitted(by_org, sheet.months)
    rows = [
        OrgRow(org_objs[oid], t, sum(remit.get(oid, {}).values(), ledger.ZERO)) for oid, t in by_org.items()
    ]
    rows.sort(key=lambda r: r.org.path)
    paths = {oid: o.path for oid, o in org_objs.items()}
    missing = [m.org_id for m in lines if m.org_id not in paths]
    if missing:
        paths.update(Organization.objects.filter(pk__in=missing).values_list("pk", "path"))
    lines.sort(key=lambda m: (paths.get(m.org_id, ""), m.facts.name, m.facts.id))
    by_month_remit: dict[date, Decimal] = {m: ledger.ZERO for m in sheet.months}
    for months in remit.values():
        for m, amount in months.items():
            by_month_remit[m] = by_month_remit.get(m, ledger.ZERO) + amount
    return YearStats(
        year,
        sheet.as_of,
        sheet.months,
        rows,
        lines,
        sheet.totals(),
        sheet.totals_by_month(),
        by_month_remit,
    )


def yuan(amount: Decimal | None) -> float | None:
    """JSON carries amounts as numbers in yuan, rounded half up to the fen (design §4–§5)."""
    return None if amount is None else float(rules.round_fen(amount))


def as_json(stats: YearStats) -> dict[str, Any]:
    """Exactly design §4 `dues_stats`."""
    return {
        "year": stats.year,
        "orgs": [
            {
                "org": r.org.code,
                "due": yuan(r.totals.due),
                "paid": yuan(r.totals.paid),
                "arrears": yuan(r.totals.arrears),
            }
            for r in stats.orgs
        ],
        "members": [
            {
                "id_number": m.facts.id_number,
                "category": m.facts.category,
                "monthly_due": yuan(m.monthly_due.amount),
                "months_due": m.totals.months_due,
                "months_paid": m.totals.months_paid,
                "arrears_months": m.totals.arrears_months,
            }
            for m in stats.members
        ],
    }
