"""The pure rules of 发展党员 (rules.py): one test per interval rule, and the order, the preconditions and what is
due next. No database."""

from __future__ import annotations

from datetime import date

import pytest

from dangjian.recruitment import rules
from dangjian.recruitment.rules import Done, Entry, Facts, Kind

TODAY = date(2026, 11, 27)
BIRTH = date(2000, 5, 1)


def facts(stage: str, *done: tuple[int, date] | Done, **kw) -> Facts:
    history = [d if isinstance(d, Done) else Done(*d) for d in done]
    return Facts(stage=stage, birth_date=BIRTH, history=history, today=kw.pop("today", TODAY), **kw)


def codes(verdict: rules.Verdict) -> set[str]:
    return {v.code for v in verdict.refusals}


UP_TO_6 = [(1, date(2023, 1, 10)), (2, date(2023, 1, 20)), (3, date(2023, 3, 1)), (4, date(2023, 3, 10)),
           (5, date(2023, 3, 10)), (6, date(2023, 9, 1))]  # fmt: skip
UP_TO_16 = [*UP_TO_6, (7, date(2024, 3, 1)), (8, date(2024, 3, 10)), (9, date(2024, 3, 10)),
            Done(10, date(2024, 4, 1), rules.PASS), (11, date(2024, 4, 10)), (12, date(2024, 5, 6)),
            (13, date(2024, 5, 13)), (14, date(2024, 5, 20)), (15, date(2024, 6, 3)), (16, date(2024, 6, 10))]  # fmt: skip
UP_TO_22 = [*UP_TO_16, (17, date(2024, 7, 1)), (19, date(2024, 7, 5)), (20, date(2024, 7, 5)),
            (21, date(2025, 1, 5)), (22, date(2025, 5, 20))]  # fmt: skip


# --- one test per interval / time rule ------------------------------------------------------------------------
def test_age_eighteen_on_the_day_of_the_application():
    """党章 第一条, 细则 第五条: 年满十八岁."""
    assert rules.is_adult_on(date(2000, 5, 1), date(2018, 5, 1))
    assert not rules.is_adult_on(date(2000, 5, 1), date(2018, 4, 30))
    refused = rules.check_application(date(2000, 5, 1), date(2018, 4, 30), TODAY)
    assert [v.code for v in refused] == ["age"] and "年满十八岁" in refused[0].text
    assert refused[0].kind is Kind.PRECONDITION  # not waivable
    assert rules.check_application(date(2000, 5, 1), date(2018, 5, 1), TODAY) == []
    assert [v.code for v in rules.check_application(BIRTH, date(2026, 12, 1), TODAY)] == ["future"]


def test_talk_within_a_month_is_flagged_when_late_not_refused():
    """细则 (第七条): 一个月内派人谈话."""
    assert rules.talk_deadline(date(2023, 1, 31)) == date(2023, 2, 28)
    f = facts(rules.APPLICANT, (1, date(2023, 1, 10)))
    on_time = rules.check(2, Entry(on=date(2023, 2, 10)), f)
    assert not on_time.refusals and not on_time.flags
    late = rules.check(2, Entry(on=date(2023, 2, 11)), f)
    assert not late.refusals and [fl.code for fl in late.flags] == ["talk_late"]


def test_inspection_every_half_year():
    """细则 第十一条: 党支部每半年考察一次 (due, and flagged when later)."""
    assert rules.inspection_due(date(2023, 3, 1)) == date(2023, 9, 1)
    f = facts(rules.ACTIVIST, *UP_TO_6[:5])
    assert (
        rules.check(
            6,
            Entry(
                on=date(2023, 9, 2),
            ),
            f,
        )
        .flags[0]
        .code
        == "inspection_late"
    )
    due = {d.number: d for d in rules.due_steps(facts(rules.ACTIVIST, *UP_TO_6, today=date(2024, 3, 5)))}
    assert due[6].due_on == date(2024, 3, 1) and due[6].late


def test_target_only_after_one_year_as_activist():
    """细则 第十三条: 经过一年以上培养教育和考察 — waivable interval."""
    f = facts(rules.ACTIVIST, *UP_TO_6)
    early = rules.check(7, Entry(on=date(2024, 2, 29), opinions_heard=True), f)
    assert codes(early) == {"activist_year"}
    assert early.refusals[0].kind is Kind.INTERVAL and early.refusals[0].overridable
    assert "一年以上" in early.refusals[0].text and "2024-03-01" in early.refusals[0].text
    assert not rules.check(7, Entry(on=date(2024, 3, 1), opinions_heard=True), f).refusals


def test_publicity_of_five_working_days_before_the_pre_review():
    """公示 ≥ 5 个工作日 (a setting; holidays and 调休 from the calendar) — waivable interval."""
    cal = rules.WorkCalendar(frozenset({date(2024, 5, 1)}), frozenset({date(2024, 5, 11)}))
    assert cal.count(date(2024, 5, 6), date(2024, 5, 10)) == 5  # Mon–Fri
    assert cal.count(date(2024, 4, 29), date(2024, 5, 3)) == 4  # 1 May off
    assert cal.count(date(2024, 5, 11), date(2024, 5, 12)) == 1  # a Saturday worked
    assert cal.end_of(date(2024, 4, 29), 5) == date(2024, 5, 6)
    hist = UP_TO_16[:12]
    short = facts(rules.TARGET, *hist, calendar=cal, publicity=(date(2024, 4, 29), date(2024, 5, 3)))
    assert codes(rules.check(13, Entry(on=date(2024, 5, 13)), short)) == {"publicity"}
    running = facts(rules.TARGET, *hist, calendar=cal, publicity=(date(2024, 5, 6), date(2024, 5, 10)))
    assert codes(rules.check(13, Entry(on=date(2024, 5, 10)), running)) == {"publicity_running"}
    assert not rules.check(13, Entry(on=date(2024, 5, 13)), running).refusals
    seven = facts(rules.TARGET, *hist, calendar=cal, publicity=(date(2024, 5, 6), date(2024, 5, 10)),
                  publicity_required=7)  # fmt: skip
    assert codes(rules.check(13, Entry(on=date(2024, 5, 13)), seven)) == {"publicity"}


def test_approval_within_three_months_flagged_and_six_refused():
    """细则 (审批): 三个月内审批; 特殊情况不超过六个月."""
    assert rules.approval_deadline(date(2024, 6, 3)) == date(2024, 9, 3)
    assert rules.approval_limit(date(2024, 6, 3)) == date(2024, 12, 3)
    f = facts(rules.TARGET, *UP_TO_16)
    assert not rules.check(17, Entry(on=date(2024, 9, 3)), f).flags
    late = rules.check(17, Entry(on=date(2024, 9, 4)), f)
    assert not late.refusals and [x.code for x in late.flags] == ["approval_late"]
    too_late = rules.check(17, Entry(on=date(2024, 12, 4)), f)
    assert codes(too_late) == {"approval_limit"} and too_late.refusals[0].overridable


def test_probation_one_year_from_the_assembly_extended_once():
    """细则 第三十二条: 预备期一年, from the 支部大会; an extension adds 6 to 12 months."""
    assert rules.probation_end(date(2024, 6, 3)) == date(2025, 6, 3)
    assert rules.probation_end(date(2024, 6, 3), 6) == date(2025, 12, 3)
    hist = [
        *UP_TO_22,
        Done(23, date(2025, 6, 10), rules.EXTEND, 6),
        Done(24, date(2025, 7, 1), rules.EXTEND, 6),
    ]
    assert rules.probation_end_of([Done(*d) if isinstance(d, tuple) else d for d in hist]) == date(
        2025, 12, 3
    )


def test_application_for_full_may_come_early_the_assembly_may_not():
    """细则 第三十三条: the 转正 application may come before the 预备期 ends; the assembly (23) may not."""
    f = facts(rules.PROBATIONARY, *UP_TO_22[:-1])
    assert not rules.check(22, Entry(on=date(2025, 5, 20)), f).refusals
    f = facts(rules.PROBATIONARY, *UP_TO_22)
    a = rules.Assembly(date(2025, 6, 2), True, False, True, 3, 3)
    early = rules.check(23, Entry(on=date(2025, 6, 2), outcome=rules.CONFIRM, assembly=a, votes_for=3), f)
    assert codes(early) == {"probation_running"} and early.refusals[0].overridable


def test_full_approval_within_three_months_and_not_before_probation_ends():
    f = facts(rules.PROBATIONARY, *UP_TO_22, Done(23, date(2025, 6, 10), rules.CONFIRM))
    assert not rules.check(24, Entry(on=date(2025, 7, 1)), f).refusals
    assert [x.code for x in rules.check(24, Entry(on=date(2025, 9, 11)), f).flags] == ["approval_late"]
    assert codes(rules.check(24, Entry(on=date(2025, 12, 11)), f)) == {"approval_limit"}
    early = facts(rules.PROBATIONARY, *UP_TO_22, Done(23, date(2025, 5, 25), rules.CONFIRM))
    refused = rules.check(24, Entry(on=date(2025, 5, 30)), early)
    assert "probation_not_ended" in codes(refused)
    assert next(v for v in refused.refusals if v.code == "probation_not_ended").kind is Kind.PRECONDITION


# --- preconditions ---------------------------------------------------------------------------------------------
def test_extension_six_to_twelve_months_and_only_once():
    a = rules.Assembly(date(2025, 6, 10), True, False, True, 3, 3)
    f = facts(rules.PROBATIONARY, *UP_TO_22)
    for months, ok in ((5, False), (6, True), (12, True), (13, False)):
        v = rules.check(
            23, Entry(on=date(2025, 6, 10), outcome=rules.EXTEND, months=months, assembly=a, votes_for=3), f
        )
        assert ("extension_months" not in codes(v)) is ok
    again = facts(rules.PROBATIONARY, *UP_TO_22, Done(23, date(2025, 6, 10), rules.EXTEND, 6),
                  Done(24, date(2025, 7, 1), rules.EXTEND, 6), (22, date(2025, 11, 20)))  # fmt: skip
    b = rules.Assembly(date(2025, 12, 5), True, False, True, 3, 3)
    v = rules.check(
        23, Entry(on=date(2025, 12, 5), outcome=rules.EXTEND, months=6, assembly=b, votes_for=3), again
    )
    assert "extension_once" in codes(v)


def test_assembly_quorum_and_vote_over_should_attend_full_members():
    """细则 第二十条 (quorum), 第二十一条 (赞成 more than half of 应到会有表决权的正式党员)."""
    assert rules.quorum_met(4, 7) and not rules.quorum_met(3, 6)
    assert rules.vote_passes(4, 7) and not rules.vote_passes(3, 6)
    f = facts(rules.TARGET, *UP_TO_16[:-2])
    ok = rules.Assembly(date(2024, 6, 3), True, False, True, 6, 4)
    assert not rules.check(15, Entry(on=date(2024, 6, 3), assembly=ok, votes_for=4), f).refusals
    assert codes(rules.check(15, Entry(on=date(2024, 6, 3), assembly=ok, votes_for=3), f)) == {"vote"}
    thin = rules.Assembly(date(2024, 6, 3), True, False, True, 6, 3)
    assert "quorum" in codes(rules.check(15, Entry(on=date(2024, 6, 3), assembly=thin, votes_for=4), f))
    other = rules.Assembly(date(2024, 6, 3), False, False, True, 6, 4)
    assert codes(rules.check(15, Entry(on=date(2024, 6, 3), assembly=other, votes_for=4), f)) == {
        "assembly_kind"
    }
    assert "assembly_date" in codes(rules.check(15, Entry(on=date(2024, 6, 4), assembly=ok, votes_for=4), f))


def test_branch_without_committee_decides_in_its_assembly():
    """支部条例 第二十条: fewer than 7 正式党员 → no committee; the 支部大会 decides steps 3, 7 and 12."""
    assert rules.decision_body(6) == rules.ASSEMBLY and rules.decision_body(7) == rules.COMMITTEE
    f = facts(rules.APPLICANT, *UP_TO_6[:2])
    wrong = rules.check(
        3, Entry(on=date(2023, 3, 1), source="党员推荐", body=rules.COMMITTEE, full_members=5), f
    )
    assert codes(wrong) == {"body"} and "支部大会" in wrong.refusals[0].message
    assert not rules.check(
        3, Entry(on=date(2023, 3, 1), source="党员推荐", body=rules.ASSEMBLY, full_members=5), f
    ).refusals
    assert codes(rules.check(3, Entry(on=date(2023, 3, 1), source="", full_members=5), f)) == {"source"}


def test_people_two_introducers_one_or_two_contacts_all_full_members_of_the_branch():
    f = facts(rules.TARGET, *UP_TO_16[:7])
    p = rules.Person
    assert not rules.check(
        9, Entry(on=date(2024, 3, 10), people=(p("甲", True, True), p("乙", True, True))), f
    ).refusals
    assert codes(rules.check(9, Entry(on=date(2024, 3, 10), people=(p("甲", True, True),)), f)) == {
        "introducers"
    }
    v = rules.check(9, Entry(on=date(2024, 3, 10), people=(p("甲", True, True), p("丙", False, True))), f)
    assert "不是正式党员" in v.refusals[0].message
    f5 = facts(rules.ACTIVIST, *UP_TO_6[:4])
    assert not rules.check(5, Entry(on=date(2023, 3, 10), people=(p("甲", True, True),)), f5).refusals
    three = (p("甲", True, True), p("乙", True, True), p("丁", True, True))
    assert codes(rules.check(5, Entry(on=date(2023, 3, 10), people=three), f5)) == {"contacts"}
    outside = rules.check(5, Entry(on=date(2023, 3, 10), people=(p("戊", True, False),)), f5)
    assert "不在本支部" in outside.refusals[0].message


def test_training_political_review_dossier_and_approver():
    assert (
        rules.training_enough(3, None)
        and rules.training_enough(None, 24)
        and not rules.training_enough(2, 20)
    )
    f = facts(rules.TARGET, *UP_TO_16[:7])
    assert codes(rules.check(11, Entry(on=date(2024, 4, 10), training_hours=16), f)) == {"training"}
    failed = facts(rules.TARGET, *UP_TO_16[:8], (9, date(2024, 3, 10)), Done(10, date(2024, 4, 1), rules.FAIL),
                   (11, date(2024, 4, 10)))  # fmt: skip
    v = rules.check(12, Entry(on=date(2024, 5, 6), publicity=(date(2024, 5, 6), date(2024, 5, 10))), failed)
    assert "review_failed" in codes(v)
    no_power = rules.check(17, Entry(on=date(2024, 7, 1), may_approve=False), facts(rules.TARGET, *UP_TO_16))
    assert codes(no_power) == {"approver"}


# --- order --------------------------------------------------------------------------------------------------------
def test_a_step_before_the_steps_it_needs_is_refused_and_never_waivable():
    f = facts(rules.ACTIVIST, *UP_TO_6[:3])  # 4 (备案), 5, 6 not yet
    v = rules.check(7, Entry(on=date(2024, 3, 1), opinions_heard=True), f)
    assert {"order"} <= codes(v) and all(not x.overridable for x in v.refusals if x.code == "order")
    dated_before = rules.check(4, Entry(on=date(2023, 2, 1)), facts(rules.ACTIVIST, *UP_TO_6[:3]))
    assert codes(dated_before) == {"order_date"}
    again = rules.check(2, Entry(on=date(2023, 1, 25)), facts(rules.APPLICANT, *UP_TO_6[:2]))
    assert codes(again) == {"repeat"}
    wrong_stage = rules.check(8, Entry(on=date(2024, 3, 10)), facts(rules.ACTIVIST, *UP_TO_6))
    assert {"stage", "order"} <= codes(wrong_stage)
    assert codes(
        rules.check(2, Entry(on=date(2026, 12, 1)), facts(rules.APPLICANT, (1, date(2026, 11, 1))))
    ) == {"future"}


def test_each_step_says_who_records_it():
    assert rules.BRANCH_STEPS == (1, 2, 3, 5, 6, 7, 9, 10, 12, 14, 15, 19, 20, 21, 22, 23)
    assert rules.SUPERIOR_STEPS == (4, 8, 11, 13, 16, 17, 18, 24, 25)
    assert len(rules.STEPS) == 25 and all(s.cite for s in rules.STEPS.values())


@pytest.mark.parametrize(
    ("history", "stage", "expected"),
    [
        ([(1, date(2026, 11, 10))], rules.APPLICANT, [2]),
        (UP_TO_6[:3], rules.ACTIVIST, [4, 5]),
        (UP_TO_16[:7], rules.TARGET, [8, 9, 10, 11]),
        (UP_TO_16, rules.TARGET, [17]),
        (UP_TO_22[:-5] + [(17, date(2024, 7, 1))], rules.PROBATIONARY, [18, 19, 20]),
    ],
)
def test_what_is_due_next(history, stage, expected):
    dues = rules.due_steps(facts(stage, *history))
    assert [d.number for d in dues if not d.step.repeatable] == expected


def test_due_dates_say_by_when():
    nxt = rules.next_due(facts(rules.APPLICANT, (1, date(2026, 11, 10))))
    assert nxt is not None and nxt.number == 2 and nxt.due_on == date(2026, 12, 10) and not nxt.late
    approval = rules.next_due(facts(rules.TARGET, *UP_TO_16))
    assert approval is not None and approval.due_on == date(2024, 9, 3) and approval.late
    assert "上级党委办理" in approval.describe()
    hist = [*UP_TO_22[:-1]]
    dues = {d.number: d for d in rules.due_steps(facts(rules.PROBATIONARY, *hist, today=date(2025, 5, 1)))}
    assert dues[22].due_on == date(2025, 6, 3) and not dues[22].late
    assert rules.due_steps(facts(rules.ENDED, *UP_TO_6)) == []
