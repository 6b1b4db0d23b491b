"""The pure engine, rule by rule (design §4 / §4.1), without the database."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from dangjian.compliance import engine
from dangjian.compliance.engine import (
    ActivityFacts,
    ExemptionFacts,
    GroupFacts,
    MemberFacts,
    OrgFacts,
    RequirementSpec,
    Rule,
    Status,
)
from dangjian.core.periods import Period, PeriodKind

BRANCHES = frozenset({"branch", "joint_branch", "temp_branch"})
KIND = {
    "branch_assembly": 1,
    "branch_committee": 2,
    "group_meeting": 3,
    "party_lecture": 4,
    "theme_day": 5,
    "org_life_meeting": 6,
    "member_appraisal": 7,
    "heart_talk": 8,
}
_ids = itertools.count(1000)


def req(
    key: str = "theme_day",
    period: str = "month",
    rule: Rule = Rule.ORG,
    minimum: int = 1,
    org_kinds: frozenset[str] = BRANCHES,
    *,
    kind: str | None = None,
    needs_quorum: bool = False,
    rid: int | None = None,
) -> RequirementSpec:
    kind = kind or key
    return RequirementSpec(
        id=rid or KIND.get(key, next(_ids)),
        key=key,
        name=key,
        kind_id=KIND[kind],
        kind_key=kind,
        kind_name=kind,
        org_kinds=org_kinds,
        rule=rule,
        period_kind=PeriodKind(period),
        minimum=minimum,
        needs_quorum=needs_quorum,
    )


ASSEMBLY = req("branch_assembly", "quarter", needs_quorum=True)
COMMITTEE = req("branch_committee", "month", Rule.COMMITTEE_7)
GROUPS = req("group_meeting", "month", Rule.EACH_GROUP)
THEME = req("theme_day", "month")
LECTURE = req("party_lecture", "quarter")
ORG_LIFE = req("org_life_meeting", "year")
TALK = req("heart_talk", "year", Rule.ALL_MEMBERS)


def org(oid: int = 1, kind: str = "branch", path: str = "00010001", **kw) -> OrgFacts:
    return OrgFacts(id=oid, code=f"O{oid}", name=f"组织{oid}", kind=kind, path=path, **kw)


def act(day: date, *kinds: str, org_id: int = 1, **kw) -> ActivityFacts:
    return ActivityFacts(
        id=kw.pop("aid", next(_ids)),
        org_id=org_id,
        date=day,
        kind_ids=frozenset(KIND[k] for k in kinds),
        **kw,
    )


def members(n_full: int, n_probation: int = 0, **kw) -> tuple[MemberFacts, ...]:
    full = [
        MemberFacts(next(_ids), f"正式{i}", date(2010, 1, 1), date(2011, 1, 1), **kw) for i in range(n_full)
    ]
    prob = [MemberFacts(next(_ids), f"预备{i}", date(2025, 1, 10), None, **kw) for i in range(n_probation)]
    return tuple(full + prob)


def run(reqs, orgs, acts=(), exemptions=(), rng="2025", today=date(2026, 6, 1)):
    if isinstance(reqs, RequirementSpec):
        reqs = [reqs]
    if isinstance(orgs, OrgFacts):
        orgs = [orgs]
    return engine.evaluate(reqs, orgs, acts, exemptions, Period.parse(rng), today)


def by_period(results) -> dict[str, engine.Result]:
    return {str(r.period): r for r in results}


# --- periods of a range -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "rng,kind,expected",
    [
        ("2025", "month", [f"2025-{m:02d}" for m in range(1, 13)]),
        ("2025", "quarter", ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]),
        ("2025", "half", ["2025H1", "2025H2"]),
        ("2025", "year", ["2025"]),
        ("2025Q3", "month", ["2025-07", "2025-08", "2025-09"]),
        ("2025Q3", "quarter", ["2025Q3"]),
        ("2025Q3", "year", ["2025"]),
        ("2025-08", "month", ["2025-08"]),
        ("2025-08", "quarter", ["2025Q3"]),
        ("2025-08", "year", ["2025"]),
    ],
)
def test_a_requirement_gives_its_own_periods_inside_the_range(rng, kind, expected):
    assert [str(p) for p in engine.periods_in_range(Period.parse(rng), kind)] == expected


def test_row_counts_for_a_year():
    results = run([THEME, ASSEMBLY, ORG_LIFE], org())
    counts = {
        k: sum(1 for r in results if r.requirement_key == k)
        for k in ("theme_day", "branch_assembly", "org_life_meeting")
    }
    assert counts == {"theme_day": 12, "branch_assembly": 4, "org_life_meeting": 1}


# --- applicability by organisation kind ---------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["branch", "joint_branch", "temp_branch"])
def test_branch_requirements_apply_to_every_kind_of_branch(kind):
    assert len(run(THEME, org(kind=kind))) == 12


@pytest.mark.parametrize("kind", ["dangzu", "organ_committee", "committee", "general_branch"])
def test_no_rows_for_organisation_kinds_not_listed(kind):
    assert run([THEME, ASSEMBLY, TALK, GROUPS], org(kind=kind)) == []


def test_local_requirement_for_a_general_branch():
    local = req(
        "zongzhi_meeting", "quarter", org_kinds=frozenset({"general_branch"}), kind="branch_committee"
    )
    general = org(2, kind="general_branch")
    results = run(local, [org(1), general], [act(date(2025, 2, 3), "branch_committee", org_id=2)])
    assert {r.org_id for r in results} == {2}
    assert by_period(results)["2025Q1"].status is Status.MET


# --- founding and dissolution ---------------------------------------------------------------------------------
def test_founded_mid_month_first_whole_period_counts():
    o = org(founded_on=date(2025, 7, 15))
    months = by_period(run(THEME, o))
    assert months["2025-07"].status is Status.NA and months["2025-07"].required == 0
    assert "2025-07-15成立" in months["2025-07"].note
    assert months["2025-06"].status is Status.NA and months["2025-06"].note == "尚未成立"
    assert months["2025-08"].status is Status.UNMET and months["2025-08"].required == 1
    quarters = by_period(run(LECTURE, o))
    assert quarters["2025Q3"].status is Status.NA
    assert quarters["2025Q4"].status is Status.UNMET
    assert by_period(run(ORG_LIFE, o))["2025"].status is Status.NA
    assert by_period(run(ORG_LIFE, o, rng="2026", today=date(2027, 1, 5)))["2026"].status is Status.UNMET


def test_founded_on_the_first_day_that_period_counts():
    o = org(founded_on=date(2025, 7, 1))
    assert by_period(run(THEME, o))["2025-07"].status is Status.UNMET
    assert by_period(run(LECTURE, o))["2025Q3"].status is Status.UNMET
    assert by_period(run(THEME, o))["2025-06"].status is Status.NA


def test_activities_before_a_whole_period_are_reported_but_not_owed():
    o = org(founded_on=date(2025, 7, 15))
    r = by_period(run(THEME, o, [act(date(2025, 7, 20), "theme_day", aid=7)]))["2025-07"]
    assert (r.status, r.required, r.done, r.activity_ids) == (Status.NA, 0, 1, (7,))


def test_not_after_dissolution():
    o = org(dissolved_on=date(2025, 8, 15))
    months = by_period(run(THEME, o))
    assert months["2025-07"].status is Status.UNMET
    assert months["2025-08"].status is Status.NA and "撤销" in months["2025-08"].note
    assert months["2025-12"].status is Status.NA
    quarters = by_period(run(LECTURE, o))
    assert quarters["2025Q2"].status is Status.UNMET and quarters["2025Q3"].status is Status.NA


def test_dissolved_on_the_last_day_of_a_period_still_owes_it():
    o = org(dissolved_on=date(2025, 9, 30))
    assert by_period(run(LECTURE, o))["2025Q3"].status is Status.UNMET
    assert by_period(run(LECTURE, o))["2025Q4"].status is Status.NA


# --- status ---------------------------------------------------------------------------------------------------
def test_pending_until_the_period_ends_then_unmet():
    today = date(2025, 8, 10)
    months = by_period(run(THEME, org(), today=today))
    assert months["2025-07"].status is Status.UNMET
    assert months["2025-08"].status is Status.PENDING
    assert months["2025-12"].status is Status.PENDING  # not begun: not ended and not met
    months = by_period(run(THEME, org(), [act(date(2025, 8, 2), "theme_day")], today=today))
    assert months["2025-08"].status is Status.MET


def test_last_day_of_the_period_is_still_pending():
    assert by_period(run(THEME, org(), today=date(2025, 8, 31)))["2025-08"].status is Status.PENDING
    assert by_period(run(THEME, org(), today=date(2025, 9, 1)))["2025-08"].status is Status.UNMET


def test_records_on_the_period_boundaries_count_in_their_own_period():
    acts = [act(date(2025, 7, 1), "theme_day", aid=1), act(date(2025, 7, 31), "theme_day", aid=2)]
    months = by_period(run(THEME, org(), acts))
    assert months["2025-07"].done == 2 and months["2025-07"].activity_ids == (1, 2)
    assert months["2025-06"].done == 0 and months["2025-08"].done == 0


def test_minimum_count():
    twice = req("theme_day", "month", minimum=2)
    one = by_period(run(twice, org(), [act(date(2025, 3, 5), "theme_day")]))["2025-03"]
    assert (one.required, one.done, one.status) == (2, 1, Status.UNMET)
    two = run(twice, org(), [act(date(2025, 3, 5), "theme_day"), act(date(2025, 3, 25), "theme_day")])
    assert by_period(two)["2025-03"].status is Status.MET


def test_done_may_exceed_required():
    acts = [act(date(2025, 2, d), "theme_day") for d in (3, 10, 17)]
    r = by_period(run(THEME, org(), acts))["2025-02"]
    assert (r.required, r.done, r.status) == (1, 3, Status.MET)


def test_only_the_organisations_own_records_count():
    results = run(THEME, [org(1), org(2, path="00010002")], [act(date(2025, 3, 5), "theme_day", org_id=2)])
    mine = {(x.org_id, str(x.period)): x.status for x in results}
    assert mine[(1, "2025-03")] is Status.UNMET and mine[(2, "2025-03")] is Status.MET


# --- one record, several kinds; quorum ------------------------------------------------------------------------------
def test_one_record_counts_for_each_of_its_kinds():
    a = act(date(2025, 5, 20), "theme_day", "branch_assembly", "party_lecture", aid=42)
    results = run([THEME, ASSEMBLY, LECTURE], org(), [a])
    hit = {(r.requirement_key, str(r.period)): r for r in results}
    for key in [("theme_day", "2025-05"), ("branch_assembly", "2025Q2"), ("party_lecture", "2025Q2")]:
        assert hit[key].status is Status.MET and hit[key].activity_ids == (42,)


def test_assembly_without_quorum_does_not_count_but_its_other_kinds_do():
    a = act(date(2025, 5, 20), "theme_day", "branch_assembly", quorum_met=False, aid=9)
    hit = {r.requirement_key: r for r in run([THEME, ASSEMBLY], org(), [a], rng="2025Q2")}
    assert hit["branch_assembly"].status is Status.UNMET
    assert hit["branch_assembly"].done == 0 and hit["branch_assembly"].excluded_ids == (9,)
    assert hit["branch_assembly"].activity_ids == ()
    months = [r for r in run([THEME], org(), [a], rng="2025Q2") if str(r.period) == "2025-05"]
    assert months[0].status is Status.MET and months[0].activity_ids == (9,)


@pytest.mark.parametrize("quorum", [True, None])
def test_assembly_with_quorum_met_or_not_recorded_counts(quorum):
    a = act(date(2025, 5, 20), "branch_assembly", quorum_met=quorum)
    assert run(ASSEMBLY, org(), [a], rng="2025Q2")[0].status is Status.MET


def test_a_second_assembly_with_quorum_makes_up_for_one_without():
    acts = [
        act(date(2025, 4, 2), "branch_assembly", quorum_met=False, aid=1),
        act(date(2025, 6, 2), "branch_assembly", quorum_met=True, aid=2),
    ]
    r = run(ASSEMBLY, org(), acts, rng="2025Q2")[0]
    assert (r.status, r.done, r.activity_ids, r.excluded_ids) == (Status.MET, 1, (2,), (1,))


# --- exemptions ---------------------------------------------------------------------------------------------
def test_exemption_overlapping_the_period_gives_exempt():
    ex = ExemptionFacts(5, 1, THEME.id, date(2025, 3, 20), date(2025, 4, 5))
    months = by_period(run(THEME, org(), exemptions=[ex]))
    assert months["2025-03"].status is Status.EXEMPT and months["2025-03"].exemption_id == 5
    assert months["2025-04"].status is Status.EXEMPT
    assert months["2025-02"].status is Status.UNMET and months["2025-02"].exemption_id is None
    assert months["2025-05"].status is Status.UNMET


def test_exemption_for_another_requirement_or_organisation_does_not_apply():
    exs = [
        ExemptionFacts(5, 1, ASSEMBLY.id, date(2025, 1, 1), date(2025, 12, 31)),
        ExemptionFacts(6, 2, THEME.id, date(2025, 1, 1), date(2025, 12, 31)),
    ]
    assert all(r.status is Status.UNMET for r in run(THEME, org(), exemptions=exs))


def test_exempt_but_met_anyway_is_met_and_names_the_exemption():
    ex = ExemptionFacts(5, 1, THEME.id, date(2025, 1, 1), date(2025, 12, 31))
    r = by_period(run(THEME, org(), [act(date(2025, 3, 3), "theme_day")], [ex]))["2025-03"]
    assert r.status is Status.MET and r.exemption_id == 5


def test_exempt_current_period_is_exempt_not_pending():
    ex = ExemptionFacts(5, 1, THEME.id, date(2025, 8, 1), date(2025, 8, 31))
    r = by_period(run(THEME, org(), exemptions=[ex], today=date(2025, 8, 10)))["2025-08"]
    assert r.status is Status.EXEMPT


def test_not_applicable_wins_over_exemption():
    ex = ExemptionFacts(5, 1, THEME.id, date(2025, 1, 1), date(2025, 12, 31))
    r = by_period(run(THEME, org(founded_on=date(2025, 7, 15)), exemptions=[ex]))["2025-07"]
    assert r.status is Status.NA and r.exemption_id is None


# --- branch committee: 7 正式党员 at the period's end --------------------------------------------------------------
def test_committee_meeting_required_with_seven_full_members():
    r = by_period(run(COMMITTEE, org(members=members(7))))["2025-03"]
    assert r.status is Status.UNMET and r.required == 1


def test_committee_not_applicable_under_seven_full_members():
    r = by_period(run(COMMITTEE, org(members=members(6, n_probation=3))))["2025-03"]
    assert r.status is Status.NA and "正式党员6名" in r.note and r.required == 0


def test_committee_counts_members_at_each_periods_end():
    base = list(members(6))
    joined = MemberFacts(1, "新转正", date(2024, 5, 1), date(2025, 5, 10))  # 转正 in May
    left = MemberFacts(
        2, "转出", date(2000, 1, 1), date(2001, 1, 1), left_on=date(2025, 9, 30), on_roll=False
    )
    months = by_period(run(COMMITTEE, org(members=tuple(base + [joined]))))
    assert months["2025-04"].status is Status.NA and months["2025-05"].status is Status.UNMET
    months = by_period(run(COMMITTEE, org(members=tuple(base + [left]))))
    assert months["2025-08"].status is Status.UNMET  # still on the roll at the end of August
    assert months["2025-09"].status is Status.NA  # left on the last day: not there at the end
    assert months["2025-10"].status is Status.NA


def test_committee_member_who_left_without_a_date_does_not_count():
    gone = MemberFacts(3, "停止党籍", date(2000, 1, 1), date(2001, 1, 1), on_roll=False)
    r = by_period(run(COMMITTEE, org(members=members(6) + (gone,))))["2025-03"]
    assert r.status is Status.NA


def test_committee_member_joined_after_the_period_end_does_not_count():
    late = MemberFacts(4, "后转入", date(2025, 4, 2), date(2025, 4, 2))
    months = by_period(run(COMMITTEE, org(members=members(6) + (late,))))
    assert months["2025-03"].status is Status.NA and months["2025-04"].status is Status.UNMET


# --- party groups -----------------------------------------------------------------------------------------------------
def test_group_meeting_not_applicable_without_groups():
    r = by_period(run(GROUPS, org()))["2025-03"]
    assert r.status is Status.NA and r.note == "未设党小组"


def test_branch_meets_group_meeting_when_every_group_does():
    groups = (GroupFacts(11, "第一党小组"), GroupFacts(12, "第二党小组"))
    acts = [act(date(2025, 3, 5), "group_meeting", party_group_id=11, aid=1)]
    r = by_period(run(GROUPS, org(groups=groups), acts))["2025-03"]
    assert (r.status, r.required, r.done, r.missing, r.activity_ids) == (
        Status.UNMET,
        2,
        1,
        ("第二党小组",),
        (1,),
    )
    acts.append(act(date(2025, 3, 9), "group_meeting", party_group_id=12, aid=2))
    r = by_period(run(GROUPS, org(groups=groups), acts))["2025-03"]
    assert (r.status, r.done, r.missing, r.activity_ids) == (Status.MET, 2, (), (1, 2))


def test_two_meetings_of_one_group_do_not_cover_another():
    groups = (GroupFacts(11, "第一党小组"), GroupFacts(12, "第二党小组"))
    acts = [act(date(2025, 3, d), "group_meeting", party_group_id=11) for d in (5, 19)]
    r = by_period(run(GROUPS, org(groups=groups), acts))["2025-03"]
    assert (r.status, r.done) == (Status.UNMET, 1)


def test_group_meeting_without_a_group_named_does_not_count():
    groups = (GroupFacts(11, "第一党小组"),)
    r = by_period(run(GROUPS, org(groups=groups), [act(date(2025, 3, 5), "group_meeting")]))["2025-03"]
    assert r.status is Status.UNMET and r.activity_ids == ()


def test_group_meeting_minimum_applies_to_each_group():
    twice = req("group_meeting", "month", Rule.EACH_GROUP, minimum=2)
    groups = (GroupFacts(11, "一组"), GroupFacts(12, "二组"))
    acts = [act(date(2025, 3, d), "group_meeting", party_group_id=11) for d in (5, 19)]
    acts.append(act(date(2025, 3, 7), "group_meeting", party_group_id=12))
    r = by_period(run(twice, org(groups=groups), acts))["2025-03"]
    assert (r.required, r.done, r.missing) == (4, 3, ("二组",))


# --- heart talks: every member once a year -----------------------------------------------------------------------------
def test_heart_talk_required_is_the_members_done_the_members_covered():
    roll = members(3, n_probation=1)
    a, b, c, d = (m.id for m in roll)
    talks = [
        act(date(2025, 3, 1), "heart_talk", talk_a_id=a, talk_b_id=b, aid=1),
        act(date(2025, 6, 1), "heart_talk", talk_a_id=a, talk_b_id=c, aid=2),
    ]
    r = run(TALK, org(members=roll), talks)[0]
    assert (r.required, r.done, r.status) == (4, 3, Status.UNMET)
    assert r.missing == ("预备0",) and r.activity_ids == (1, 2)
    talks.append(act(date(2025, 11, 1), "heart_talk", talk_a_id=a, talk_b_id=d, aid=3))
    r = run(TALK, org(members=roll), talks)[0]
    assert (r.required, r.done, r.status) == (4, 4, Status.MET)


def test_heart_talk_only_members_on_the_roll_at_the_years_end_are_owed():
    stay = members(2)
    gone = MemberFacts(
        99, "已转出", date(2000, 1, 1), date(2001, 1, 1), left_on=date(2025, 5, 1), on_roll=False
    )
    talk = act(date(2025, 3, 1), "heart_talk", talk_a_id=stay[0].id, talk_b_id=stay[1].id)
    r = run(TALK, org(members=stay + (gone,)), [talk])[0]
    assert (r.required, r.done, r.status) == (2, 2, Status.MET)


def test_heart_talk_with_someone_outside_the_branch_covers_only_the_member():
    roll = members(2)
    talk = act(date(2025, 3, 1), "heart_talk", talk_a_id=555, talk_b_id=roll[0].id)
    r = run(TALK, org(members=roll), [talk])[0]
    assert (r.required, r.done) == (2, 1)


def test_heart_talk_current_year_uses_todays_roll_and_is_pending():
    roll = members(2)
    r = run(TALK, org(members=roll), today=date(2025, 6, 1))[0]
    assert (r.required, r.done, r.status) == (2, 0, Status.PENDING)


def test_heart_talk_without_members_is_not_applicable():
    r = run(TALK, org())[0]
    assert r.status is Status.NA and r.note == "无在册党员"


def test_heart_talks_of_another_year_do_not_count():
    roll = members(2)
    talk = act(date(2024, 12, 31), "heart_talk", talk_a_id=roll[0].id, talk_b_id=roll[1].id)
    assert run(TALK, org(members=roll), [talk])[0].done == 0


# --- summaries and roll-up ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "statuses,expected",
    [
        ([Status.MET, Status.MET], Status.MET),
        ([Status.MET, Status.UNMET, Status.PENDING], Status.UNMET),
        ([Status.MET, Status.PENDING], Status.PENDING),
        ([Status.EXEMPT, Status.EXEMPT], Status.EXEMPT),
        ([Status.EXEMPT, Status.MET, Status.NA], Status.MET),
        ([Status.NA, Status.NA], Status.NA),
        ([], Status.NA),
    ],
)
def test_aggregate_status(statuses, expected):
    assert engine.aggregate_status(statuses) is expected


def test_cell_summary():
    results = run(THEME, org(), [act(date(2025, 1, 5), "theme_day")], rng="2025Q1")
    cell = engine.cells(results)[(1, THEME.id)]
    assert cell.status is Status.UNMET and cell.summary == "1/3期"
    single = engine.cells(run(THEME, org(), rng="2025-02"))[(1, THEME.id)]
    assert single.summary == "0/1"


def test_rollup_share_of_the_subtree():
    committee = org(10, kind="committee", path="0001")
    zongzhi = org(20, kind="general_branch", path="00010001")
    b1 = org(1, path="000100010001")
    b2 = org(2, path="000100010002")
    b3 = org(3, path="00010002")
    b4 = org(4, path="00010003", founded_on=date(2025, 7, 15))
    outside = org(5, path="0002")
    orgs = [committee, zongzhi, b1, b2, b3, b4, outside]
    acts = [act(date(2025, 3, 5), "theme_day", org_id=i) for i in (1, 3, 5)]
    ex = [ExemptionFacts(1, 2, THEME.id, date(2025, 1, 1), date(2025, 12, 31))]
    results = run(THEME, orgs, acts, ex, rng="2025-03")
    facts = {o.id: o for o in orgs}
    table = engine.rollup_cells([committee, zongzhi], engine.cells(results), facts)
    top = table[(10, THEME.id)]
    assert (top.met, top.unmet, top.exempt, top.not_applicable, top.counted) == (2, 0, 1, 1, 2)
    assert top.share == 1.0 and top.percent == "100%" and top.status is Status.MET
    sub = table[(20, THEME.id)]
    assert (sub.met, sub.exempt, sub.counted) == (1, 1, 1)
    by_p = engine.rollup_periods([committee], run(THEME, orgs, acts, ex, rng="2025Q1"), facts)
    jan = by_p[(10, THEME.id, Period.parse("2025-01"))]
    assert (jan.met, jan.unmet, jan.percent) == (0, 2, "0%")


def test_as_json_has_exactly_the_contract_keys():
    r = run(ASSEMBLY, org(), [act(date(2025, 8, 1), "branch_assembly", aid=77)], rng="2025Q3")[0]
    assert r.as_json() == {
        "org": "O1",
        "requirement": "branch_assembly",
        "kind": "branch_assembly",
        "period": "2025Q3",
        "required": 1,
        "done": 1,
        "status": "达标",
        "activities": [77],
    }


def test_results_are_ordered_by_organisation_requirement_then_time():
    results = run([THEME, ASSEMBLY], [org(2, path="0002"), org(1, path="0001")], rng="2025Q1")
    keys = [(r.org_id, r.requirement_key, str(r.period)) for r in results]
    assert keys == [
        (2, "theme_day", "2025-01"),
        (2, "theme_day", "2025-02"),
        (2, "theme_day", "2025-03"),
        (2, "branch_assembly", "2025Q1"),
        (1, "theme_day", "2025-01"),
        (1, "theme_day", "2025-02"),
        (1, "theme_day", "2025-03"),
        (1, "branch_assembly", "2025Q1"),
    ]


def test_rule_values_match_the_model_choices():
    from dangjian.compliance.models import Applicability

    assert {r.value for r in Rule} == set(Applicability.values)
