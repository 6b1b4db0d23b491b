"""What is owed and paid, member × month, from the dated facts (read-only; design §3 as-of convention).

A month is owed to the organisation on whose roll the member stood on the month's reference day — its last day,
or `as_of` for the month in progress (members.asof.members_on_roll: 转入 / 转出 / 组织内转接 / 停止党籍 … dated).
So a 预备党员 accepted on the 15th owes that month (党费规定: from the 支部大会), a member who left on the 20th
owes that month to no one here, and a member moved inside the system owes each month to the branch they were in
at its end. The year's figures count the months that have ended by `as_of` (a period's figures are taken at its
last day); a late payment for a month of the year (补交) counts for that year.

The due of a month comes from the member's 人员类别 (the roster's, design §4) and the base in force that month: the
latest 党费基数 whose 年度-生效月份 is not after it (a base carries on until the next one is 核定). Queries: one
roll per month plus three (members, bases, payments), whatever the number of members.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import IntegerField, QuerySet, Value

from dangjian.members.asof import members_on_roll
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import rules
from .models import DuesBase, DuesConfig, DuesPayment, DuesRemittance

ZERO = rules.ZERO
CHUNK = 5000


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def year_months(year: int) -> list[date]:
    return [date(year, m, 1) for m in range(1, 13)]


def ended_months(year: int, as_of: date) -> list[date]:
    """The months of `year` whose last day is on or before `as_of`."""
    return [m for m in year_months(year) if month_end(m) <= as_of]


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


@dataclass
class MemberFacts:
    id: int
    name: str
    id_number: str
    category: str
    join_date: date
    organization_id: int
    bases: list[DuesBase] = field(default_factory=list)  # ordered by (year, effective_month)

    def base_on(self, month: date) -> DuesBase | None:
        key = (month.year, month.month)
        found = None
        for b in self.bases:
            if b.key <= key:
                found = b
            else:
                break
        return found

    def has_base_for(self, year: int) -> bool:
        return any(b.year == year for b in self.bases)


@dataclass
class Cell:
    """One member × one month owed."""

    member_id: int
    month: date
    org_id: int
    due: rules.Due
    paid: Decimal = ZERO  # everything paid for the month
    regular: Decimal = ZERO  # without 自愿多交

    @property
    def amount(self) -> Decimal | None:
        return self.due.amount

    @property
    def settled(self) -> bool:
        return rules.month_settled(self.due.amount, self.regular)

    @property
    def shortfall(self) -> Decimal:
        return rules.shortfall(self.due.amount, self.regular)


@dataclass
class Totals:
    due: Decimal = ZERO
    paid: Decimal = ZERO
    arrears: Decimal = ZERO
    months_due: int = 0
    months_paid: int = 0
    members: set[int] = field(default_factory=set)
    missing_base: int = 0  # months whose due is unknown (no base)

    def add(self, cell: Cell) -> None:
        self.due += cell.amount or ZERO
        self.paid += cell.paid
        self.arrears += cell.shortfall
        self.months_due += 1
        self.months_paid += cell.settled
        self.members.add(cell.member_id)
        self.missing_base += cell.amount is None

    @property
    def arrears_months(self) -> int:
        return self.months_due - self.months_paid

    @property
    def rate(self) -> int | None:
        """实交 / 应交 in per cent (None when nothing is due)."""
        if not self.due:
            return None
        return min(100, int(self.paid * 100 / self.due))


@dataclass
class Sheet:
    """Cells of a range of months, the members they concern, and the payments behind them."""

    months: list[date]
    as_of: date
    config: DuesConfig
    members: dict[int, MemberFacts]
    cells: list[Cell]
    payments: dict[
        tuple[int, date], list[dict]
    ]  # (member, month) -> payment rows (all, also months not owed)

    def by_member(self) -> dict[int, list[Cell]]:
        out: dict[int, list[Cell]] = defaultdict(list)
        for c in self.cells:
            out[c.member_id].append(c)
        return out

    def totals_by_org(self) -> dict[int, Totals]:
        out: dict[int, Totals] = defaultdict(Totals)
        for c in self.cells:
            out[c.org_id].add(c)
        return out

    def totals_by_month(self) -> dict[date, Totals]:
        out: dict[date, Totals] = {m: Totals() for m in self.months}
        for c in self.cells:
            out[c.month].add(c)
        return out

    def totals(self) -> Totals:
        t = Totals()
        for c in self.cells:
            t.add(c)
        return t

    def due_for(self, member_id: int, month: date) -> rules.Due:
        return due_of(self.members[member_id], month, self.config)


def due_of(facts: MemberFacts, month: date, config: DuesConfig) -> rules.Due:
    base = facts.base_on(month)
    return rules.monthly_due(
        facts.category,
        base.income if base is not None else None,
        base.relief_rule if base is not None else None,
        config.farmer_amount,
    )


def _start_month(facts: MemberFacts, config: DuesConfig) -> date:
    first = facts.bases[0] if facts.bases else None
    first_month = date(first.year, first.effective_month, 1) if first is not None else None
    return rules.first_due_month(facts.join_date, config.start_rule, first_month)


def build(
    months: Sequence[date],
    as_of: date,
    *,
    orgs: QuerySet[Organization] | None = None,
    member_ids: Sequence[int] | None = None,
    extra_roll_day: date | None = None,
) -> Sheet:
    """The sheet of `months` (first days) as of `as_of`: the cells owed to `orgs` (all when None), for the members
    of `member_ids` only when given. Months that have not begun by `as_of` are left out. `extra_roll_day` adds the
    members on the roll that day (with no cell), so that a list can name someone who joined this month."""
    config = DuesConfig.current()
    wanted = [m for m in months if m <= as_of]
    roll: dict[date, list[tuple[int, int]]] = {m: [] for m in wanted}
    # every month's roll in one statement (UNION ALL of the rolls at each month's end), not a query a month
    parts = []
    for i, m in enumerate(wanted):
        qs = members_on_roll(min(month_end(m), as_of), orgs)
        if member_ids is not None:
            qs = qs.filter(pk__in=list(member_ids))
        parts.append(
            qs.order_by()
            .annotate(roll_month=Value(i, output_field=IntegerField()))
            .values_list("roll_month", "id", "org_then")
        )
    if parts:
        for i, mid, org_id in parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]:
            roll[wanted[i]].append((mid, org_id))
    ids = {mid for rows in roll.values() for mid, _ in rows}
    if extra_roll_day is not None:
        qs = members_on_roll(extra_roll_day, orgs)
        if member_ids is not None:
            qs = qs.filter(pk__in=list(member_ids))
        ids |= set(qs.order_by().values_list("id", flat=True))
    facts = load_facts(sorted(ids))
    payments = load_payments(sorted(ids), months)
    cells: list[Cell] = []
    starts = {mid: _start_month(f, config) for mid, f in facts.items()}
    for m in wanted:
        for mid, org_id in roll[m]:
            if m < starts[mid]:
                continue
            cell = Cell(mid, m, org_id, due_of(facts[mid], m, config))
            for p in payments.get((mid, m), ()):
                cell.paid += p["amount"]
                if p["kind"] != rules.PaymentKind.VOLUNTARY:
                    cell.regular += p["amount"]
            cells.append(cell)
    return Sheet(list(months), as_of, config, facts, cells, payments)


def load_facts(ids: Sequence[int]) -> dict[int, MemberFacts]:
    facts: dict[int, MemberFacts] = {}
    for part in _chunks(ids):
        for row in Member.objects.filter(pk__in=part).values_list(
            "id", "name", "id_number", "category", "join_date", "organization_id"
        ):
            facts[row[0]] = MemberFacts(*row)
        for b in DuesBase.objects.filter(member_id__in=part).order_by("member_id", "year", "effective_month"):
            facts[b.member_id].bases.append(b)
    return facts


def load_payments(ids: Sequence[int], months: Sequence[date]) -> dict[tuple[int, date], list[dict]]:
    out: dict[tuple[int, date], list[dict]] = defaultdict(list)
    if not months:
        return out
    for part in _chunks(ids):
        rows = (
            DuesPayment.objects.filter(
                member_id__in=part, month__gte=min(months), month__lte=max(months), is_voided=False
            )
            .order_by("member_id", "month", "paid_on", "id")
            .values("id", "member_id", "month", "amount", "kind", "paid_on", "method__name", "collected_by")
        )
        for r in rows:
            out[(r["member_id"], r["month"])].append(r)
    return out


def remitted(org_ids: Iterable[int], months: Sequence[date]) -> dict[int, dict[date, Decimal]]:
    """{org: {month: 上缴}} for the months."""
    out: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    if not months:
        return out
    for org_id, month, amount in DuesRemittance.objects.filter(
        organization_id__in=list(org_ids), month__gte=min(months), month__lte=max(months), is_voided=False
    ).values_list("organization_id", "month", "amount"):
        out[org_id][month] += amount
    return out


# --- the year, member by member ------------------------------------------------------------------------------
@dataclass
class MemberYear:
    year: int
    facts: MemberFacts
    monthly_due: rules.Due  # the latest month of the year (begun by as_of)
    totals: Totals
    cells: list[Cell]
    org_id: int  # of the latest month owed (else the present one)

    @property
    def has_base_this_year(self) -> bool:
        return self.facts.has_base_for(self.year)


def year_sheet(year: int, as_of: date, **kwargs) -> tuple[Sheet, list[MemberYear]]:
    """The year as of `as_of` (capped at its last day): the ended months, and each member's line."""
    as_of = min(as_of, date(year, 12, 31))
    months = ended_months(year, as_of)
    latest = date(year, as_of.month, 1) if as_of.year == year else date(year, 12, 1)
    sheet = build(months, as_of, extra_roll_day=as_of if as_of.year == year else None, **kwargs)
    by_member = sheet.by_member()
    lines = []
    for mid, facts in sheet.members.items():
        cells = by_member.get(mid, [])
        t = Totals()
        for c in cells:
            t.add(c)
        lines.append(
            MemberYear(
                year,
                facts,
                due_of(facts, latest, sheet.config),
                t,
                cells,
                cells[-1].org_id if cells else facts.organization_id,
            )
        )
    return sheet, lines


def streaks(sheet: Sheet) -> dict[int, tuple[int, date | None]]:
    """Each member's consecutive unpaid months at the end of the sheet's months (the months owed end the run when
    not owed), with the first month of that run."""
    by_member = sheet.by_member()
    out: dict[int, tuple[int, date | None]] = {}
    for mid, cells in by_member.items():
        owed = {c.month: c for c in cells}
        states = [(owed[m].settled if m in owed else None) for m in sheet.months]
        n = rules.trailing_unpaid(states)
        out[mid] = (n, sheet.months[-n] if n else None)
    return out


def arrears_window(as_of: date, months: int = 24) -> list[date]:
    """The `months` months ended before `as_of`'s month (月提醒 is computed as of a month's first day)."""
    current = rules.month_start(as_of)
    return [rules.add_months(current, -i) for i in range(months, 0, -1)]
