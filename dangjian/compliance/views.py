"""Pages that show compliance: the bureau's matrix, an organisation's year, one cell's records, 本月待办.

Views parse input and check access; the numbers come from services.run (a constant number of queries).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts import scope
from dangjian.accounts.policy import Perm, can
from dangjian.accounts.scope import get_org_for_user, org_in_scope, own_record_only, visible_orgs
from dangjian.activities.models import Activity
from dangjian.core.nav import todo_lines
from dangjian.core.params import year_param
from dangjian.core.periods import Period, PeriodKind
from dangjian.orgs.models import OrgKind

from . import grid, services
from .access import business_reader
from .engine import STATUSES, Result
from .models import Exemption, Requirement

PARTS: list[tuple[str, str]] = (
    [("", "全年"), ("h1", "上半年"), ("h2", "下半年")]
    + [(f"q{i}", f"第{'一二三四'[i - 1]}季度") for i in range(1, 5)]
    + [(f"m{i}", f"{i}月") for i in range(1, 13)]
)
_PART_KIND = {"h": PeriodKind.HALF, "q": PeriodKind.QUARTER, "m": PeriodKind.MONTH}
MIN_YEAR, MAX_YEAR = 2000, 2100
THIS = {
    PeriodKind.MONTH: "本月",
    PeriodKind.QUARTER: "本季度",
    PeriodKind.HALF: "本半年",
    PeriodKind.YEAR: "本年度",
}


def part_of(p: Period) -> str:
    return "" if p.kind is PeriodKind.YEAR else f"{str(p.kind)[0]}{p.index}"


def range_from_query(query: QueryDict, today: date) -> tuple[Period, str]:
    """`?period=2025Q3`, or `?year=2025&part=q3` (part: '' year, h1–h2, q1–q4, m1–m12); default: this quarter.
    Returns the range and a message when the input was not understood."""
    default = Period.containing(today, PeriodKind.QUARTER)
    if query.get("period"):
        try:
            p = Period.parse(query["period"])
        except ValueError as exc:
            return default, str(exc)
        if not MIN_YEAR <= p.year <= MAX_YEAR:
            return default, f"年份应在 {MIN_YEAR}–{MAX_YEAR} 之间"
        return p, ""
    if "year" not in query and "part" not in query:
        return default, ""
    try:
        year = int(query.get("year") or today.year)
    except ValueError:
        return default, "年份应为四位数字，如 2025"
    if not MIN_YEAR <= year <= MAX_YEAR:
        return default, f"年份应在 {MIN_YEAR}–{MAX_YEAR} 之间"
    part = (query.get("part") or "").lower()
    if not part:
        return Period.whole_year(year), ""
    try:
        return Period(year, _PART_KIND[part[0]], int(part[1:])), ""
    except (KeyError, ValueError):
        return default, f"无法识别的期间“{part}”"


def _range_context(rng: Period, today: date) -> dict[str, Any]:
    return {
        "range": rng,
        "range_year": rng.year,
        "range_part": part_of(rng),
        "parts": PARTS,
        "prev_range": rng.previous(),
        "next_range": rng.next(),
        "this_range": Period.containing(today, rng.kind),
        "this_label": THIS[rng.kind],
    }


# --- the matrix ------------------------------------------------------------------------------------------
@business_reader
def matrix(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    rng, problem = range_from_query(request.GET, today)
    if problem:
        messages.warning(request, f"{problem}，已显示{rng.label}。")
    orgs = visible_orgs(user).filter(services.existing_q(rng)).order_by("path")
    parent = None
    if request.GET.get("parent"):
        parent = get_org_for_user(user, request.GET["parent"])
        orgs = orgs.filter(path__startswith=parent.path)
    kind = request.GET.get("kind", "")
    kind = kind if kind in OrgKind.values else ""
    status = request.GET.get("status", "")
    status = status if status in [str(s) for s in STATUSES] else ""
    ev = services.run(rng, orgs, today)
    matrix_url = reverse("compliance:matrix")
    table = grid.build_matrix(ev, matrix_url=matrix_url, query={"period": str(rng)}, kind=kind, status=status)
    parents = list(
        visible_orgs(user).filter(kind__in=[*services.ROLLUP_KINDS, OrgKind.DANGZU]).order_by("path")
    )
    keep = {
        k: v for k, v in {"parent": parent.pk if parent else "", "kind": kind, "status": status}.items() if v
    }
    ctx = _range_context(rng, today)
    for name in ("prev", "this", "next"):
        ctx[f"{name}_query"] = urlencode({**keep, "period": str(ctx[f"{name}_range"])})
    return render(
        request,
        "compliance/matrix.html",
        {
            "page_title": "组织生活达标情况",
            "matrix": table,
            "parent": parent,
            "parents": parents,
            "kind": kind,
            "status": status,
            "kinds": OrgKind.choices,
            "statuses": [str(s) for s in STATUSES],
            "today": today,
            **ctx,
        },
    )


# --- an organisation's year ---------------------------------------------------------------------------------
@business_reader
def org_year(request: HttpRequest, org_id: int) -> HttpResponse:
    user = request.user
    org = get_org_for_user(user, org_id)
    today = timezone.localdate()
    year = year_param(request, today.year)
    rng = Period.whole_year(year)
    subtree = visible_orgs(user).filter(services.existing_q(rng), path__startswith=org.path).order_by("path")
    ev = services.run(rng, subtree, today)
    matrix_url = reverse("compliance:matrix")
    return render(
        request,
        "compliance/org_year.html",
        {
            "page_title": f"{org.name} {year}年达标情况",
            "org": org,
            "year": year,
            "months": range(1, 13),
            "own_rows": grid.year_rows(ev, org),
            "below_rows": grid.rollup_year_rows(ev, org, matrix_url),
            "below_count": sum(1 for o in ev.orgs if o.pk != org.pk),
            "today": today,
            "statuses": [str(s) for s in STATUSES],
        },
    )


# --- one cell: the records behind it --------------------------------------------------------------------------
@dataclass
class CellRow:
    result: Result
    records: list[Activity]
    excluded: list[Activity]
    exemption: Exemption | None
    awaiting: list[Activity] = field(default_factory=list)  # submitted, not yet approved: not counted


@business_reader
def cell(request: HttpRequest, org_id: int, key: str, period: str) -> HttpResponse:
    user = request.user
    org = get_org_for_user(user, org_id)
    req = Requirement.objects.select_related("kind").filter(key=key).first()
    spec = services.spec_of(req) if req is not None else None
    # any revision may have applied to the organisation's kind (an earlier rule may have listed it)
    if spec is None or not any(org.kind in r.org_kinds for r in (spec.revisions or (spec,))):
        raise Http404("该制度要求不存在或不适用于此党组织")
    try:
        rng = Period.parse(period)
    except ValueError:
        raise Http404("期间格式不正确")
    today = timezone.localdate()
    ev = services.run(rng, [org], today, requirements=[spec])
    ids = {i for r in ev.results for i in (*r.activity_ids, *r.excluded_ids, *r.awaiting_ids)}
    acts = {
        a.pk: a
        for a in Activity.objects.filter(pk__in=ids)
        .select_related("party_group", "talk_a", "talk_b")
        .order_by("date", "id")
    }
    ex_ids = {r.exemption_id for r in ev.results if r.exemption_id}
    exemptions = {e.pk: e for e in Exemption.objects.filter(pk__in=ex_ids)} if ex_ids else {}
    rows = [
        CellRow(
            r,
            [acts[i] for i in r.activity_ids if i in acts],
            [acts[i] for i in r.excluded_ids if i in acts],
            exemptions.get(r.exemption_id) if r.exemption_id else None,
            [acts[i] for i in r.awaiting_ids if i in acts],
        )
        for r in ev.results
    ]
    can_write = org_in_scope(user, org, write=True)
    return render(
        request,
        "compliance/cell.html",
        {
            "page_title": f"{org.name} · {req.name} · {rng.label}",
            "org": org,
            "req": req,
            "range": rng,
            "rows": rows,
            "record_url": services.record_url(org.pk, req.kind.key) if can_write else "",
            "can_exempt": can(user, Perm.MANAGE_BUREAU),
        },
    )


# --- 本月待办 ---------------------------------------------------------------------------------------------
@dataclass
class TodoItem:
    """One line of 本月待办: a requirement due in its current period, or overdue in one or more ended periods."""

    name: str
    overdue: bool
    results: list[Result]
    record_url: str
    cell_url: str

    @property
    def periods_text(self) -> str:
        return "、".join(grid.period_short(r.period) for r in self.results)

    @property
    def progress(self) -> str:
        r = self.results[-1]
        return f"已完成 {r.done}/{r.required}"

    @property
    def missing_text(self) -> str:
        names = self.results[-1].missing
        if not names:
            return ""
        head = "、".join(names[:5])
        return head + (f" 等{len(names)}个" if len(names) > 5 else "")


def todo_items(todo: services.Todo, can_write: bool) -> tuple[list[TodoItem], list[TodoItem]]:
    """(due, overdue): what the current periods still need, and each requirement's ended periods of this year
    that were missed, one line per requirement; each with its one-click 记录活动 link (writers only)."""
    org_id = todo.org.pk

    def item(rs: list[Result], overdue: bool, rng: Period) -> TodoItem:
        r = rs[0]
        return TodoItem(
            r.requirement_name or r.kind_name,
            overdue,
            rs,
            services.record_url(org_id, r.kind_key) if can_write else "",
            grid.cell_url(org_id, r.requirement_key, rng),
        )

    due = [item([r], False, r.period) for r in todo.due]
    missed: dict[str, list[Result]] = {}
    for r in todo.overdue:
        missed.setdefault(r.requirement_key, []).append(r)
    overdue = [item(rs, True, Period.whole_year(rs[0].period.year)) for rs in missed.values()]
    return due, overdue


# The organisation whose 待办 a user sees first (None: everything, for the bureau and the inspector).
home_org = scope.home_org


@business_reader
def todo_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    if request.GET.get("org"):
        org = get_org_for_user(user, request.GET["org"])
    else:
        org = home_org(user)
        if org is None and not can(user, Perm.VIEW_ALL):
            raise Http404("未找到您所在的党组织")
    year = Period.whole_year(today.year)
    orgs = visible_orgs(user).filter(services.existing_q(year)).order_by("path")
    if org is not None:
        orgs = orgs.filter(path__startswith=org.path)
    todos = [t for t in services.todos(orgs, today) if t.applicable]
    own = next((t for t in todos if org is not None and t.org.pk == org.pk), None)
    others = sorted(
        (t for t in todos if t is not own), key=lambda t: (-len(t.overdue), -len(t.due), t.org.path)
    )
    can_write = org is not None and org_in_scope(user, org, write=True)
    return render(
        request,
        "compliance/todo.html",
        {
            "page_title": "本月待办",
            "org": org,
            "own": own,
            "extra": todo_lines(user, org, today) if org is not None else [],
            "items": todo_items(own, can_write) if own else ([], []),
            "others": others,
            "today": today,
            "month": Period.containing(today, PeriodKind.MONTH),
        },
    )


def home_panel(request: HttpRequest) -> dict[str, Any] | None:
    """本月待办 on the home page: the branch's own list; for an admin over several branches, the worst few."""
    user = request.user
    if own_record_only(user):  # a member's home is their own page (members.home), not the branch's to-dos
        return None
    org = home_org(user)
    if org is None:
        return None
    today = timezone.localdate()
    year = Period.whole_year(today.year)
    # The organisations below it that the user reads: a member's branch alone, an org admin's subtree.
    orgs = list(
        visible_orgs(user).filter(services.existing_q(year), path__startswith=org.path).order_by("path")
    )
    todos = [t for t in services.todos(orgs, today) if t.applicable]
    own = next((t for t in todos if t.org.pk == org.pk), None)
    others = sorted(
        (t for t in todos if t is not own), key=lambda t: (-len(t.overdue), -len(t.due), t.org.path)
    )
    can_write = org_in_scope(user, org, write=True)
    return {
        "org": org,
        "own": own,
        "items": todo_items(own, can_write) if own else ([], []),
        "extra": todo_lines(user, org, today),
        "others": [t for t in others if t.count][:8],
        "others_total": len(others),
        "month": Period.containing(today, PeriodKind.MONTH),
    }
