"""The database side of compliance: gather the facts in a constant number of queries, run the pure engine;
and the audited writes on requirements and exemptions.

Other apps call `evaluate`, `failing_org_ids`, `rollup` and `todo` by these names.
"""

from __future__ import annotations

import dataclasses
import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import reduce
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from dangjian.accounts import policy
from dangjian.accounts.policy import Perm
from dangjian.accounts.typing import Actor
from dangjian.activities.models import Activity, ActivityKind, ActivityStatus
from dangjian.core import actions, audit, rawrows
from dangjian.core.actions import NON_FIELD, Refusal
from dangjian.core.periods import Period, PeriodKind
from dangjian.members.choices import Status as MemberStatus
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_KINDS, Organization, OrgKind, PartyGroup

from . import engine
from .engine import Result, Rollup, Status
from .models import Applicability, Exemption, PeriodChoice, Requirement, RequirementRevision

# The organisations whose subtree is rolled up (design §4 / issue 3): 党总支, 党委, 机关党委.
ROLLUP_KINDS = frozenset({OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE, OrgKind.ORGAN_COMMITTEE})
STALE_MESSAGE = "该记录已被他人修改（版本已变化），请刷新页面后重新填写。"


class ComplianceRefused(Refusal):
    """A refused write on a requirement or an exemption. `errors` maps a form field (or "__all__") to its
    Chinese message (a requirement can be refused for several reasons at once); `message` joins them."""

    default_code = "compliance_refused"

    def __init__(self, errors: Mapping[str, str] | str, field: str | None = None):
        self.errors = {field or NON_FIELD: errors} if isinstance(errors, str) else dict(errors)
        first = next(iter(self.errors), NON_FIELD)
        super().__init__("；".join(self.errors.values()), None if first == NON_FIELD else first)


def put_on_form(form: Any, exc: Refusal) -> None:
    """Each message of a refusal on its field when the form has it, else among the form's non-field errors."""
    errors = exc.errors if isinstance(exc, ComplianceRefused) else {exc.field or NON_FIELD: exc.message}
    for name, message in errors.items():
        actions.refusal_to_form(form, Refusal(message, None if name == NON_FIELD else name))


def _full_clean(row: models.Model) -> None:
    """The model's own checks, as a refusal."""
    try:
        row.full_clean()
    except ValidationError as exc:
        raise ComplianceRefused(
            {name: "；".join(msgs) for name, msgs in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else "；".join(exc.messages)
        ) from None


OrgsArg = models.QuerySet[Organization] | Sequence[Organization] | None
# Below this many organisations a fresh evaluation is cheaper than reading the whole tree's cached periods.
MEMO_MIN_ORGS = 200


# --- gathering the facts ----------------------------------------------------------------------------------
def _rule_spec(req: Requirement, rule: Requirement | RequirementRevision, number: int, valid_from: date):
    return engine.RequirementSpec(
        id=req.pk,
        key=req.key,
        name=req.name,
        kind_id=rule.kind_id,
        kind_key=rule.kind.key,
        kind_name=rule.kind.name,
        org_kinds=frozenset(rule.org_kinds or ()),
        rule=engine.Rule(rule.applicability),
        period_kind=PeriodKind(rule.period),
        minimum=rule.minimum,
        needs_quorum=rule.kind.needs_quorum,
        is_core=req.is_core,
        revision=number,
        valid_from=valid_from,
        citation=rule.citation,
    )


def _revisions(req: Requirement) -> list[RequirementRevision]:
    cache = getattr(req, "_prefetched_objects_cache", {})
    if "revisions" in cache:
        return sorted(cache["revisions"], key=lambda r: r.valid_from)
    return list(req.revisions.select_related("kind").order_by("valid_from"))


def spec_of(
    req: Requirement, at: date | None = None, revisions: Sequence[RequirementRevision] | None = None
) -> engine.RequirementSpec:
    """The requirement with every revision of its rule. The spec's own fields are the revision governing `at`
    (default: the latest) — what a page shows for a range; the engine picks each period's own revision.
    A requirement without revision rows (made outside the services) is one revision valid from the beginning."""
    revs = list(revisions) if revisions is not None else _revisions(req)
    if not revs:
        return _rule_spec(req, req, 1, engine.BEGINNING)
    specs = tuple(_rule_spec(req, r, r.number, r.valid_from) for r in revs)
    top = specs[-1]
    if at is not None:
        top = next((s for s in reversed(specs) if s.valid_from <= at), specs[0])
    return dataclasses.replace(top, revisions=specs)


def requirement_specs(
    keys: Iterable[str] | None = None, *, range_period: Period | None = None
) -> list[engine.RequirementSpec]:
    """The active requirements, in their display order (2 queries). With `range_period`: described by the
    revision in force at the range's start, and without those whose first revision starts after the range."""
    qs = (
        Requirement.objects.filter(is_active=True)
        .select_related("kind")
        .prefetch_related(models.Prefetch("revisions", RequirementRevision.objects.select_related("kind")))
        .order_by("sort", "id")
    )
    if keys is not None:
        qs = qs.filter(key__in=list(keys))
    at = range_period.start if range_period is not None else None
    specs = [spec_of(r, at) for r in qs]
    if range_period is not None:
        specs = [s for s in specs if (s.revisions or (s,))[0].valid_from <= range_period.end]
    return specs


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
        # drafts and 退回 records never count; submitted ones may make a period 待审核 (engine)
        activity__status__in=[ActivityStatus.APPROVED, ActivityStatus.SUBMITTED],
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
        "activity__status",
    )
    base: dict[int, tuple] = {}
    kinds: dict[int, set[int]] = defaultdict(set)
    for aid, kind_id, *rest in rawrows.rows(qs, dates=(3,), bools=(5,)):
        base[aid] = tuple(rest)
        kinds[aid].add(kind_id)
    return [
        engine.ActivityFacts(
            aid,
            org_id,
            day,
            frozenset(kinds[aid]),
            group_id,
            quorum,
            talk_a,
            talk_b,
            status == ActivityStatus.APPROVED,
        )
        for aid, (org_id, day, group_id, quorum, talk_a, talk_b, status) in base.items()
    ]


def _exemption_facts(orgs: OrgsArg, req_ids: set[int], start: date, end: date) -> list[engine.ExemptionFacts]:
    """Exemptions in force during [start, end]: a dated revocation ends one the day before it takes effect, so
    the periods before a revocation keep their 豁免 (a revocation without a date, from before revocations were
    dated, is from the first day)."""
    rows = Exemption.objects.filter(
        models.Q(revoked=False) | models.Q(revoked_from__gt=start),
        requirement_id__in=req_ids,
        starts_on__lte=end,
        ends_on__gte=start,
        **_org_filter(orgs, "organization_id"),
    ).values_list(
        "id", "organization_id", "requirement_id", "starts_on", "ends_on", "revoked", "revoked_from"
    )
    out = []
    for pk, org_id, req_id, starts, ends, revoked, revoked_from in rows:
        if revoked and revoked_from is not None:
            ends = min(ends, revoked_from - timedelta(days=1))
        if ends >= starts and ends >= start:
            out.append(engine.ExemptionFacts(pk, org_id, req_id, starts, ends))
    return out


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
    specs = list(requirements) if requirements is not None else requirement_specs(range_period=range_period)
    org_list = list(orgs_existing_in(range_period) if orgs is None else orgs)
    if requirements is None and specs and (orgs is None or len(org_list) >= MEMO_MIN_ORGS):
        from . import periodcache

        cached = periodcache.run(range_period, org_list, today, specs)
        if cached is not None:
            return cached
    scope = orgs  # None: no filter on the related rows at all (every organisation is evaluated)
    if not specs or not org_list:
        return Evaluation(range_period, today, specs, org_list, {}, [])
    rules = {r.rule for s in specs for r in (s.revisions or (s,))}
    members = _member_facts(scope) if rules & {engine.Rule.COMMITTEE_7, engine.Rule.ALL_MEMBERS} else {}
    groups = _group_facts(scope) if engine.Rule.EACH_GROUP in rules else {}
    periods = [p for s in specs for p in engine.requirement_periods(s, range_period)]
    if not periods:
        return Evaluation(range_period, today, specs, org_list, {}, [])
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    activities = _activity_facts(scope, kind_ids(specs), start, end)
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


def kind_ids(specs: Iterable[engine.RequirementSpec]) -> set[int]:
    """The activity kinds counted by any revision of the requirements."""
    return {r.kind_id for s in specs for r in (s.revisions or (s,))}


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
        raise ComplianceRefused(errors)


RULE_FIELDS = ["kind", "org_kinds", "applicability", "period", "minimum", "citation", "citation_status"]
CORRECTION_DENIED = "只有局党建管理员可以更正已开始期间的制度要求（生效日期早于或等于今天）"


def acts_for_bureau(actor: Actor) -> bool:
    """The bureau admin, or the command line / demo (no user), which acts for the bureau."""
    return actor is None or not actor.pk or policy.can(actor, Perm.MANAGE_BUREAU)


def next_period_start(period: str, today: date, previous_period: str | None = None) -> date:
    """The default start of a new revision: the first day of the requirement's next period (of the next year
    when the period itself changes, so that the periods still tile the time)."""
    if previous_period is not None and previous_period != period:
        return date(today.year + 1, 1, 1)
    return Period.containing(today, PeriodKind(period)).next().start


def is_correction(valid_from: date, today: date) -> bool:
    """A revision valid from a day that has come: periods that have started would change."""
    return valid_from <= today


def _check_valid_from(
    valid_from: date,
    period: str,
    previous: RequirementRevision | None,
    today: date,
    actor: Actor,
    reason: str,
) -> None:
    errors: dict[str, str] = {}
    if (
        period in PeriodChoice.values
        and Period.containing(valid_from, PeriodKind(period)).start != valid_from
    ):
        errors["valid_from"] = "生效日期须为一个周期的第一天（如每月1日、每季度首日）"
    elif previous is not None and previous.period != period and (valid_from.month, valid_from.day) != (1, 1):
        errors["valid_from"] = "改变周期的修订须自某年1月1日起生效"
    if is_correction(valid_from, today):
        if not acts_for_bureau(actor):
            raise PermissionDenied(CORRECTION_DENIED)
        if len((reason or "").strip()) < 4:
            errors["reason"] = "生效日期早于或等于今天属于更正既往结果，请写明更正理由（至少4个字）"
    if errors:
        raise ComplianceRefused(errors)


def _governing(req: Requirement, day: date) -> RequirementRevision | None:
    found = None
    for rev in _revisions(req):
        if rev.valid_from <= day:
            found = rev
    return found


def _ensure_first_revision(req: Requirement) -> None:
    """A requirement made outside the services (fixtures) gets its revision 1 from its own rule."""
    if not req.revisions.exists():
        RequirementRevision.objects.create(
            requirement=req,
            number=1,
            valid_from=engine.BEGINNING,
            reason="初始版本",
            **{f: getattr(req, f) for f in RULE_FIELDS},
        )


def _sync_from_latest(req: Requirement) -> None:
    """The requirement row mirrors its latest revision's rule (what a new period will be governed by)."""
    latest = req.revisions.order_by("-valid_from").first()
    if latest is not None:
        for f in RULE_FIELDS:
            setattr(req, f, getattr(latest, f))


def _write_revision(
    req: Requirement,
    rule: dict[str, Any],
    valid_from: date,
    reason: str,
    correction: bool,
    actor: Actor,
    actor_name: str,
) -> RequirementRevision:
    what = "更正既往制度要求" if correction else "修订制度要求"
    note = f"{what}：自{valid_from:%Y-%m-%d}起适用" + (f"；理由：{reason}" if reason else "")
    same = req.revisions.select_for_update().filter(valid_from=valid_from).first()
    if same is not None:
        before = audit.snapshot(same)
        for f in RULE_FIELDS:
            setattr(same, f, rule[f])
        same.reason, same.is_correction = reason, correction or same.is_correction
        same.save()
        audit.log_update(same, before, actor=actor, actor_name=actor_name, note=note)
        return same
    number = (req.revisions.aggregate(n=models.Max("number"))["n"] or 0) + 1
    rev = RequirementRevision.objects.create(
        requirement=req,
        number=number,
        valid_from=valid_from,
        reason=reason,
        is_correction=correction,
        created_by=actor if getattr(actor, "pk", None) else None,
        **{f: rule[f] for f in RULE_FIELDS},
    )
    audit.log_create(rev, actor=actor, actor_name=actor_name, note=note)
    return rev


@transaction.atomic
def create_requirement(
    data: dict[str, Any],
    *,
    actor: Actor = None,
    actor_name: str = "",
    valid_from: date | None = None,
    reason: str = "",
    today: date | None = None,
) -> Requirement:
    """A local requirement (e.g. 党总支、党委委员会会议). `key` is fixed once created: results are keyed by it.
    Its revision 1 is valid from `valid_from` (default: the start of its next period — a new rule does not
    rewrite periods that have started; an earlier start is a correction, the bureau's)."""
    key = (data.get("key") or "").strip()
    if not key:
        raise ComplianceRefused({"key": "请填写代码（英文小写字母、数字、下划线）"})
    if Requirement.objects.filter(key=key).exists():
        raise ComplianceRefused({"key": f"代码“{key}”已被使用，请换一个"})
    _validate_requirement(data)
    today = today or timezone.localdate()
    valid_from = valid_from or next_period_start(data["period"], today)
    _check_valid_from(valid_from, data["period"], None, today, actor, reason)
    req = Requirement(key=key, is_builtin=False, **{f: data[f] for f in REQUIREMENT_FIELDS if f in data})
    _full_clean(req)
    req.save()
    audit.log_create(req, actor=actor, actor_name=actor_name, note="新增制度要求")
    _write_revision(req, data, valid_from, reason, is_correction(valid_from, today), actor, actor_name)
    return req


def rule_changes(req: Requirement, data: dict[str, Any], valid_from: date | None) -> dict[str, list[Any]]:
    """The rule fields `data` changes against the revision in force at `valid_from` (default: the latest)."""
    governing = _governing(req, valid_from) if valid_from is not None else None
    base: Requirement | RequirementRevision = governing or req
    out: dict[str, list[Any]] = {}
    for f in RULE_FIELDS:
        old = getattr(base, f)
        if f in data and (sorted(data[f]) != sorted(old or []) if f == "org_kinds" else data[f] != old):
            out[f] = [old, data[f]]
    return out


@transaction.atomic
def update_requirement(
    req: Requirement,
    data: dict[str, Any],
    *,
    version: int,
    actor: Actor = None,
    actor_name: str = "",
    valid_from: date | None = None,
    reason: str = "",
    today: date | None = None,
) -> Requirement:
    """Change any field but the key. A change of the rule (kind, org kinds, applicability, period, minimum,
    citation) is a new revision valid from `valid_from` (default: the start of the next period); periods that
    started before it keep their revision. A start on or before today is a correction: only the bureau (or the
    command line) may make it, with a reason, and it is audited. Refused when someone saved in between."""
    current = actions.lock(Requirement, req.pk, expected_version=version, message=STALE_MESSAGE)
    merged = {f: data.get(f, getattr(current, f)) for f in REQUIREMENT_FIELDS}
    _validate_requirement(merged)
    today = today or timezone.localdate()
    before = audit.snapshot(current)
    _ensure_first_revision(current)
    if rule_changes(current, data, valid_from):
        valid_from = valid_from or next_period_start(merged["period"], today, current.period)
        _check_valid_from(valid_from, merged["period"], _governing(current, valid_from), today, actor, reason)
        rule = {f: merged[f] for f in RULE_FIELDS}
        _write_revision(
            current, rule, valid_from, reason, is_correction(valid_from, today), actor, actor_name
        )
    for f in REQUIREMENT_FIELDS:
        if f in data and f not in RULE_FIELDS:
            setattr(current, f, data[f])
    _sync_from_latest(current)
    _full_clean(current)
    actions.save_versioned(
        current,
        expected_version=version,
        actor=actor,
        actor_name=actor_name,
        event="requirement.update",
        note="修改制度要求",
        before=before,
        locked=True,
        message=STALE_MESSAGE,
    )
    return current


@dataclass(frozen=True)
class CorrectionChange:
    period: Period
    org_code: str
    org_name: str
    before: str
    after: str


def correction_preview(
    req: Requirement, data: dict[str, Any], valid_from: date, today: date | None = None
) -> list[CorrectionChange]:
    """The results of periods that have started which a revision valid from `valid_from` would change
    (organisation, period, status now → status after), for the edit page to show before a correction."""
    today = today or timezone.localdate()
    revs = [r for r in _revisions(req) if r.valid_from != valid_from]
    proposed = RequirementRevision(
        requirement=req,
        number=0,
        valid_from=valid_from,
        **{f: data.get(f, getattr(req, f)) for f in RULE_FIELDS},
    )
    old_spec = spec_of(req)
    new_spec = spec_of(req, revisions=sorted([*revs, proposed], key=lambda r: r.valid_from))
    changes: list[CorrectionChange] = []
    names = dict(Organization.objects.values_list("code", "name"))
    for year in range(max(valid_from.year, today.year - 10), today.year + 1):
        rng = Period.whole_year(year)
        before = {(r.org_code, r.period): r for r in run(rng, None, today, requirements=[old_spec]).results}
        after = {(r.org_code, r.period): r for r in run(rng, None, today, requirements=[new_spec]).results}
        for key in sorted(before.keys() | after.keys(), key=lambda k: (k[1].start, k[0])):
            code, period = key
            if period.start < valid_from or period.start > today:
                continue
            a, b = before.get(key), after.get(key)
            sa, sb = str(a.status) if a else "—", str(b.status) if b else "—"
            if sa != sb or (a and b and (a.required, a.done) != (b.required, b.done)):
                changes.append(CorrectionChange(period, code, names.get(code, code), sa, sb))
    return changes


# --- writes: exemptions -------------------------------------------------------------------------------------
@transaction.atomic
def grant_exemption(
    organization: Organization,
    requirement: Requirement,
    starts_on: date,
    ends_on: date,
    reason: str,
    *,
    actor: Actor = None,
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
        clash = next(
            (
                e
                for e in Exemption.objects.filter(
                    organization=organization,
                    requirement=requirement,
                    starts_on__lte=ends_on,
                    ends_on__gte=starts_on,
                )
                if (end := e.effective_end) is not None and end >= starts_on
            ),
            None,
        )
        if clash is not None:
            errors["starts_on"] = (
                f"与已有豁免（{clash.starts_on:%Y-%m-%d} 至 {clash.effective_end:%Y-%m-%d}）时间重叠，"
                "请先撤销原豁免或调整日期"
            )
    if errors:
        raise ComplianceRefused(errors)
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
    exemption: Exemption,
    reason: str,
    *,
    version: int,
    actor: Actor = None,
    actor_name: str = "",
    effective: date | None = None,
    today: date | None = None,
) -> Exemption:
    """Revoke from `effective` (default today): periods that started before it keep their 豁免. An earlier
    date rewrites past results: a correction, the bureau's only."""
    today = today or timezone.localdate()
    effective = effective or today
    if effective < today and not acts_for_bureau(actor):
        raise PermissionDenied("只有局党建管理员可以追溯撤销豁免")
    current = actions.lock(Exemption, exemption.pk, expected_version=version, message=STALE_MESSAGE)
    if current.revoked:
        raise ComplianceRefused("该豁免已撤销，无需重复操作")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ComplianceRefused({"revoke_reason": "请写明撤销理由"})
    before = audit.snapshot(current)
    current.revoked = True
    current.revoked_at = timezone.now()
    current.revoked_by = actor if getattr(actor, "pk", None) else None
    current.revoke_reason = reason
    current.revoked_from = max(effective, current.starts_on)
    note = "撤销豁免"
    if effective < today:
        note = f"追溯撤销豁免（更正既往，自{current.revoked_from:%Y-%m-%d}起）"
    actions.save_versioned(
        current,
        expected_version=version,
        actor=actor,
        actor_name=actor_name,
        event="exemption.update",
        note=note,
        before=before,
        locked=True,
        message=STALE_MESSAGE,
    )
    return current
