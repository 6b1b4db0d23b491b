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


def _facts(
    universe: Sequence[Organization], specs: Sequence[engine.RequirementSpec]
) -> dict[int, engine.OrgFacts]:
    rules = {s.rule for s in specs}
    members = _members() if rules & {engine.Rule.COMMITTEE_7, engine.Rule.ALL_MEMBERS} else {}
    groups = _groups() if engine.Rule.EACH_GROUP in rules else {}
    return {
        o.pk: engine.OrgFacts(
            id=o.pk,
            code=o.code,
            name=o.name,
            kind=o.kind,
            path=o.path,
            founded_on=o.founded_on,
            dissolved_on=o.dissolved_on,
            groups=groups.get(o.pk, ()),
            members=members.get(o.pk, ()),
        )
        for o in universe
    }


def _evaluate_period(
    period: Period,
    specs: Sequence[engine.RequirementSpec],
    facts: dict[int, engine.OrgFacts],
    today: date,
) -> Unit:
    activities = services._activity_facts(None, {s.kind_id for s in specs}, period.start, period.end)
    exemptions = services._exemption_facts(None, {s.id for s in specs}, period.start, period.end)
    results = engine.evaluate(specs, list(facts.values()), activities, exemptions, period, today)
    return {(r.org_id, r.requirement_id): r for r in results}


def period_topics(period: Period) -> list[str]:
    months = range(period.first_month, period.last_month + 1)
    return [*BASE_TOPICS, *stamps.months_topics(stamps.ACTIVITY, period.year, months)]


def _unit(
    period: Period,
    specs: Sequence[engine.RequirementSpec],
    facts: dict[int, engine.OrgFacts],
    today: date,
) -> Unit:
    if not period.has_ended(today):  # still running: its status depends on today and on records to come
        return _evaluate_period(period, specs, facts, today)
    params = (period, tuple(s.id for s in specs), tuple(facts))
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
    year = range_period.year
    universe = list(services.orgs_existing_in(Period.whole_year(year)))
    known = {o.pk for o in universe}
    if any(o.pk not in known for o in org_list):
        return None
    facts = _facts(universe, specs)
    periods = {s.id: engine.periods_in_range(range_period, s.period_kind) for s in specs}
    by_kind: dict[Period, list[engine.RequirementSpec]] = defaultdict(list)
    for s in specs:
        for p in periods[s.id]:
            by_kind[p].append(s)
    units = {p: _unit(p, reqs, facts, today) for p, reqs in by_kind.items()}
    results: list[engine.Result] = []
    for o in org_list:
        for s in specs:
            for p in periods[s.id]:
                r = units[p].get((o.pk, s.id))
                if r is not None:
                    results.append(r)
    wanted = {o.pk: facts[o.pk] for o in org_list}
    return services.Evaluation(range_period, today, specs, org_list, wanted, results)
