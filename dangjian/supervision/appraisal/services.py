"""Every write of 年终总评 (shared by pages and the demo), the computation and the frozen snapshot.

A published version is a JSON document built once by `compute` and never recomputed: the pages and the export
of a version read only `AppraisalVersion.data`, so later changes to activities, rectifications, study records …
cannot alter it. Publishing again makes the next version number; earlier versions stay readable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit
from dangjian.core.models import AuditAction
from dangjian.orgs.models import Organization

from ..models import (
    Adjustment,
    AdjustmentKind,
    Appraisal,
    AppraisalVersion,
    Indicator,
    IndicatorSource,
    ManualScore,
)
from ..services.common import ServiceError, check_version
from . import scoring, sources

SNAPSHOT_FORMAT = 1

# The default tree (一级 name, points, [(二级 name, points, source, target, missing_full)]).
DEFAULT_TREE: list[tuple[str, int, list[tuple[str, int, str, Decimal | None, bool]]]] = [
    (
        "组织建设",
        30,
        [
            ("三会一课达标率", 20, IndicatorSource.COMPLIANCE, None, True),
            ("按期换届", 10, IndicatorSource.TERM, None, True),
        ],
    ),
    (
        "责任落实",
        20,
        [
            ("通知按时签收", 10, IndicatorSource.NOTICE, None, True),
            ("整改按时销号", 10, IndicatorSource.RECTIFICATION, None, True),
        ],
    ),
    ("学习教育", 20, [("人均学时", 20, IndicatorSource.STUDY, None, False)]),
    (
        "特色创新",
        10,
        [
            ("观摩得分", 6, IndicatorSource.OBSERVATION, None, False),
            ("品牌案例", 4, IndicatorSource.CASES, Decimal(1), False),
        ],
    ),
    ("日常考核", 20, [("日常工作评价", 20, IndicatorSource.MANUAL, None, False)]),
]


# --- writes ----------------------------------------------------------------------------------------------
def create_appraisal(
    year: int, title: str = "", *, actor: Actor = None, default_tree: bool = True
) -> Appraisal:
    if Appraisal.objects.filter(year=year).exists():
        raise ServiceError(f"{year}年度的年终总评已经建立，请在列表中打开")
    with transaction.atomic():
        appraisal = actions.create(
            Appraisal,
            {"year": year, "title": title.strip() or f"{year}年度基层党组织年终总评", "created_by": actor},
            actor=actor,
            event="appraisal.create",
        )
        if default_tree:
            for i, (name, points, children) in enumerate(DEFAULT_TREE, start=1):
                top = Indicator.objects.create(appraisal=appraisal, name=name, max_points=points, sort=i * 10)
                Indicator.objects.bulk_create(
                    Indicator(
                        appraisal=appraisal,
                        parent=top,
                        name=c_name,
                        max_points=c_points,
                        source=source,
                        target=target,
                        missing_full=missing_full,
                        sort=j * 10,
                    )
                    for j, (c_name, c_points, source, target, missing_full) in enumerate(children, start=1)
                )
    return appraisal


def update_appraisal(
    appraisal: Appraisal, data: Mapping[str, Any], *, version: int | None, actor: Actor
) -> None:
    t = scoring.Thresholds(data["good_from"], data["fairly_good_from"], data["average_from"])
    if problems := t.problems():
        raise ServiceError(problems[0])
    with transaction.atomic():
        locked = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
        check_version(locked, version, "该年终总评")
        before = audit.snapshot(locked)
        for k in ("title", "good_from", "fairly_good_from", "average_from", "note"):
            setattr(locked, k, data[k])
        actions.save_versioned(
            locked, expected_version=None, before=before, locked=True, actor=actor, event="appraisal.update"
        )


def save_indicator(
    appraisal: Appraisal, indicator: Indicator | None, data: Mapping[str, Any], *, actor: Actor
) -> Indicator:
    parent = data.get("parent")
    if parent is not None and (parent.appraisal_id != appraisal.pk or parent.parent_id is not None):
        raise ServiceError("上级指标只能选择本次总评的一级指标")
    if indicator is not None and parent is not None and indicator.children.filter(is_active=True).exists():
        raise ServiceError(f"“{indicator.name}”下设二级指标，不能再改为二级指标")
    if data["max_points"] is None or data["max_points"] <= 0:
        raise ServiceError("分值应大于 0")
    fields = ("name", "max_points", "source", "requirement_key", "target", "missing_full", "guidance", "sort")
    with transaction.atomic():
        if indicator is None:
            return actions.create(
                Indicator,
                {"appraisal": appraisal, "parent": parent, **{k: data[k] for k in fields}},
                actor=actor,
                event="indicator.create",
            )
        locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
        check_version(locked, data.get("version"), "该指标")
        before = audit.snapshot(locked)
        locked.parent = parent
        for k in fields:
            setattr(locked, k, data[k])
        actions.save_versioned(
            locked, expected_version=None, before=before, locked=True, actor=actor, event="indicator.update"
        )
        return locked


def remove_indicator(indicator: Indicator, *, actor: Actor) -> None:
    """Indicators are never deleted: a removed one is switched off (with its 二级 indicators)."""
    with transaction.atomic():
        for ind in [indicator, *indicator.children.filter(is_active=True)]:
            before = audit.snapshot(ind)
            ind.is_active = False
            actions.save_versioned(
                ind,
                expected_version=None,
                before=before,
                fields=["is_active"],
                actor=actor,
                event="indicator.deactivate",
                note="停用考核指标",
            )


def parse_points(text: str, max_points: Decimal, what: str) -> Decimal | None:
    """A hand score from a form cell: empty → None; otherwise 0 … the maximum, two decimals at most."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ServiceError(f"{what}：“{text}”不是数字，请填写 0 至 {max_points} 之间的分数") from None
    if not value.is_finite() or value < 0 or value > max_points or value != value.quantize(Decimal("0.01")):
        raise ServiceError(f"{what}：得分应在 0 至 {max_points} 之间，最多两位小数")
    return value


def save_manual_scores(
    indicator: Indicator, entries: Mapping[int, tuple[Decimal | None, str]], *, actor: Actor
) -> int:
    """Hand scores of one indicator, {org_id: (points or None to clear, note)}. Returns how many changed."""
    if indicator.source != IndicatorSource.MANUAL:
        raise ServiceError("该指标由系统根据数据计算，不能手工评分")
    existing = {s.organization_id: s for s in ManualScore.objects.filter(indicator=indicator)}
    log: list[audit.Entry] = []
    changed = 0
    with transaction.atomic():
        for org_id, (points, note) in entries.items():
            row = existing.get(org_id)
            if points is None and (row is None or row.points is None):
                continue
            if row is None:
                row = ManualScore.objects.create(
                    indicator=indicator, organization_id=org_id, points=points, note=note, entered_by=actor
                )
                log.append(audit.Entry(action=AuditAction.CREATE, actor=actor, instance=row))
                changed += 1
            elif row.points != points or row.note != (note if points is not None else ""):
                note = note if points is not None else ""
                before = audit.snapshot(row)
                row.points, row.note, row.entered_by = points, note, actor
                row.save()
                log.append(
                    audit.Entry(
                        action=AuditAction.UPDATE,
                        actor=actor,
                        instance=row,
                        changes=audit.diff(before, audit.snapshot(row)),
                    )
                )
                changed += 1
        audit.record_many(log)
    return changed


def add_adjustment(
    appraisal: Appraisal, org: Organization, kind: str, points: Decimal | None, reason: str, *, actor: Actor
) -> Adjustment:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写加减分或否决的事由")
    if kind not in AdjustmentKind.values:
        raise ServiceError("类型应为加分、扣分或一票否决")
    if kind == AdjustmentKind.VETO:
        points = Decimal(0)
    elif points is None or points <= 0:
        raise ServiceError("加分、扣分的分值应大于 0")
    return actions.create(
        Adjustment,
        {
            "appraisal": appraisal,
            "organization": org,
            "kind": kind,
            "points": points,
            "reason": reason,
            "entered_by": actor,
        },
        actor=actor,
        event="adjustment.create",
    )


def revoke_adjustment(adj: Adjustment, *, actor: Actor) -> None:
    if adj.is_revoked:
        return
    before = audit.snapshot(adj)
    adj.is_revoked = True
    adj.save(update_fields=["is_revoked"])
    # Adjustments carry no version (they are entered once and only ever revoked).
    audit.log_update(adj, before, actor, note="撤销加减分或否决事项", event="adjustment.revoke")


def publish(
    appraisal: Appraisal, *, actor: Actor, note: str = "", today: date | None = None
) -> AppraisalVersion:
    """Compute from the data as it is now and freeze it as the next version."""
    data = compute(appraisal, today=today)
    if data["problems"]:
        raise ServiceError("；".join(data["problems"]))
    with transaction.atomic():
        Appraisal.objects.select_for_update().get(pk=appraisal.pk)
        number = (appraisal.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        v = AppraisalVersion.objects.create(
            appraisal=appraisal,
            number=number,
            data=data,
            note=note.strip()[:200],
            published_by=actor,
            published_by_name=audit.actor_label(actor),
            published_at=timezone.now(),
        )
        # Not actions.create: the frozen results (`data`) are the version itself, too large for the audit diff.
        audit.record(
            "appraisal.publish", actor=actor, instance=v, note=f"发布{appraisal.title}第{number}版结果"[:500]
        )
    return v


# --- computation -----------------------------------------------------------------------------------------
def active_tree(appraisal: Appraisal) -> list[Indicator]:
    """一级 indicators with `.active_children` set (two queries)."""
    rows = list(appraisal.indicators.filter(is_active=True).order_by("sort", "id"))
    children: dict[int, list[Indicator]] = defaultdict(list)
    for ind in rows:
        if ind.parent_id:
            children[ind.parent_id].append(ind)
    tops = [ind for ind in rows if ind.parent_id is None]
    for top in tops:
        top.active_children = children.get(top.pk, [])
    return tops


def _key(ind: Indicator) -> str:
    return f"i{ind.pk}"


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}" if isinstance(value, Decimal) else str(value)


def compute(appraisal: Appraisal, *, today: date | None = None) -> dict[str, Any]:
    """The whole result as a JSON-ready document (what a version freezes)."""
    year = appraisal.year
    as_of = sources.reference_day(year, today)
    tops = active_tree(appraisal)
    study_default = None
    nodes: list[scoring.Node] = []
    leaf_inds: list[Indicator] = []
    for top in tops:
        kids = []
        for ind in top.active_children or [top]:
            leaf_inds.append(ind)
            target = ind.target
            if ind.source == IndicatorSource.STUDY and target is None:
                study_default = study_default if study_default is not None else sources.study_target()
                target = study_default
            kids.append(
                scoring.Node(_key(ind), ind.name, ind.max_points, ind.source, target, ind.missing_full)
            )
        if top.active_children:
            nodes.append(scoring.Node(_key(top), top.name, top.max_points, "group", None, True, tuple(kids)))
        else:
            nodes.append(kids[0])
    orgs = sources.appraised_orgs(year, as_of)
    raw = _raw_values(appraisal, leaf_inds, orgs, as_of)
    adjustments = _adjustments(appraisal)
    thresholds = scoring.Thresholds(appraisal.good_from, appraisal.fairly_good_from, appraisal.average_from)
    results = scoring.appraise(
        nodes,
        {o.pk: {k: r.value for k, r in raw[o.pk].items()} for o in orgs},
        {org_id: [a for a, _ in rows] for org_id, rows in adjustments.items()},
        thresholds,
    )
    by_id = {o.pk: o for o in orgs}
    node_by_key = {n.key: n for n in scoring.leaves(nodes)}
    return {
        "format": SNAPSHOT_FORMAT,
        "year": year,
        "title": appraisal.title,
        "as_of": as_of.isoformat(),
        "thresholds": {
            "good": _dec(thresholds.good),
            "fairly_good": _dec(thresholds.fairly_good),
            "average": _dec(thresholds.average),
        },
        "max_total": _dec(scoring.max_total(nodes)),
        "problems": scoring.tree_problems(nodes),
        "tree": [
            {
                "key": _key(top),
                "name": top.name,
                "max_points": _dec(top.max_points),
                "children": [
                    {
                        "key": _key(ind),
                        "name": ind.name,
                        "max_points": _dec(ind.max_points),
                        "source": ind.source,
                        "source_label": IndicatorSource(ind.source).label,
                        "requirement_key": ind.requirement_key,
                        "target": _dec(node_by_key[_key(ind)].param),
                        "missing_full": ind.missing_full,
                    }
                    for ind in (top.active_children or [top])
                ],
            }
            for top in tops
        ],
        "rows": [
            {
                "org_id": r.org_id,
                "code": by_id[r.org_id].code,
                "name": by_id[r.org_id].name,
                "raw": {k: {"value": _dec(v.value), "text": v.text} for k, v in raw[r.org_id].items()},
                "scores": {k: _dec(v) for k, v in r.scores.items()},
                "base": _dec(r.base),
                "bonus": _dec(r.bonus),
                "deduction": _dec(r.deduction),
                "total": _dec(r.total),
                "veto": r.veto,
                "grade": r.grade,
                "rank": r.rank,
                "adjustments": [
                    {
                        "kind": a.kind,
                        "kind_label": AdjustmentKind(a.kind).label,
                        "points": _dec(a.points),
                        "reason": a.reason,
                        "entered_by": who,
                    }
                    for a, who in adjustments.get(r.org_id, [])
                ],
            }
            for r in results
        ],
    }


def _adjustments(appraisal: Appraisal) -> dict[int, list[tuple[scoring.Adjustment, str]]]:
    out: dict[int, list[tuple[scoring.Adjustment, str]]] = defaultdict(list)
    for a in appraisal.adjustments.filter(is_revoked=False).select_related("entered_by").order_by("id"):
        who = audit.actor_label(a.entered_by) if a.entered_by_id else ""
        out[a.organization_id].append((scoring.Adjustment(a.kind, a.points, a.reason), who))
    return out


def _raw_values(
    appraisal: Appraisal, leaf_inds: list[Indicator], orgs: list[Organization], as_of: date
) -> dict[int, dict[str, sources.Raw]]:
    """{org_id: {indicator key: Raw}}; each source is read once for all organisations."""
    year = appraisal.year
    by_source: dict[str, list[Indicator]] = defaultdict(list)
    for ind in leaf_inds:
        by_source[ind.source].append(ind)
    cache: dict[str, Any] = {}
    if IndicatorSource.COMPLIANCE in by_source:
        keys = {ind.requirement_key for ind in by_source[IndicatorSource.COMPLIANCE]}
        cache["compliance"] = sources.compliance(year, orgs, as_of, keys)
    readers = {
        IndicatorSource.TERM: lambda: sources.terms(orgs, as_of),
        IndicatorSource.RECTIFICATION: lambda: sources.rectifications(year, orgs, as_of),
        IndicatorSource.STUDY: lambda: sources.study_hours(year, orgs),
        IndicatorSource.NOTICE: lambda: sources.notices(year, orgs, as_of),
        IndicatorSource.OBSERVATION: lambda: sources.observations(year, orgs),
        IndicatorSource.CASES: lambda: sources.cases(year, orgs),
    }
    for source, read in readers.items():
        if source in by_source:
            cache[source] = read()
    manual: dict[tuple[int, int], ManualScore] = {}
    if IndicatorSource.MANUAL in by_source:
        manual = {
            (s.indicator_id, s.organization_id): s
            for s in ManualScore.objects.filter(indicator__in=by_source[IndicatorSource.MANUAL])
        }
    out: dict[int, dict[str, sources.Raw]] = {o.pk: {} for o in orgs}
    for ind in leaf_inds:
        for o in orgs:
            if ind.source == IndicatorSource.MANUAL:
                s = manual.get((ind.pk, o.pk))
                s = s if s is not None and s.points is not None else None
                raw = (
                    sources.Raw(s.points, f"{s.points} 分" + (f"（{s.note}）" if s.note else ""))
                    if s
                    else sources.Raw(None, "未评分")
                )
            elif ind.source == IndicatorSource.COMPLIANCE:
                raw = cache["compliance"][ind.requirement_key][o.pk]
            else:
                raw = cache[ind.source].get(o.pk, sources.Raw(None, sources.NO_DATA))
            out[o.pk][_key(ind)] = raw
    return out


# --- reading a result (a version's frozen data, or a preview) ------------------------------------------
GRADE_CLASS = {
    scoring.GOOD: "tag-ok",
    scoring.FAIRLY_GOOD: "tag-info",
    scoring.AVERAGE: "tag-warn",
    scoring.POOR: "tag-bad",
}


@dataclass
class ResultView:
    """Lists ready for templates, derived from a result document only (no database)."""

    data: dict[str, Any]

    @property
    def tops(self) -> list[dict[str, Any]]:
        return self.data["tree"]

    def rows(self, org_ids: set[int] | None = None) -> list[dict[str, Any]]:
        out = []
        for row in self.data["rows"]:
            if org_ids is not None and row["org_id"] not in org_ids:
                continue
            out.append(
                {
                    **row,
                    "top_scores": [row["scores"].get(t["key"]) for t in self.tops],
                    "top_cells": [
                        {"label": t["name"], "score": row["scores"].get(t["key"])} for t in self.tops
                    ],
                    "grade_class": GRADE_CLASS.get(row["grade"], ""),
                }
            )
        return out

    def row(self, org_id: int) -> dict[str, Any] | None:
        return next((r for r in self.rows() if r["org_id"] == org_id), None)

    def breakdown(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                **top,
                "score": row["scores"].get(top["key"]),
                "lines": [
                    {
                        **leaf,
                        "score": row["scores"].get(leaf["key"]),
                        "raw": row["raw"].get(leaf["key"], {}).get("text", ""),
                    }
                    for leaf in top["children"]
                ],
            }
            for top in self.tops
        ]

    def grade_counts(self) -> list[tuple[str, int, str]]:
        counts = {g: 0 for g in scoring.GRADES}
        for row in self.data["rows"]:
            counts[row["grade"]] = counts.get(row["grade"], 0) + 1
        return [(g, counts[g], GRADE_CLASS[g]) for g in scoring.GRADES]


def export_sheets(view: ResultView, label: str) -> list[Any]:
    from dangjian.core.xlsx import Sheet

    tops = view.tops
    header = ["名次", "组织代码", "党组织", *[f"{t['name']}（{t['max_points']}）" for t in tops]]
    header += ["指标得分", "加分", "扣分", "一票否决", "总分", "等次"]
    rows = []
    for r in view.rows():
        rows.append(
            [
                r["rank"],
                r["code"],
                r["name"],
                *[float(s) if s is not None else "" for s in r["top_scores"]],
                float(r["base"]),
                float(r["bonus"]),
                float(r["deduction"]),
                "是" if r["veto"] else "",
                float(r["total"]),
                r["grade"],
            ]
        )
    detail_header = ["组织代码", "党组织", "一级指标", "二级指标", "评分方式", "分值", "数据", "得分"]
    detail = []
    for r in view.rows():
        for top in view.breakdown(r):
            for line in top["lines"]:
                detail.append(
                    [
                        r["code"],
                        r["name"],
                        top["name"],
                        line["name"],
                        line["source_label"],
                        float(line["max_points"]),
                        line["raw"],
                        float(line["score"]),
                    ]
                )
        for a in r["adjustments"]:
            detail.append(
                [r["code"], r["name"], a["kind_label"], a["reason"], "", "", "", float(a["points"])]
            )
    return [
        Sheet(f"总评结果{label}", header, rows, text_columns=(1,)),
        Sheet("得分明细", detail_header, detail, text_columns=(0,)),
    ]
