"""半年观摩: events, their observed organisations, rubric and raters; scores; results (scoring.py decides)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from dangjian.accounts.policy import roles_with
from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit
from dangjian.core.models import AuditAction
from dangjian.orgs.models import Organization

from .. import access, scoring
from ..defaults import RUBRIC
from ..models import Observation, ObservationRater, ObservationScore, ObservationTarget, RubricItem
from .common import ServiceError, check_version


def _user_or_none(actor: Actor) -> Any:
    return actor if getattr(actor, "pk", None) else None


# --- the event -------------------------------------------------------------------------------------------
@dataclass
class ObservationInput:
    title: str
    year: int
    half: int
    held_on: date
    place: str = ""
    note: str = ""
    org_ids: Sequence[int] = field(default_factory=list)
    rater_ids: Sequence[int] = field(default_factory=list)


def _validate(data: ObservationInput) -> tuple[list[Organization], list[Any]]:
    if not data.title.strip():
        raise ServiceError("请填写观摩活动名称")
    if data.half not in (1, 2):
        raise ServiceError("半年须为上半年或下半年")
    if not 2000 <= data.year <= 2100:
        raise ServiceError("年度不正确")
    if data.held_on.year != data.year:
        raise ServiceError(f"观摩日期 {data.held_on:%Y-%m-%d} 不在 {data.year} 年内")
    orgs = list(Organization.objects.filter(pk__in=data.org_ids, dissolved_on__isnull=True).order_by("code"))
    if len(orgs) != len(set(data.org_ids)):
        raise ServiceError("所选观摩对象中有不存在或已撤销的党组织，请重新选择")
    if not orgs:
        raise ServiceError("请至少选择一个观摩对象")
    users = list(
        get_user_model()
        .objects.filter(pk__in=data.rater_ids, is_active=True, role__in=roles_with(access.BUSINESS))
        .order_by("username")
    )
    if len(users) != len(set(data.rater_ids)):
        raise ServiceError("所选评委中有不存在、已停用或无业务权限的账号，请重新选择")
    if not users:
        raise ServiceError("请至少选择一名评委")
    return orgs, users


@transaction.atomic
def create_observation(
    data: ObservationInput, *, actor: Actor = None, actor_name: str = "", enforce_role: bool = True
) -> Observation:
    if enforce_role:
        access.require(actor, access.BUREAU, "只有局党建管理员可以组织观摩")
    orgs, users = _validate(data)
    obs = actions.create(
        Observation,
        {
            "title": data.title.strip(),
            "year": data.year,
            "half": data.half,
            "held_on": data.held_on,
            "place": data.place.strip(),
            "note": data.note.strip(),
            "created_by": _user_or_none(actor),
        },
        actor=actor,
        actor_name=actor_name,
        event="observation.create",
        note=f"观摩对象 {len(orgs)} 个：{'、'.join(o.code for o in orgs)}；评委 {len(users)} 名"[:500],
    )
    ObservationTarget.objects.bulk_create(
        ObservationTarget(observation=obs, organization=o, sort=i) for i, o in enumerate(orgs, start=1)
    )
    ObservationRater.objects.bulk_create(
        ObservationRater(observation=obs, user=u, sort=i) for i, u in enumerate(users, start=1)
    )
    RubricItem.objects.bulk_create(
        RubricItem(observation=obs, name=n, max_points=m, guidance=g, sort=i)
        for i, (n, m, g) in enumerate(RUBRIC, start=1)
    )
    return obs


def _ensure_editable(obs: Observation) -> None:
    if obs.is_cancelled:
        raise ServiceError("该观摩活动已取消")
    if obs.is_final:
        raise ServiceError("评分已定稿，不能修改；如需修改请先撤销定稿")


@transaction.atomic
def update_observation(
    obs: Observation, data: ObservationInput, *, version: Any = None, actor: Actor = None
) -> None:
    access.require(actor, access.BUREAU, "只有局党建管理员可以修改观摩活动")
    locked = Observation.objects.select_for_update().get(pk=obs.pk)
    check_version(locked, version, "该观摩活动")
    _ensure_editable(locked)
    orgs, users = _validate(data)
    before = audit.snapshot(locked)
    for name in ("title", "place", "note"):
        setattr(locked, name, getattr(data, name).strip())
    locked.year, locked.half, locked.held_on = data.year, data.half, data.held_on
    scored_targets = set(
        ObservationScore.objects.filter(target__observation=locked).values_list(
            "target__organization_id", flat=True
        )
    )
    scored_raters = set(
        ObservationScore.objects.filter(target__observation=locked).values_list("rater__user_id", flat=True)
    )
    current_orgs = dict(
        ObservationTarget.objects.filter(observation=locked).values_list("organization_id", "pk")
    )
    current_users = dict(ObservationRater.objects.filter(observation=locked).values_list("user_id", "pk"))
    new_org_ids, new_user_ids = {o.pk for o in orgs}, {u.pk for u in users}
    dropped_orgs = set(current_orgs) - new_org_ids
    dropped_users = set(current_users) - new_user_ids
    if dropped_orgs & scored_targets:
        raise ServiceError("已有评分的观摩对象不能移出本次观摩")
    if dropped_users & scored_raters:
        raise ServiceError("已录入评分的评委不能移出本次观摩")
    ObservationTarget.objects.filter(observation=locked, organization_id__in=dropped_orgs).delete()
    ObservationRater.objects.filter(observation=locked, user_id__in=dropped_users).delete()
    start = len(current_orgs) + 1
    ObservationTarget.objects.bulk_create(
        ObservationTarget(observation=locked, organization=o, sort=start + i)
        for i, o in enumerate(o for o in orgs if o.pk not in current_orgs)
    )
    start = len(current_users) + 1
    ObservationRater.objects.bulk_create(
        ObservationRater(observation=locked, user=u, sort=start + i)
        for i, u in enumerate(u for u in users if u.pk not in current_users)
    )
    actions.save_versioned(
        locked,
        expected_version=None,
        before=before,
        locked=True,
        extra={
            "观摩对象": [sorted(current_orgs), sorted(new_org_ids)],
            "评委": [sorted(current_users), sorted(new_user_ids)],
        },
        actor=actor,
        event="observation.update",
    )


@transaction.atomic
def set_final(
    obs: Observation, final: bool, *, version: Any = None, actor: Actor = None, enforce_role: bool = True
) -> None:
    if enforce_role:
        access.require(actor, access.BUREAU, "只有局党建管理员可以定稿")
    locked = Observation.objects.select_for_update().get(pk=obs.pk)
    check_version(locked, version, "该观摩活动")
    if locked.is_cancelled:
        raise ServiceError("该观摩活动已取消")
    before = audit.snapshot(locked)
    locked.is_final = final
    actions.save_versioned(
        locked,
        expected_version=None,
        before=before,
        locked=True,
        actor=actor,
        event="observation.finalize" if final else "observation.reopen",
        note="评分定稿" if final else "撤销定稿",
    )


@transaction.atomic
def cancel_observation(obs: Observation, reason: str, *, version: Any = None, actor: Actor = None) -> None:
    """Never deleted: a mistaken or called-off event is marked 已取消 and stops counting for the appraisal."""
    access.require(actor, access.BUREAU, "只有局党建管理员可以取消观摩活动")
    if not reason.strip():
        raise ServiceError("取消观摩活动须填写原因")
    locked = Observation.objects.select_for_update().get(pk=obs.pk)
    check_version(locked, version, "该观摩活动")
    if locked.is_cancelled:
        return
    before = audit.snapshot(locked)
    locked.is_cancelled = True
    locked.note = (f"{locked.note}\n" if locked.note else "") + f"【已取消】{reason.strip()}"
    actions.save_versioned(
        locked,
        expected_version=None,
        before=before,
        locked=True,
        actor=actor,
        event="observation.cancel",
        note=f"取消观摩活动：{reason.strip()}"[:500],
    )


# --- the rubric ------------------------------------------------------------------------------------------------
@dataclass
class RubricRow:
    item_id: int | None  # None: a new item
    name: str
    max_points: str | Decimal
    guidance: str = ""
    remove: bool = False


def _points(value: Any, what: str) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(f"{what}“{value}”不是数字")
    if not d.is_finite() or d != d.quantize(Decimal("0.1")):
        raise ServiceError(f"{what}最多保留一位小数")
    return d


@transaction.atomic
def save_rubric(
    obs: Observation, rows: Sequence[RubricRow], *, version: Any = None, actor: Actor = None
) -> None:
    """Rename, re-weight, add and remove rubric items. A removed item that has scores is only switched off."""
    access.require(actor, access.BUREAU, "只有局党建管理员可以修改评分表")
    locked = Observation.objects.select_for_update().get(pk=obs.pk)
    check_version(locked, version, "该观摩活动")
    _ensure_editable(locked)
    existing = {i.pk: i for i in RubricItem.objects.filter(observation=locked)}
    top_scores: dict[int, Decimal] = defaultdict(Decimal)
    for item_id, points in ObservationScore.objects.filter(item__observation=locked).values_list(
        "item_id", "points"
    ):
        top_scores[item_id] = max(top_scores[item_id], points)
    names: set[str] = set()
    log: list[audit.Entry] = []
    for position, row in enumerate(rows, start=1):
        line = f"第{position}项"
        if row.item_id is not None and row.item_id not in existing:
            raise ServiceError(f"{line}不属于本次观摩，请刷新页面")
        if row.remove:
            if row.item_id is None:
                continue
            item = existing[row.item_id]
            before = audit.snapshot(item)
            if row.item_id in top_scores:
                item.is_active = False
                item.save(update_fields=["is_active"])
                log.append(
                    audit.Entry(
                        AuditAction.UPDATE,
                        actor,
                        instance=item,
                        changes=audit.diff(before, audit.snapshot(item)),
                        note="已有评分，停用",
                    )
                )
            else:
                log.append(audit.Entry(AuditAction.DELETE, actor, instance=item, changes=before))
                item.delete()
            continue
        name = row.name.strip()
        if not name:
            raise ServiceError(f"{line}请填写评分项目名称")
        if name in names:
            raise ServiceError(f"{line}“{name}”与其他项目重名")
        names.add(name)
        maximum = _points(row.max_points, f"{line}“{name}”的满分")
        if maximum <= 0:
            raise ServiceError(f"{line}“{name}”的满分须大于 0")
        if row.item_id is not None and top_scores.get(row.item_id, Decimal(0)) > maximum:
            raise ServiceError(f"{line}“{name}”已有评委打出 {top_scores[row.item_id]} 分，满分不能低于该分数")
        if row.item_id is None:
            item = RubricItem.objects.create(
                observation=locked,
                name=name,
                max_points=maximum,
                guidance=row.guidance.strip()[:300],
                sort=position,
            )
            log.append(audit.Entry(AuditAction.CREATE, actor, instance=item, changes=audit.snapshot(item)))
            continue
        item = existing[row.item_id]
        before = audit.snapshot(item)
        item.name, item.max_points, item.guidance = name, maximum, row.guidance.strip()[:300]
        item.sort, item.is_active = position, True
        item.save()
        changes = audit.diff(before, audit.snapshot(item))
        if changes:
            log.append(audit.Entry(AuditAction.UPDATE, actor, instance=item, changes=changes))
    if not RubricItem.objects.filter(observation=locked, is_active=True).exists():
        raise ServiceError("评分表至少要有一个评分项目")
    audit.record_many(log)
    # The rubric's rows are audited above; the observation's version moves so that open score forms go stale.
    actions.save_versioned(
        locked,
        expected_version=None,
        before=audit.snapshot(locked),
        locked=True,
        fields=(),
        actor=actor,
        event="observation.update",
    )


# --- scores ----------------------------------------------------------------------------------------------------
def rater_seat(obs: Observation, user: Any) -> ObservationRater | None:
    pk = getattr(user, "pk", None)
    return ObservationRater.objects.filter(observation=obs, user_id=pk).first() if pk is not None else None


def may_score_for(actor: Actor, seat: ObservationRater) -> bool:
    """A rater enters their own sheet; the bureau admin may enter any (score sheets handed in on paper)."""
    return access.is_bureau(actor) or seat.user_id == getattr(actor, "pk", None)


@transaction.atomic
def save_scores(
    obs: Observation,
    seat: ObservationRater,
    values: Mapping[tuple[int, int], str | Decimal | None],
    *,
    actor: Actor = None,
    enforce_role: bool = True,
) -> int:
    """Store one rater's sheet: {(target_id, item_id): points or empty}. Empty clears. Returns cells changed."""
    if enforce_role and not may_score_for(actor, seat):
        raise ServiceError("只能录入本人的评分")
    locked = Observation.objects.select_for_update().get(pk=obs.pk)
    _ensure_editable(locked)
    targets = {
        t.pk: t for t in ObservationTarget.objects.filter(observation=locked).select_related("organization")
    }
    items = {i.pk: i for i in RubricItem.objects.filter(observation=locked, is_active=True)}
    current = {
        (s.target_id, s.item_id): s
        for s in ObservationScore.objects.filter(rater=seat, target__observation=locked)
    }
    to_create, to_update, to_delete = [], [], []
    for (target_id, item_id), raw in values.items():
        target, item = targets.get(target_id), items.get(item_id)
        if target is None or item is None:
            raise ServiceError("评分表已变动，请刷新页面后重新录入")
        where = f"{target.organization.short_name or target.organization.name}“{item.name}”"
        cell = current.get((target_id, item_id))
        if raw is None or str(raw).strip() == "":
            if cell is not None:
                to_delete.append(cell)
            continue
        points = _points(raw, f"{where}的得分")
        try:
            scoring.validate_points(points, item.max_points)
        except scoring.ScoreError as exc:
            raise ServiceError(f"{where}{exc}")
        if cell is None:
            to_create.append(
                ObservationScore(
                    target=target, item=item, rater=seat, points=points, entered_by=_user_or_none(actor)
                )
            )
        elif cell.points != points:
            cell.points, cell.entered_by = points, _user_or_none(actor)
            to_update.append(cell)
    ObservationScore.objects.bulk_create(to_create)
    for cell in to_update:
        cell.save(update_fields=["points", "entered_by", "updated_at"])
    ObservationScore.objects.filter(pk__in=[c.pk for c in to_delete]).delete()
    changed = len(to_create) + len(to_update) + len(to_delete)
    if changed:
        audit.record(
            "observation.score",
            actor=actor,
            instance=locked,
            changes={
                "评委": seat.user_id,
                "评分": {f"{k[0]}-{k[1]}": str(v) for k, v in values.items() if v not in (None, "")},
            },
            note=f"录入评分 {changed} 项",
        )
    return changed


# --- results -----------------------------------------------------------------------------------------------------
@dataclass
class OrgResult:
    target: ObservationTarget
    totals: list[Fraction | None]  # per rater, in rater order; None = not finished
    result: scoring.OrgScore
    rank: int | None = None

    @property
    def organization(self) -> Organization:
        return self.target.organization


@dataclass
class Results:
    observation: Observation
    items: list[RubricItem]
    raters: list[ObservationRater]
    rows: list[OrgResult]  # ranked, unscored last
    points: dict[tuple[int, int, int], Decimal]  # (target, rater, item) -> points
    max_total: Decimal

    @property
    def trimmed(self) -> bool:
        return len(self.raters) >= scoring.TRIM_FROM


def results(obs: Observation) -> Results:
    """Constant number of queries whatever the number of organisations, raters and items."""
    items = list(RubricItem.objects.filter(observation=obs, is_active=True).order_by("sort", "id"))
    raters = list(
        ObservationRater.objects.filter(observation=obs).select_related("user").order_by("sort", "id")
    )
    targets = list(
        ObservationTarget.objects.filter(observation=obs)
        .select_related("organization")
        .order_by("sort", "id")
    )
    points: dict[tuple[int, int, int], Decimal] = {
        (t, r, i): p
        for t, r, i, p in ObservationScore.objects.filter(
            target__observation=obs, item__is_active=True
        ).values_list("target_id", "rater_id", "item_id", "points")
    }
    item_ids = [i.pk for i in items]
    rater_ids = [r.pk for r in raters]
    rows = []
    for t in targets:
        sheet: dict[tuple[int, Hashable], Decimal] = {
            (r, i): p for (tt, r, i), p in points.items() if tt == t.pk
        }
        totals = scoring.rater_totals(sheet, rater_ids, item_ids)
        rows.append(
            OrgResult(
                t,
                [totals[r] for r in rater_ids],
                scoring.combine(v for v in totals.values() if v is not None),
            )
        )
    ranks = scoring.rank({row.target.pk: row.result.score for row in rows})
    for row in rows:
        row.rank = ranks[row.target.pk]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.target.sort, r.target.pk))
    return Results(obs, items, raters, rows, points, sum((i.max_points for i in items), Decimal(0)))


def observation_score(org_id: int, year: int) -> float | None:
    """For the year-end appraisal: the organisation's 半年观摩 score in `year` on a 100-point scale.

    Each (not cancelled) observation of that year in which the organisation has a score counts once, as
    score ÷ the rubric's full marks × 100; the result is the average of those; None when there is none.
    """
    observations = Observation.objects.filter(
        year=year, is_cancelled=False, targets__organization_id=org_id
    ).distinct()
    scaled: list[Fraction] = []
    for obs in observations:
        res = results(obs)
        row = next((r for r in res.rows if r.target.organization_id == org_id), None)
        if row is None or row.result.score is None or res.max_total <= 0:
            continue
        scaled.append(row.result.score / Fraction(res.max_total) * 100)
    if not scaled:
        return None
    return float(sum(scaled) / len(scaled))


def export_sheets(res: Results) -> list[Any]:
    from dangjian.core.xlsx import Sheet

    rater_names = [str(r.user) for r in res.raters]
    header = ["名次", "组织代码", "党组织", *[f"{n}总分" for n in rater_names]]
    if res.trimmed:
        header += ["去掉最高分", "去掉最低分"]
    header += ["最后得分"]
    rows = []
    for row in res.rows:
        line: list[Any] = [row.rank or "—", row.organization.code, row.organization.name]
        line += [float(scoring.as_decimal(t) or 0) if t is not None else "未完成" for t in row.totals]
        if res.trimmed:
            line += [
                float(scoring.as_decimal(row.result.dropped_high) or 0)
                if row.result.dropped_high is not None
                else "",
                float(scoring.as_decimal(row.result.dropped_low) or 0)
                if row.result.dropped_low is not None
                else "",
            ]
        line.append(
            float(scoring.as_decimal(row.result.score) or 0) if row.result.score is not None else "未评分"
        )
        rows.append(line)
    detail_header = [
        "组织代码",
        "党组织",
        "评委",
        *[f"{i.name}（{i.max_points}）" for i in res.items],
        "合计",
    ]
    detail = []
    for row in res.rows:
        for rater, total in zip(res.raters, row.totals, strict=True):
            cells = [res.points.get((row.target.pk, rater.pk, i.pk)) for i in res.items]
            detail.append(
                [row.organization.code, row.organization.name, str(rater.user)]
                + [float(c) if c is not None else "" for c in cells]
                + [float(scoring.as_decimal(total) or 0) if total is not None else "未完成"]
            )
    return [
        Sheet(name="排名", header=header, rows=rows, text_columns=(1,)),
        Sheet(name="评分明细", header=detail_header, rows=detail, text_columns=(0,)),
    ]
