"""Whole-tree evaluation, one period at a time, with the results of ended periods reused.

A period that has ended cannot change its results unless one of the records it was computed from is written:
an activity of one of its months, a member, an organisation, a party group, an exemption, a requirement or an
activity kind. Those writes are counted by database triggers (`core.stamps`), so each ended period's results
for every organisation of the year are memoised under exactly those versions (`core.memo`). A city's year then
costs the running periods (this month, quarter, half and year) plus a look-up per result, instead of re-reading
and re-counting every record of the year.

The results are the engine's, unchanged: the same function evaluates one period for the whole tree, and the
results are put back in the order `services.run` gives (organisations, then requirements, then time).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from dangjian.activities.models import Activity
from dangjian.core import memo, stamps
from dangjian.core.periods import Period
from dangjian.orgs.models import Organization

from . import engine, services

BASE_TOPICS = (
    "members_member",
    "orgs_organization",
    "orgs_partygroup",
    "compliance_exemption",
    "compliance_requirement",
    "compliance_requirementrevision",
    "activities_activitykind",
)

Unit = dict[tuple[int, int], engine.Result]


def _members() -> dict[int, tuple[engine.MemberFacts, ...]]:
    def compute() -> dict[int, tuple[engine.MemberFacts, ...]]:
        return {org_id: tuple(ms) for org_id, ms in services._member_facts(None).items()}

    return memo.memoized("compliance-members", None, ["members_member"], compute)


def _groups() -> dict[int, tuple[engine.GroupFacts, ...]]:
    def compute() -> dict[int, tuple[engine.GroupFacts, ...]]:
        return {org_id: tuple(gs) for org_id, gs in services._group_facts(None).items()}

    return memo.memoized("compliance-groups", None, ["orgs_partygroup"], compute)


def _facts(year: int, specs: Sequence[engine.RequirementSpec]) -> dict[int, engine.OrgFacts]:
    """Every organisation of the year with its members and party groups as the engine needs them."""
    rules = {r.rule for s in specs for r in (s.revisions or (s,))}
    need_members = bool(rules & {engine.Rule.COMMITTEE_7, engine.Rule.ALL_MEMBERS})
    need_groups = engine.Rule.EACH_GROUP in rules

    def compute() -> dict[int, engine.OrgFacts]:
        members = _members() if need_members else {}
        groups = _groups() if need_groups else {}
        rows = services.orgs_existing_in(Period.whole_year(year)).values_list(
            "pk", "code", "name", "kind", "path", "founded_on", "dissolved_on"
        )
        return {
            pk: engine.OrgFacts(
                id=pk,
                code=code,
                name=name,
                kind=kind,
                path=path,
                founded_on=founded,
                dissolved_on=dissolved,
                groups=groups.get(pk, ()),
                members=members.get(pk, ()),
            )
            for pk, code, name, kind, path, founded, dissolved in rows
        }

    topics = ["orgs_organization", "members_member", "orgs_partygroup"]
    return memo.memoized("compliance-facts", (year, need_members, need_groups), topics, compute)


def _evaluate_period(
    period: Period,
    specs: Sequence[engine.RequirementSpec],
    facts: dict[int, engine.OrgFacts],
    today: date,
) -> Unit:
    activities = services._activity_facts(None, services.kind_ids(specs), period.start, period.end)
    exemptions = services._exemption_facts(None, {s.id for s in specs}, period.start, period.end)
    results = engine.evaluate(specs, list(facts.values()), activities, exemptions, period, today)
    # only this period's own results: a revision of another period kind gives none inside it (engine.schedule)
    return {(r.org_id, r.requirement_id): r for r in results if r.period == period}


def period_topics(period: Period) -> list[str]:
    months = range(period.first_month, period.last_month + 1)
    return [*BASE_TOPICS, *stamps.months_topics(Activity, period.year, months)]


def _unit(
    period: Period,
    specs: Sequence[engine.RequirementSpec],
    facts: dict[int, engine.OrgFacts],
    today: date,
) -> Unit:
    # A period still running depends on the day too (进行中 until it ends; whose roll 谈心谈话 covers).
    day = None if period.has_ended(today) else today
    # The organisations are those of the year's memoised facts: the organisations' version is among the topics.
    params = (period, day, tuple(s.id for s in specs))
    return memo.memoized(
        "compliance-period",
        params,
        period_topics(period),
        lambda: _evaluate_period(period, specs, facts, today),
    )


def run(
    range_period: Period,
    org_list: list[Organization],
    today: date,
    specs: list[engine.RequirementSpec],
) -> services.Evaluation | None:
    """The evaluation `services.run` would give, or None when the organisations are not all of the range's year
    (then the caller evaluates afresh)."""
    facts = _facts(range_period.year, specs)
    pks = [o.pk for o in org_list]
    if any(pk not in facts for pk in pks):
        return None
    periods = {s.id: engine.requirement_periods(s, range_period) for s in specs}
    by_kind: dict[Period, list[engine.RequirementSpec]] = defaultdict(list)
    for s in specs:
        for p in periods[s.id]:
            by_kind[p].append(s)
    units = {p: _unit(p, reqs, facts, today) for p, reqs in by_kind.items()}
    # Each requirement's units in time order, looked up once: the loop below runs for every organisation ×
    # requirement × period (1.2 million times for a 10× city's year) and should do no more than a dict get.
    spec_units = [(s.id, [units[p] for p in periods[s.id]]) for s in specs]
    results: list[engine.Result] = []
    append = results.append
    for pk in pks:
        for spec_id, unit_list in spec_units:
            key = (pk, spec_id)
            for unit in unit_list:
                r = unit.get(key)
                if r is not None:
                    append(r)
    wanted = {pk: facts[pk] for pk in pks}
    return services.Evaluation(range_period, today, specs, org_list, wanted, results)
