"""The compliance engine (design §4, §4.1). Pure: no database, no Django.

requirements × organisation facts × activity records → one `Result` per organisation × requirement × the
requirement's own period inside the asked range. The ORM side (`services.py`) only gathers the facts.

Decisions written down here because the design leaves them open:

* **Periods of a range.** A requirement gives the periods of its own kind that *overlap* the asked range: a
  monthly requirement gives 12 months for a year and 3 for a quarter; a yearly requirement asked for a quarter or a
  month gives its one enclosing year (its status as of today), so that a quarter's or a month's view still says
  whether the year's 组织生活会 is done. A requirement applies only to the organisation kinds it lists; for other
  kinds there is no result at all (not a 不适用 row).
* **Lifetime.** A requirement applies from the first *whole* period after founding (founded 2025-07-15: July and
  Q3 不适用, August and Q4 count) up to the last period that ends on or before the dissolution date (an
  organisation dissolved on 2025-08-15 owes nothing for August or Q3, symmetrical to founding).
* **Exemption.** A (non-revoked) exemption whose dates overlap the period gives 豁免 — unless the requirement is
  met anyway, then the result is 达标 (what was done is shown, not hidden) and still names the exemption.
  不适用 wins over both.
* **进行中** = the period has not ended and the count is not yet met (this includes periods not yet begun).
* **Counting.** A record counts for every kind it carries. Deleted (作废) records never reach the engine. A record
  whose `quorum_met` is False does not count for a requirement whose kind needs a quorum (支部党员大会, 支部条例
  第十一条); it is reported in `excluded_ids`.
* **Review gates 达标 (issue 13).** Only approved records count (`done`, `activity_ids`). Records submitted and
  awaiting review reach the engine with `approved=False`: when the count is met only with them the status is
  待审核 (neither 达标 nor 未达标); they are listed in `awaiting_ids`. Drafts and 退回 records never reach it.
  Order of decision: 不适用, 达标, 待审核, 豁免, 进行中, 未达标.
* **Revisions (issue 13).** A requirement's rule is a series of revisions, each valid from a period start. A
  period is governed by the latest revision whose `valid_from` is on or before the period's first day, so a
  period that has started keeps the revision it started with; periods before the first revision owe nothing
  (no result). A period of a kind other than its governing revision's kind gives no result either (a change of
  period kind takes effect at a year's start, so the periods tile the time).
* **支委会 (committee_7).** Only for branches with at least 7 正式党员 at the period's end, counted from each
  member's join / 转正 / leaving dates (a member no longer 正常 without a leaving date is not counted).
  Members are counted in their current organisation (an internal move is not replayed into the past).
* **党小组会 (each_group).** Every active 党小组 of the branch must meet `minimum` times; required = minimum ×
  groups, done = Σ min(meetings of the group, minimum), so the branch is 达标 exactly when every group is.
  Only records naming the group (`party_group`) count. No active group → 不适用.
* **谈心谈话 (all_members).** required = the members on the roll at the period's end (or today, for the current
  period), done = those of them who took part (谈话人 or 谈话对象) in at least `minimum` talks of the period.
  That one party is the secretary or a committee member is checked where the talk is recorded. No member → 不适用.
* For 不适用 results `required` is 0; `done` and the records are still reported.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any

from dangjian.core.periods import Period, PeriodKind, first_whole_period_start

COMMITTEE_THRESHOLD = 7  # 支部条例 第二十条: 正式党员7人以上的党支部设立支部委员会


class Status(StrEnum):
    MET = "达标"
    UNMET = "未达标"
    PENDING = "进行中"
    AWAITING = "待审核"
    NA = "不适用"
    EXEMPT = "豁免"


STATUSES = [Status.MET, Status.UNMET, Status.PENDING, Status.AWAITING, Status.EXEMPT, Status.NA]
BEGINNING = date(1900, 1, 1)  # revision 1 of the default requirements is valid "from the beginning"


class Rule(StrEnum):
    """How a requirement decides whether it applies and what it counts (= models.Applicability values)."""

    ORG = "org"
    COMMITTEE_7 = "committee_7"
    EACH_GROUP = "each_group"
    ALL_MEMBERS = "all_members"


# --- inputs ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RequirementSpec:
    id: int
    key: str
    name: str
    kind_id: int
    kind_key: str
    kind_name: str
    org_kinds: frozenset[str]
    rule: Rule
    period_kind: PeriodKind
    minimum: int = 1
    needs_quorum: bool = False
    is_core: bool = True
    revision: int = 1
    valid_from: date = BEGINNING
    citation: str = ""
    # every revision of the requirement in time order (each a spec of its own); () = this spec is the only one
    revisions: tuple[RequirementSpec, ...] = ()

    def schedule(self, range_period: Period) -> list[tuple[Period, RequirementSpec]]:
        """The requirement's periods inside the range, each with the revision governing it, in time order."""
        revs = self.revisions or (self,)
        out: list[tuple[Period, RequirementSpec]] = []
        for i, rev in enumerate(revs):
            until = revs[i + 1].valid_from if i + 1 < len(revs) else None
            for p in periods_in_range(range_period, rev.period_kind):
                if p.start >= rev.valid_from and (until is None or p.start < until):
                    out.append((p, rev))
        out.sort(key=lambda pr: (pr[0].start, pr[0].end))
        return out

    def governing(self, day: date) -> RequirementSpec | None:
        """The revision in force for a period starting on `day` (None before the first one)."""
        found = None
        for rev in self.revisions or (self,):
            if rev.valid_from <= day:
                found = rev
        return found


@dataclass(frozen=True, slots=True)  # hundreds of thousands at city scale, memoised
class MemberFacts:
    id: int
    name: str
    join_date: date
    full_date: date | None = None
    left_on: date | None = None
    on_roll: bool = True  # status 正常 today

    def on_roll_at(self, day: date) -> bool:
        if self.join_date > day:
            return False
        if self.left_on is not None:
            return self.left_on > day
        return self.on_roll

    def full_at(self, day: date) -> bool:
        return self.on_roll_at(day) and self.full_date is not None and self.full_date <= day


@dataclass(frozen=True)
class GroupFacts:
    id: int
    name: str


@dataclass(frozen=True)
class OrgFacts:
    id: int
    code: str
    name: str
    kind: str
    path: str = ""
    founded_on: date | None = None
    dissolved_on: date | None = None
    groups: tuple[GroupFacts, ...] = ()
    members: tuple[MemberFacts, ...] = ()

    def is_descendant_of(self, other: OrgFacts) -> bool:
        return self.id != other.id and bool(other.path) and self.path.startswith(other.path)

    @cached_property
    def full_spans(self) -> tuple[list[date], list[date]]:
        """`_full_spans` of the members, built once: the facts are memoised and evaluated period after period."""
        return _full_spans(self.members)


@dataclass(frozen=True, slots=True)  # hundreds of thousands at city scale, memoised
class ActivityFacts:
    id: int
    org_id: int
    date: date
    kind_ids: frozenset[int]
    party_group_id: int | None = None
    quorum_met: bool | None = None
    talk_a_id: int | None = None
    talk_b_id: int | None = None
    approved: bool = True  # False: submitted, awaiting review (drafts and 退回 records are not facts at all)


@dataclass(frozen=True)
class ExemptionFacts:
    """`ends_on` is the effective end: the exemption's own end, or the day before a dated revocation."""

    id: int
    org_id: int
    requirement_id: int
    starts_on: date
    ends_on: date

    def overlaps(self, period: Period) -> bool:
        return self.starts_on <= period.end and self.ends_on >= period.start


# --- outputs --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)  # hundreds of thousands at city scale, memoised
class Result:
    org_id: int
    org_code: str
    requirement_id: int
    requirement_key: str
    kind_key: str
    kind_name: str
    period: Period
    required: int
    done: int
    status: Status
    activity_ids: tuple[int, ...] = ()
    excluded_ids: tuple[int, ...] = ()  # records of the kind that do not count (法定人数不足)
    exemption_id: int | None = None
    note: str = ""  # why 不适用, in Chinese
    missing: tuple[str, ...] = ()  # the groups / members not yet covered
    is_core: bool = True
    requirement_name: str = ""
    revision: int = 1  # the revision of the requirement that governed the period
    citation: str = ""  # that revision's citation
    minimum: int = 1  # that revision's minimum
    awaiting_ids: tuple[int, ...] = ()  # submitted records not yet approved (they would count once approved)

    def as_json(self) -> dict[str, Any]:
        """The row of `dangjian compliance --json` (design §4), exactly these keys."""
        return {
            "org": self.org_code,
            "requirement": self.requirement_key,
            "kind": self.kind_name,
            "period": str(self.period),
            "required": self.required,
            "done": self.done,
            "status": str(self.status),
            "activities": list(self.activity_ids),
        }


@dataclass(frozen=True)
class Cell:
    """One organisation × requirement over the asked range: its periods' results and their summary status."""

    org_id: int
    requirement_id: int
    results: tuple[Result, ...]
    status: Status

    @property
    def counted(self) -> list[Result]:
        return [r for r in self.results if r.status is not Status.NA]

    @property
    def met_periods(self) -> int:
        return sum(1 for r in self.results if r.status is Status.MET)

    @property
    def summary(self) -> str:
        """What the matrix cell says: done/required for one period, met periods/periods for several."""
        if len(self.results) == 1:
            r = self.results[0]
            return "—" if r.status is Status.NA else f"{r.done}/{r.required}"
        counted = self.counted
        return f"{self.met_periods}/{len(counted)}期" if counted else "—"


@dataclass(frozen=True)
class Rollup:
    """For a 党总支 / 党委 / 机关党委: how many organisations of its subtree meet one requirement."""

    org_id: int
    requirement_id: int
    period: Period | None  # None: over the whole asked range (cells), else one period
    met: int
    unmet: int
    pending: int
    exempt: int
    not_applicable: int
    status: Status
    awaiting: int = 0

    @property
    def counted(self) -> int:
        """The denominator: organisations that owe the requirement (not 不适用, not 豁免)."""
        return self.met + self.unmet + self.pending + self.awaiting

    @property
    def share(self) -> float | None:
        return self.met / self.counted if self.counted else None

    @property
    def percent(self) -> str:
        return "—" if self.share is None else f"{round(self.share * 100)}%"


# --- periods --------------------------------------------------------------------------------------------
def periods_in_range(range_period: Period, kind: PeriodKind | str) -> list[Period]:
    """The periods of a kind overlapping the range (a coarser one gives its enclosing period)."""
    return range_period.subperiods(kind)


def requirement_periods(req: RequirementSpec, range_period: Period) -> list[Period]:
    """The requirement's own periods inside the range, under the revisions that govern them."""
    return [p for p, _ in req.schedule(range_period)]


def lifetime_gap(org: OrgFacts, period: Period) -> str:
    """Why the organisation owes nothing for this period because of its founding / dissolution, or ''."""
    # founded on or before the period's first day: the period is whole (the common case, decided without dates)
    if (
        org.founded_on is not None
        and org.founded_on > period.start
        and period.start < first_whole_period_start(org.founded_on, period.kind)
    ):
        if period.end < org.founded_on:
            return "尚未成立"
        return f"{org.founded_on:%Y-%m-%d}成立，自成立后首个完整周期起适用"
    if org.dissolved_on is not None and period.end > org.dissolved_on:
        return f"已于{org.dissolved_on:%Y-%m-%d}撤销"
    return ""


# --- the index of records -------------------------------------------------------------------------------
def _full_spans(members: Iterable[MemberFacts]) -> tuple[list[date], list[date]]:
    """For each member who is ever 正式 on the roll: the day that starts (the later of joining and 转正) and the
    day it stops (leaving, exclusive; never for a member still 正常). Sorted, for counting by bisection."""
    starts: list[date] = []
    ends: list[date] = []
    for m in members:
        if m.full_date is None or (m.left_on is None and not m.on_roll):
            continue
        start = max(m.join_date, m.full_date)
        if m.left_on is not None:
            if m.left_on <= start:
                continue
            ends.append(m.left_on)
        starts.append(start)
    starts.sort()
    ends.sort()
    return starts, ends


class _Index:
    """Records by (organisation, kind) and (party group, kind), sorted by date for range look-ups."""

    def __init__(self, activities: Iterable[ActivityFacts]):
        by_org: dict[tuple[int, int], list[ActivityFacts]] = defaultdict(list)
        by_group: dict[tuple[int, int], list[ActivityFacts]] = defaultdict(list)
        for a in activities:
            for k in a.kind_ids:
                by_org[(a.org_id, k)].append(a)
                if a.party_group_id is not None:
                    by_group[(a.party_group_id, k)].append(a)
        self._org = {key: self._sorted(v) for key, v in by_org.items()}
        self._group = {key: self._sorted(v) for key, v in by_group.items()}

    @staticmethod
    def _sorted(items: list[ActivityFacts]) -> tuple[list[date], list[ActivityFacts]]:
        items.sort(key=lambda a: (a.date, a.id))
        return [a.date for a in items], items

    @staticmethod
    def _slice(entry: tuple[list[date], list[ActivityFacts]] | None, period: Period) -> list[ActivityFacts]:
        if entry is None:
            return []
        dates, items = entry
        return items[bisect.bisect_left(dates, period.start) : bisect.bisect_right(dates, period.end)]

    def full_members(self, org: OrgFacts, day: date) -> int:
        """正式党员 on the roll of the organisation on that day (= `MemberFacts.full_at`), by bisection in the
        organisation's sorted 正式-from and left-on dates, built once per organisation."""
        starts, ends = org.full_spans
        return bisect.bisect_right(starts, day) - bisect.bisect_right(ends, day)

    def for_org(self, org_id: int, kind_id: int, period: Period) -> list[ActivityFacts]:
        return self._slice(self._org.get((org_id, kind_id)), period)

    def for_group(self, group_id: int, kind_id: int, period: Period) -> list[ActivityFacts]:
        return self._slice(self._group.get((group_id, kind_id)), period)


def _split_quorum(
    req: RequirementSpec, records: list[ActivityFacts]
) -> tuple[list[ActivityFacts], list[int]]:
    if not req.needs_quorum:
        return records, []
    counted = [a for a in records if a.quorum_met is not False]
    excluded = [a.id for a in records if a.quorum_met is False]
    return counted, excluded


@dataclass
class _Count:
    required: int
    done: int
    activity_ids: list[int] = field(default_factory=list)
    excluded_ids: list[int] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    na_note: str = ""
    with_awaiting: int = 0  # done, if the records awaiting review were approved
    awaiting_ids: list[int] = field(default_factory=list)


def _count_org(req: RequirementSpec, org: OrgFacts, period: Period, idx: _Index) -> _Count:
    counted, excluded = _split_quorum(req, idx.for_org(org.id, req.kind_id, period))
    approved = [a.id for a in counted if a.approved]
    result = _Count(req.minimum, len(approved), approved, excluded)
    result.with_awaiting = len(counted)
    result.awaiting_ids = [a.id for a in counted if not a.approved]
    if req.rule is Rule.COMMITTEE_7:
        full = idx.full_members(org, period.end)
        if full < COMMITTEE_THRESHOLD:
            result.na_note = f"期末正式党员{full}名，不足{COMMITTEE_THRESHOLD}名，不设支部委员会"
    return result


def _count_groups(req: RequirementSpec, org: OrgFacts, period: Period, idx: _Index) -> _Count:
    if not org.groups:
        return _Count(0, 0, na_note="未设党小组")
    result = _Count(req.minimum * len(org.groups), 0)
    ids: set[int] = set()
    awaiting: set[int] = set()
    for g in org.groups:
        counted, excluded = _split_quorum(req, idx.for_group(g.id, req.kind_id, period))
        approved = [a for a in counted if a.approved]
        result.done += min(len(approved), req.minimum)
        result.with_awaiting += min(len(counted), req.minimum)
        ids.update(a.id for a in approved)
        awaiting.update(a.id for a in counted if not a.approved)
        result.excluded_ids.extend(excluded)
        if len(approved) < req.minimum:
            result.missing.append(g.name)
    result.activity_ids = sorted(ids)
    result.awaiting_ids = sorted(awaiting)
    return result


def _roll_reference_day(period: Period, today: date) -> date:
    """Whose membership a whole-membership requirement covers: the roll at the period's end, or today."""
    return min(period.end, max(today, period.start))


def _count_members(req: RequirementSpec, org: OrgFacts, period: Period, idx: _Index, today: date) -> _Count:
    day = _roll_reference_day(period, today)
    roll = {m.id: m for m in org.members if m.on_roll_at(day)}
    if not roll:
        return _Count(0, 0, na_note="无在册党员")
    talks: dict[int, int] = defaultdict(int)
    all_talks: dict[int, int] = defaultdict(int)
    ids: list[int] = []
    awaiting: list[int] = []
    for a in idx.for_org(org.id, req.kind_id, period):
        parties = {a.talk_a_id, a.talk_b_id} & roll.keys()
        if parties:
            (ids if a.approved else awaiting).append(a.id)
        for pid in parties:
            all_talks[pid] += 1
            if a.approved:
                talks[pid] += 1
    done = sum(1 for mid in roll if talks[mid] >= req.minimum)
    missing = sorted(m.name for mid, m in roll.items() if talks[mid] < req.minimum)
    result = _Count(len(roll), done, ids, [], missing)
    result.with_awaiting = sum(1 for mid in roll if all_talks[mid] >= req.minimum)
    result.awaiting_ids = awaiting
    return result


def _decide(count: _Count, period: Period, today: date, exemption: ExemptionFacts | None) -> Status:
    if count.na_note:
        return Status.NA
    if count.done >= count.required:
        return Status.MET
    if count.with_awaiting >= count.required:
        return Status.AWAITING
    if exemption is not None:
        return Status.EXEMPT
    if not period.has_ended(today):
        return Status.PENDING
    return Status.UNMET


def evaluate_one(
    req: RequirementSpec,
    org: OrgFacts,
    period: Period,
    idx: _Index,
    exemptions: Sequence[ExemptionFacts],
    today: date,
) -> Result:
    if req.rule is Rule.EACH_GROUP:
        count = _count_groups(req, org, period, idx)
    elif req.rule is Rule.ALL_MEMBERS:
        count = _count_members(req, org, period, idx, today)
    else:
        count = _count_org(req, org, period, idx)
    gap = lifetime_gap(org, period)
    if gap:
        count.na_note = gap
    exemption = next((e for e in exemptions if e.overlaps(period)), None)
    status = _decide(count, period, today, exemption)
    return Result(
        org_id=org.id,
        org_code=org.code,
        requirement_id=req.id,
        requirement_key=req.key,
        kind_key=req.kind_key,
        kind_name=req.kind_name,
        period=period,
        required=0 if status is Status.NA else count.required,
        done=count.done,
        status=status,
        activity_ids=tuple(count.activity_ids),
        excluded_ids=tuple(count.excluded_ids),
        exemption_id=exemption.id if exemption is not None and status is not Status.NA else None,
        note=count.na_note,
        missing=() if status is Status.NA else tuple(count.missing),
        is_core=req.is_core,
        requirement_name=req.name,
        revision=req.revision,
        citation=req.citation,
        minimum=req.minimum,
        awaiting_ids=tuple(count.awaiting_ids),
    )


def evaluate(
    requirements: Sequence[RequirementSpec],
    orgs: Sequence[OrgFacts],
    activities: Iterable[ActivityFacts],
    exemptions: Iterable[ExemptionFacts],
    range_period: Period,
    today: date,
) -> list[Result]:
    """Every organisation × applicable requirement × the requirement's periods inside the range, in the order
    of `orgs`, then `requirements`, then time."""
    idx = _Index(activities)
    by_pair: dict[tuple[int, int], list[ExemptionFacts]] = defaultdict(list)
    for e in exemptions:
        by_pair[(e.org_id, e.requirement_id)].append(e)
    schedules = {req.id: req.schedule(range_period) for req in requirements}
    results: list[Result] = []
    for org in orgs:
        for req in requirements:
            ex = by_pair.get((org.id, req.id), [])
            results.extend(
                evaluate_one(rev, org, p, idx, ex, today)
                for p, rev in schedules[req.id]
                if org.kind in rev.org_kinds
            )
    return results


# --- summaries ------------------------------------------------------------------------------------------
def aggregate_status(statuses: Iterable[Status]) -> Status:
    """One status for several periods: any 未达标 → 未达标; else any 待审核 → 待审核; else any 进行中 → 进行中;
    only 豁免 → 豁免; 达标 (with or without 豁免 periods) → 达标; nothing owed → 不适用."""
    owed = [s for s in statuses if s is not Status.NA]
    if not owed:
        return Status.NA
    if Status.UNMET in owed:
        return Status.UNMET
    if Status.AWAITING in owed:
        return Status.AWAITING
    if Status.PENDING in owed:
        return Status.PENDING
    if all(s is Status.EXEMPT for s in owed):
        return Status.EXEMPT
    return Status.MET


def cells(results: Iterable[Result]) -> dict[tuple[int, int], Cell]:
    """Results grouped by (org id, requirement id), each with its summary status."""
    grouped: dict[tuple[int, int], list[Result]] = defaultdict(list)
    for r in results:
        grouped[(r.org_id, r.requirement_id)].append(r)
    return {
        key: Cell(key[0], key[1], tuple(rs), aggregate_status(r.status for r in rs))
        for key, rs in grouped.items()
    }


def tally(org_id: int, req_id: int, period: Period | None, statuses: list[Status]) -> Rollup:
    """Count the statuses of the organisations below one parent (or of any set of organisations)."""
    return Rollup(
        org_id=org_id,
        requirement_id=req_id,
        period=period,
        met=statuses.count(Status.MET),
        unmet=statuses.count(Status.UNMET),
        pending=statuses.count(Status.PENDING),
        exempt=statuses.count(Status.EXEMPT),
        not_applicable=statuses.count(Status.NA),
        status=aggregate_status(statuses),
        awaiting=statuses.count(Status.AWAITING),
    )


def _descendants(parent: OrgFacts, orgs: Mapping[int, OrgFacts]) -> set[int]:
    return {o.id for o in orgs.values() if o.is_descendant_of(parent)}


def rollup_cells(
    parents: Iterable[OrgFacts], all_cells: Mapping[tuple[int, int], Cell], orgs: Mapping[int, OrgFacts]
) -> dict[tuple[int, int], Rollup]:
    """(parent id, requirement id) → the share of its subtree's organisations meeting the requirement over the
    asked range (an organisation meets it when its cell is 达标)."""
    out: dict[tuple[int, int], Rollup] = {}
    for parent in parents:
        below = _descendants(parent, orgs)
        per_req: dict[int, list[Status]] = defaultdict(list)
        for (org_id, req_id), cell in all_cells.items():
            if org_id in below:
                per_req[req_id].append(cell.status)
        for req_id, statuses in per_req.items():
            out[(parent.id, req_id)] = tally(parent.id, req_id, None, statuses)
    return out


def rollup_periods(
    parents: Iterable[OrgFacts], results: Iterable[Result], orgs: Mapping[int, OrgFacts]
) -> dict[tuple[int, int, Period], Rollup]:
    """(parent id, requirement id, period) → the share of its subtree meeting the requirement in that period."""
    results = list(results)
    out: dict[tuple[int, int, Period], Rollup] = {}
    for parent in parents:
        below = _descendants(parent, orgs)
        per: dict[tuple[int, Period], list[Status]] = defaultdict(list)
        for r in results:
            if r.org_id in below:
                per[(r.requirement_id, r.period)].append(r.status)
        for (req_id, period), statuses in per.items():
            out[(parent.id, req_id, period)] = tally(parent.id, req_id, period, statuses)
    return out
