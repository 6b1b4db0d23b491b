"""The database side of compliance: gather the facts in a constant number of queries, run the pure engine;
and the audited writes on requirements and exemptions.

Other apps call `evaluate`, `failing_org_ids`, `rollup` and `todo` by these names.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import reduce
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from dangjian.activities.models import Activity, ActivityKind
from dangjian.core import audit, rawrows
from dangjian.core.periods import Period, PeriodKind
from dangjian.members.choices import Status as MemberStatus
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_KINDS, Organization, OrgKind, PartyGroup

from . import engine
from .engine import Result, Rollup, Status
from .models import Applicability, Exemption, PeriodChoice, Requirement

# The organisations whose subtree is rolled up (design §4 / issue 3): 党总支, 党委, 机关党委.
ROLLUP_KINDS = frozenset({OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE, OrgKind.ORGAN_COMMITTEE})
STALE_MESSAGE = "该记录已被他人修改（版本已变化），请刷新页面后重新填写。"

OrgsArg = models.QuerySet[Organization] | Sequence[Organization] | None
# Below this many organisations a fresh evaluation is cheaper than reading the whole tree's cached periods.
MEMO_MIN_ORGS = 200


# --- gathering the facts ----------------------------------------------------------------------------------
def spec_of(req: Requirement) -> engine.RequirementSpec:
    return engine.RequirementSpec(
        id=req.pk,
        key=req.key,
        name=req.name,
        kind_id=req.kind_id,
        kind_key=req.kind.key,
        kind_name=req.kind.name,
        org_kinds=frozenset(req.org_kinds or ()),
        rule=engine.Rule(req.applicability),
        period_kind=PeriodKind(req.period),
        minimum=req.minimum,
        needs_quorum=req.kind.needs_quorum,
        is_core=req.is_core,
    )


def requirement_specs(keys: Iterable[str] | None = None) -> list[engine.RequirementSpec]:
    """The active requirements, in their display order (1 query)."""
    qs = Requirement.objects.filter(is_active=True).select_related("kind").order_by("sort", "id")
    if keys is not None:
        qs = qs.filter(key__in=list(keys))
    return [spec_of(r) for r in qs]


def existing_q(range_period: Period) -> models.Q:
    """Organisations that existed at some time during the range (founded by its end, not dissolved before it)."""
    return (models.Q(founded_on__isnull=True) | models.Q(founded_on__lte=range_period.end)) & (
        models.Q(dissolved_on__isnull=True) | models.Q(dissolved_on__gte=range_period.start)
    )


def orgs_existing_in(range_period: Period) -> models.QuerySet[Organization]:
    return Organization.objects.filter(existing_q(range_period)).order_by("path")


def _org_filter(orgs: OrgsArg, field_name: str) -> dict[str, Any]:
    """A filter restricting related rows to the evaluated organisations: a subquery for a queryset, ids for a
    list, nothing at all when every organisation is evaluated."""
    if orgs is None:
        return {}
    if isinstance(orgs, models.QuerySet):
        return {f"{field_name}__in": orgs.values("pk")}
    return {f"{field_name}__in": [o.pk for o in orgs]}


def _member_facts(orgs: OrgsArg) -> dict[int, list[engine.MemberFacts]]:
    qs = Member.objects.filter(**_org_filter(orgs, "organization_id")).values_list(
        "id", "name", "organization_id", "join_date", "full_date", "left_on", "status", "arrived_on"
    )
    out: dict[int, list[engine.MemberFacts]] = defaultdict(list)
    for mid, name, org_id, join, full, left, status, arrived in rawrows.rows(qs, dates=(3, 4, 5, 7)):
        # On this organisation's roll from the transfer in (转入本组织日期) when there was one (members.asof).
        on_roll_from = arrived or join
        out[org_id].append(
            engine.MemberFacts(mid, name, on_roll_from, full, left, status == MemberStatus.NORMAL)
        )
    return out


def _group_facts(orgs: OrgsArg) -> dict[int, list[engine.GroupFacts]]:
    rows = (
        PartyGroup.objects.filter(is_active=True, **_org_filter(orgs, "organization_id"))
        .order_by("name", "id")
        .values_list("id", "name", "organization_id")
    )
    out: dict[int, list[engine.GroupFacts]] = defaultdict(list)
    for gid, name, org_id in rows:
        out[org_id].append(engine.GroupFacts(gid, name))
    return out


def _activity_facts(orgs: OrgsArg, kind_ids: set[int], start: date, end: date) -> list[engine.ActivityFacts]:
    """One query over the activity ↔ kind table: a row per record and kind, folded into one fact per record."""
    through = Activity.kinds.through
    qs = through.objects.filter(
        activity__is_deleted=False,
        activity__date__gte=start,
        activity__date__lte=end,
        activitykind_id__in=kind_ids,
        **_org_filter(orgs, "activity__organization_id"),
    ).values_list(
        "activity_id",
        "activitykind_id",
        "activity__organization_id",
        "activity__date",
        "activity__party_group_id",
        "activity__quorum_met",
        "activity__talk_a_id",
        "activity__talk_b_id",
    )
    base: dict[int, tuple] = {}
    kinds: dict[int, set[int]] = defaultdict(set)
    for aid, kind_id, *rest in rawrows.rows(qs, dates=(3,), bools=(5,)):
        base[aid] = tuple(rest)
        kinds[aid].add(kind_id)
    return [
        engine.ActivityFacts(aid, org_id, day, frozenset(kinds[aid]), group_id, quorum, talk_a, talk_b)
        for aid, (org_id, day, group_id, quorum, talk_a, talk_b) in base.items()
    ]


def _exemption_facts(orgs: OrgsArg, req_ids: set[int], start: date, end: date) -> list[engine.ExemptionFacts]:
    rows = Exemption.objects.filter(
        revoked=False,
        requirement_id__in=req_ids,
        starts_on__lte=end,
        ends_on__gte=start,
        **_org_filter(orgs, "organization_id"),
    ).values_list("id", "organization_id", "requirement_id", "starts_on", "ends_on")
    return [engine.ExemptionFacts(*row) for row in rows]


@dataclass
class Evaluation:
    """The results and the facts behind them (pages need the organisations and requirements too)."""

    range_period: Period
    today: date
    requirements: list[engine.RequirementSpec]
    orgs: list[Organization]
    facts: dict[int, engine.OrgFacts]
    results: list[Result]
    _cells: dict[tuple[int, int], engine.Cell] | None = field(default=None, repr=False)

    @property
    def cells(self) -> dict[tuple[int, int], engine.Cell]:
        if self._cells is None:
            self._cells = engine.cells(self.results)
        return self._cells

    def rollup_cells(self) -> dict[tuple[int, int], Rollup]:
        parents = [f for f in self.facts.values() if f.kind in ROLLUP_KINDS]
        return engine.rollup_cells(parents, self.cells, self.facts)

    def rollup_periods(self) -> dict[tuple[int, int, Period], Rollup]:
        parents = [f for f in self.facts.values() if f.kind in ROLLUP_KINDS]
        return engine.rollup_periods(parents, self.results, self.facts)


def run(
    range_period: Period,
    orgs: OrgsArg = None,
    today: date | None = None,
    *,
    requirements: Sequence[engine.RequirementSpec] | None = None,
) -> Evaluation:
    """Gather everything in a constant number of queries (requirements, organisations, members, party groups,
    records, exemptions — at most six, whatever the number of organisations) and evaluate.

    Large evaluations (the whole tree, or more than `MEMO_MIN_ORGS` organisations, with the active requirements)
    go through `periodcache`: results of periods that have ended are reused for as long as nothing they were
    computed from has changed, and only the periods still running are evaluated afresh."""
    today = today or timezone.localdate()
    specs = list(requirements) if requirements is not None else requirement_specs()
    org_list = list(orgs_existing_in(range_period) if orgs is None else orgs)
    if requirements is None and specs and (orgs is None or len(org_list) >= MEMO_MIN_ORGS):
        from . import periodcache

        cached = periodcache.run(range_period, org_list, today, specs)
        if cached is not None:
            return cached
    scope = orgs  # None: no filter on the related rows at all (every organisation is evaluated)
    if not specs or not org_list:
        return Evaluation(range_period, today, specs, org_list, {}, [])
    rules = {s.rule for s in specs}
    members = _member_facts(scope) if rules & {engine.Rule.COMMITTEE_7, engine.Rule.ALL_MEMBERS} else {}
    groups = _group_facts(scope) if engine.Rule.EACH_GROUP in rules else {}
    periods = [p for s in specs for p in engine.periods_in_range(range_period, s.period_kind)]
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    activities = _activity_facts(scope, {s.kind_id for s in specs}, start, end)
    exemptions = _exemption_facts(scope, {s.id for s in specs}, start, end)
    facts = {
        o.pk: engine.OrgFacts(
            id=o.pk,
            code=o.code,
            name=o.name,
            kind=o.kind,
            path=o.path,
            founded_on=o.founded_on,
            dissolved_on=o.dissolved_on,
            groups=tuple(groups.get(o.pk, ())),
            members=tuple(members.get(o.pk, ())),
        )
        for o in org_list
    }
    results = engine.evaluate(specs, list(facts.values()), activities, exemptions, range_period, today)
    return Evaluation(range_period, today, specs, org_list, facts, results)


def evaluate(range_period: Period, orgs: OrgsArg = None, today: date | None = None) -> list[Result]:
    """One result per organisation × requirement × the requirement's own period inside `range_period`.

    `orgs=None` evaluates every organisation that existed during the range; otherwise exactly those given
    (a queryset or a list). `today` decides 进行中 (default: today in the site's time zone)."""
    return run(range_period, orgs, today).results


def failing_org_ids(period: Period, today: date | None = None) -> set[int]:
    """Organisations (in practice branches) with any core requirement 未达标 in that period."""
    return {r.org_id for r in evaluate(period, None, today) if r.is_core and r.status is Status.UNMET}


def rollup(
    range_period: Period, orgs: OrgsArg = None, today: date | None = None, *, by_period: bool = False
) -> list[Rollup]:
    """For every 党总支 / 党委 / 机关党委 among `orgs` (default: all): the share of the organisations of its
    subtree that meet each requirement — over the whole range (`by_period=False`: an organisation meets it when
    all its periods are 达标/豁免), or per period."""
    parents = list(orgs_existing_in(range_period) if orgs is None else orgs)
    parents = [p for p in parents if p.kind in ROLLUP_KINDS]
    if not parents:
        return []
    subtree = orgs_existing_in(range_period).filter(
        reduce(operator.or_, (models.Q(path__startswith=p.path) for p in parents))
    )
    ev = run(range_period, subtree, today)
    wanted = {p.pk for p in parents}
    table = ev.rollup_periods() if by_period else ev.rollup_cells()
    return [r for r in table.values() if r.org_id in wanted]


# --- 本月待办 -------------------------------------------------------------------------------------------
@dataclass
class Todo:
    org: Organization
    due: list[Result] = field(default_factory=list)  # the current month / quarter / year, not yet met
    overdue: list[Result] = field(default_factory=list)  # periods of this year that ended 未达标
    applicable: int = 0  # results this year: 0 when no requirement applies to the organisation

    @property
    def count(self) -> int:
        return len(self.due) + len(self.overdue)


def todos(
    orgs: models.QuerySet[Organization] | Sequence[Organization], today: date | None = None
) -> list[Todo]:
    """What each organisation still owes this year, as of today (one evaluation for all of them)."""
    today = today or timezone.localdate()
    org_list = list(orgs)  # a queryset keeps its result cache: run() does not fetch it again
    ev = run(Period.whole_year(today.year), orgs, today)
    per_org: dict[int, Todo] = {o.pk: Todo(o) for o in org_list}
    for r in ev.results:
        item = per_org[r.org_id]
        if r.status is not Status.NA:
            item.applicable += 1
        if today in r.period and r.status is Status.PENDING:
            item.due.append(r)
        elif r.period.has_ended(today) and r.status is Status.UNMET:
            item.overdue.append(r)
    return [per_org[o.pk] for o in org_list]


def todo(org: Organization, today: date | None = None) -> Todo:
    return todos([org], today)[0]


def record_url(org_id: int, kind_key: str) -> str:
    """The activities app's one-click entry form, prefilled (its contract)."""
    return f"/activities/new/?org={org_id}&kinds={kind_key}"


# --- writes: requirements -----------------------------------------------------------------------------------
REQUIREMENT_FIELDS = [
    "name",
    "kind",
    "org_kinds",
    "applicability",
    "period",
    "minimum",
    "citation",
    "citation_status",
    "note",
    "is_core",
    "is_active",
    "sort",
]
BRANCH_ONLY_RULES = {Applicability.COMMITTEE_7: "须设支委会的支部", Applicability.EACH_GROUP: "党小组会"}


def _validate_requirement(data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    kinds = list(data.get("org_kinds") or [])
    unknown = [k for k in kinds if k not in OrgKind.values]
    if not kinds:
        errors["org_kinds"] = "请至少选择一种适用的党组织类别"
    elif unknown:
        errors["org_kinds"] = f"未知的党组织类别：{'、'.join(unknown)}"
    rule = data.get("applicability")
    if rule in BRANCH_ONLY_RULES and kinds and not set(kinds) <= BRANCH_KINDS:
        errors["org_kinds"] = (
            f"“{Applicability(rule).label}”只适用于党支部、联合党支部、临时党支部，请去掉其他类别"
        )
    if data.get("period") not in PeriodChoice.values:
        errors["period"] = "请选择周期：每月、每季度、每半年或每年"
    minimum = data.get("minimum")
    if not isinstance(minimum, int) or not 1 <= minimum <= 99:
        errors["minimum"] = "最少次数应为 1 至 99 之间的整数"
    if not (data.get("citation") or "").strip():
        errors["citation"] = "请填写依据（文件名称及条款），本地规定请写明“地方惯例”"
    if not isinstance(data.get("kind"), ActivityKind):
        errors["kind"] = "请选择活动类型"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_requirement(data: dict[str, Any], *, actor: Any = None, actor_name: str = "") -> Requirement:
    """A local requirement (e.g. 党总支、党委委员会会议). `key` is fixed once created: results are keyed by it."""
    key = (data.get("key") or "").strip()
    if not key:
        raise ValidationError({"key": "请填写代码（英文小写字母、数字、下划线）"})
    if Requirement.objects.filter(key=key).exists():
        raise ValidationError({"key": f"代码“{key}”已被使用，请换一个"})
    _validate_requirement(data)
    req = Requirement(key=key, is_builtin=False, **{f: data[f] for f in REQUIREMENT_FIELDS if f in data})
    req.full_clean()
    req.save()
    audit.log_create(req, actor=actor, actor_name=actor_name, note="新增制度要求")
    return req


@transaction.atomic
def update_requirement(
    req: Requirement, data: dict[str, Any], *, version: int, actor: Any = None, actor_name: str = ""
) -> Requirement:
    """Change any field but the key. Refused when someone saved in between (optimistic concurrency)."""
    current = Requirement.objects.select_for_update().get(pk=req.pk)
    if current.version != version:
        raise ValidationError(STALE_MESSAGE)
    _validate_requirement({f: data.get(f, getattr(current, f)) for f in REQUIREMENT_FIELDS})
    before = audit.snapshot(current)
    for f in REQUIREMENT_FIELDS:
        if f in data:
            setattr(current, f, data[f])
    current.version += 1
    current.full_clean()
    current.save()
    audit.log_update(current, before, actor=actor, actor_name=actor_name, note="修改制度要求")
    return current


# --- writes: exemptions -------------------------------------------------------------------------------------
@transaction.atomic
def grant_exemption(
    organization: Organization,
    requirement: Requirement,
    starts_on: date,
    ends_on: date,
    reason: str,
    *,
    actor: Any = None,
    actor_name: str = "",
) -> Exemption:
    """A reasoned, dated exemption of one organisation from one requirement (status 豁免)."""
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if len(reason) < 4:
        errors["reason"] = "请写明豁免理由（至少4个字），如“企业已进入破产程序，党员全部下岗分散居住”"
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "截止日期不能早于起始日期"
    if organization.kind not in (requirement.org_kinds or []):
        errors["requirement"] = f"“{requirement.name}”不适用于{organization.get_kind_display()}，无需豁免"
    if not errors:
        clash = Exemption.objects.filter(
            organization=organization,
            requirement=requirement,
            revoked=False,
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        ).first()
        if clash is not None:
            errors["starts_on"] = (
                f"与已有豁免（{clash.starts_on:%Y-%m-%d} 至 {clash.ends_on:%Y-%m-%d}）时间重叠，"
                "请先撤销原豁免或调整日期"
            )
    if errors:
        raise ValidationError(errors)
    ex = Exemption.objects.create(
        organization=organization,
        requirement=requirement,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        granted_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.log_create(ex, actor=actor, actor_name=actor_name, note="授予豁免")
    return ex


@transaction.atomic
def revoke_exemption(
    exemption: Exemption, reason: str, *, version: int, actor: Any = None, actor_name: str = ""
) -> Exemption:
    current = Exemption.objects.select_for_update().get(pk=exemption.pk)
    if current.version != version:
        raise ValidationError(STALE_MESSAGE)
    if current.revoked:
        raise ValidationError("该豁免已撤销，无需重复操作")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"revoke_reason": "请写明撤销理由"})
    before = audit.snapshot(current)
    current.revoked = True
    current.revoked_at = timezone.now()
    current.revoked_by = actor if getattr(actor, "pk", None) else None
    current.revoke_reason = reason
    current.version += 1
    current.save()
    audit.log_update(current, before, actor=actor, actor_name=actor_name, note="撤销豁免")
    return current
