"""What the pages show, built from an evaluation: the bureau's matrix and an organisation's year at a glance.

No queries here: everything comes from `services.Evaluation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from dangjian.core.periods import Period, PeriodKind
from dangjian.orgs.models import Organization

from . import engine
from .engine import Cell, RequirementSpec, Rollup, Status
from .services import Evaluation

EVERY = {
    PeriodKind.MONTH: "每月",
    PeriodKind.QUARTER: "每季度",
    PeriodKind.HALF: "每半年",
    PeriodKind.YEAR: "每年",
}


def cell_url(org_id: int, key: str, period: Period) -> str:
    return reverse("compliance:cell", args=[org_id, key, str(period)])


def period_short(p: Period) -> str:
    match p.kind:
        case PeriodKind.MONTH:
            return f"{p.index}月"
        case PeriodKind.QUARTER:
            return f"第{'一二三四'[p.index - 1]}季度"
        case PeriodKind.HALF:
            return f"{'上下'[p.index - 1]}半年"
    return f"{p.year}年"


@dataclass
class Column:
    spec: RequirementSpec

    @property
    def label(self) -> str:
        return self.spec.name

    @property
    def every(self) -> str:
        return EVERY[self.spec.period_kind]


@dataclass
class GridCell:
    status: str  # one of the five statuses, used as the CSS class status-<status>
    text: str
    url: str
    title: str
    colspan: int = 1


@dataclass
class MatrixRow:
    org: Organization
    depth: int
    is_rollup: bool
    cells: list[GridCell | None]

    @property
    def statuses(self) -> set[str]:
        return {c.status for c in self.cells if c is not None}


@dataclass
class Matrix:
    columns: list[Column]
    rows: list[MatrixRow]
    totals: list[Rollup | None]
    counts: dict[str, int] = field(default_factory=dict)


def _cell_title(org: Organization, spec: RequirementSpec, cell: Cell) -> str:
    parts = [f"{org.name} · {spec.name}"]
    for r in cell.results:
        line = f"{r.period.label}：{r.status}"
        if r.status is not Status.NA:
            line += (
                f"（{r.done}/{r.required}，第{r.revision}版规则）"  # the revision that governed the period
            )
        parts.append(line)
    return "\n".join(parts)


def _rollup_text(r: Rollup) -> str:
    return f"{r.met}/{r.counted} · {r.percent}" if r.counted else ("豁免" if r.exempt else "—")


def _rollup_title(org: Organization, spec: RequirementSpec, r: Rollup) -> str:
    return (
        f"{org.name} 下级组织 · {spec.name}：达标 {r.met}，未达标 {r.unmet}，进行中 {r.pending}，"
        f"待审核 {r.awaiting}，豁免 {r.exempt}，不适用 {r.not_applicable}"
    )


def build_matrix(
    ev: Evaluation,
    *,
    matrix_url: str,
    query: dict[str, str],
    kind: str = "",
    status: str = "",
) -> Matrix:
    """Rows in tree order: each organisation that owes something, and each 党总支/党委/机关党委 as a roll-up row
    of its subtree. `kind` and `status` filter the rows shown; totals cover every organisation evaluated."""
    cells = ev.cells
    rollups = ev.rollup_cells()
    columns = [
        Column(s)
        for s in ev.requirements
        if any(key[1] == s.id for key in cells) or any(key[1] == s.id for key in rollups)
    ]
    top = min((o.depth for o in ev.orgs), default=1)
    rows: list[MatrixRow] = []
    for org in ev.orgs:
        own = [cells.get((org.pk, c.spec.id)) for c in columns]
        if any(own):
            grid = [
                GridCell(
                    str(cell.status),
                    cell.summary,
                    cell_url(org.pk, c.spec.key, ev.range_period),
                    _cell_title(org, c.spec, cell),
                )
                if cell is not None
                else None
                for c, cell in zip(columns, own, strict=True)
            ]
            rows.append(MatrixRow(org, org.depth - top, False, grid))
        ups = [rollups.get((org.pk, c.spec.id)) for c in columns]
        if any(ups):
            link = f"{matrix_url}?{urlencode({**query, 'parent': org.pk})}"
            grid = [
                GridCell(str(r.status), _rollup_text(r), link, _rollup_title(org, c.spec, r))
                if r is not None
                else None
                for c, r in zip(columns, ups, strict=True)
            ]
            rows.append(MatrixRow(org, org.depth - top, True, grid))
    counts = {str(s): 0 for s in engine.STATUSES}
    for cell in cells.values():
        counts[str(cell.status)] += 1
    totals = []
    for c in columns:
        statuses = [cell.status for key, cell in cells.items() if key[1] == c.spec.id]
        totals.append(engine.tally(0, c.spec.id, None, statuses) if statuses else None)
    if kind:
        rows = [r for r in rows if r.org.kind == kind]
    if status:
        rows = [r for r in rows if status in r.statuses]
    return Matrix(columns, rows, totals, counts)


# --- an organisation's year at a glance ---------------------------------------------------------------------
@dataclass
class YearRow:
    spec: RequirementSpec
    cells: list[GridCell]

    @property
    def every(self) -> str:
        return EVERY[self.spec.period_kind]


def _span(p: Period) -> int:
    return p.last_month - p.first_month + 1


def year_rows(ev: Evaluation, org: Organization) -> list[YearRow]:
    """Requirements × months: a quarterly result spans three month columns, a yearly one twelve."""
    rows = []
    for spec in ev.requirements:
        cell = ev.cells.get((org.pk, spec.id))
        if cell is None:
            continue
        grid = []
        for r in cell.results:
            text = "—" if r.status is Status.NA else f"{r.done}/{r.required}"
            title = f"{r.period.label} {spec.name}：{r.status}" + (f"（{r.note}）" if r.note else "")
            title += f"；第{r.revision}版规则：{r.citation}" if r.citation else f"；第{r.revision}版规则"
            grid.append(
                GridCell(str(r.status), text, cell_url(org.pk, spec.key, r.period), title, _span(r.period))
            )
        rows.append(YearRow(spec, grid))
    return rows


def rollup_year_rows(ev: Evaluation, org: Organization, matrix_url: str) -> list[YearRow]:
    """The same grid for the organisations below: the share meeting each requirement in each period."""
    facts = ev.facts.get(org.pk)
    if facts is None:
        return []
    table = engine.rollup_periods([facts], ev.results, ev.facts)
    rows = []
    for spec in ev.requirements:
        periods = engine.periods_in_range(ev.range_period, spec.period_kind)
        found = [table.get((org.pk, spec.id, p)) for p in periods]
        if not any(found):
            continue
        grid = []
        for p, r in zip(periods, found, strict=True):
            link = f"{matrix_url}?{urlencode({'parent': org.pk, 'period': str(p)})}"
            if r is None:
                grid.append(GridCell(str(Status.NA), "—", link, p.label, _span(p)))
            else:
                grid.append(
                    GridCell(str(r.status), _rollup_text(r), link, _rollup_title(org, spec, r), _span(p))
                )
        rows.append(YearRow(spec, grid))
    return rows
