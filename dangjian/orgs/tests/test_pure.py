"""The pure rules: term status, delay cap, renewal order, committee shape, tree roll-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from dangjian.orgs.models import RENEWAL_ORDER, RenewalStepKind
from dangjian.orgs.terms import (
    PostSpec,
    TermStatus,
    delay_problem,
    posts_problems,
    step_after,
    step_problem,
    term_status,
    term_years_problem,
    urgency_key,
)
from dangjian.orgs.tree import child_totals, nest, render_forest, rollup

TODAY = date(2026, 6, 15)
LABELS = dict(RenewalStepKind.choices)
POST_LABELS = {"secretary": "书记", "deputy": "副书记", "organization": "组织委员", "member": "委员"}


@pytest.mark.parametrize(
    ("expires", "status"),
    [
        (None, TermStatus.MISSING),
        (date(2026, 6, 14), TermStatus.OVERDUE),
        (date(2026, 6, 15), TermStatus.EXPIRING),  # expiring today is not yet overdue
        (date(2026, 12, 15), TermStatus.EXPIRING),  # exactly six months ahead
        (date(2026, 12, 16), TermStatus.NORMAL),
    ],
)
def test_term_status_boundaries(expires, status):
    assert term_status(expires, TODAY) == status


def test_dangzu_is_not_elected_whatever_the_dates():
    assert term_status(None, TODAY, elected=False) == TermStatus.NOT_ELECTED
    assert term_status(date(2000, 1, 1), TODAY, elected=False) == TermStatus.NOT_ELECTED


def test_urgency_orders_overdue_first_then_by_expiry():
    rows = [
        (TermStatus.NORMAL, date(2028, 1, 1), "N"),
        (TermStatus.NOT_ELECTED, None, "D"),
        (TermStatus.EXPIRING, date(2026, 9, 1), "E2"),
        (TermStatus.MISSING, None, "M"),
        (TermStatus.OVERDUE, date(2026, 1, 1), "O2"),
        (TermStatus.EXPIRING, date(2026, 7, 1), "E1"),
        (TermStatus.OVERDUE, date(2025, 1, 1), "O1"),
    ]
    assert [r[2] for r in sorted(rows, key=lambda r: urgency_key(*r))] == [
        "O1",
        "O2",
        "E1",
        "E2",
        "M",
        "N",
        "D",
    ]


def test_delay_is_capped_at_one_year():
    expires = date(2026, 3, 31)
    assert delay_problem(expires, date(2027, 3, 31)) is None
    assert "不能超过1年" in delay_problem(expires, date(2027, 4, 1))
    assert "选举条例 第三条" in delay_problem(expires, date(2027, 4, 1))
    assert "应晚于" in delay_problem(expires, expires)


def test_term_years_range():
    assert term_years_problem(3) is None and term_years_problem(5) is None and term_years_problem(2) is None
    assert term_years_problem(6) and term_years_problem(1) and term_years_problem(None)


def test_step_after_follows_the_last_step_done():
    assert step_after(RENEWAL_ORDER, []) == "request"
    assert step_after(RENEWAL_ORDER, ["request", "approval"]) == "candidates"
    # A term entered after its election: the election step exists without the earlier ones.
    assert step_after(RENEWAL_ORDER, ["election"]) == "report"
    assert step_after(RENEWAL_ORDER, list(RENEWAL_ORDER)) is None


def test_step_problem_enforces_order_dates_and_uniqueness():
    done = {"request": date(2026, 3, 1)}
    assert step_problem(RENEWAL_ORDER, done, "approval", date(2026, 3, 10), TODAY, LABELS) is None
    assert "下一步应为“上级批复”" in step_problem(
        RENEWAL_ORDER, done, "candidates", date(2026, 3, 10), TODAY, LABELS
    )
    assert "已于 2026-03-01 登记" in step_problem(
        RENEWAL_ORDER, done, "request", date(2026, 3, 10), TODAY, LABELS
    )
    assert "不能早于上一步骤" in step_problem(
        RENEWAL_ORDER, done, "approval", date(2026, 2, 1), TODAY, LABELS
    )
    assert "不能晚于今天" in step_problem(RENEWAL_ORDER, done, "approval", date(2026, 7, 1), TODAY, LABELS)
    complete = dict.fromkeys(RENEWAL_ORDER, date(2026, 1, 1))
    assert "均已完成" in step_problem(
        RENEWAL_ORDER, {"new_term": date(2026, 1, 1)}, "request", TODAY, TODAY, LABELS
    )
    assert step_problem(RENEWAL_ORDER, complete, "report", TODAY, TODAY, LABELS)


def test_posts_need_exactly_one_secretary():
    assert posts_problems([PostSpec("secretary", "甲")], secretary_only=True, labels=POST_LABELS) == []
    assert (
        "只有1名书记（现有 0 名）"
        in posts_problems([PostSpec("member", "甲")], secretary_only=False, labels=POST_LABELS)[0]
    )
    two = [PostSpec("secretary", "甲", "1"), PostSpec("secretary", "乙", "2")]
    assert "现有 2 名" in posts_problems(two, secretary_only=False, labels=POST_LABELS)[0]


def test_secretary_only_organisation_has_no_committee_members():
    seats = [PostSpec("secretary", "甲"), PostSpec("deputy", "乙"), PostSpec("organization", "丙")]
    problems = posts_problems(seats, secretary_only=True, labels=POST_LABELS)
    assert any("组织委员" in p and "第二十条" in p for p in problems)
    assert posts_problems(seats, secretary_only=False, labels=POST_LABELS) == []
    two_deputies = [PostSpec("secretary", "甲"), PostSpec("deputy", "乙"), PostSpec("deputy", "丙")]
    assert any(
        "副书记1名" in p for p in posts_problems(two_deputies, secretary_only=True, labels=POST_LABELS)
    )


def test_one_person_may_hold_two_duties_but_not_one_seat_twice():
    ok = [PostSpec("secretary", "甲", "X"), PostSpec("member", "甲", "X")]
    assert posts_problems(ok, secretary_only=False, labels=POST_LABELS) == []
    twice = [PostSpec("secretary", "甲", "X"), PostSpec("member", "乙", "Y"), PostSpec("member", "乙", "Y")]
    assert any("重复登记为委员" in p for p in posts_problems(twice, secretary_only=False, labels=POST_LABELS))


@dataclass
class N:
    pk: int
    path: str

    @property
    def depth(self) -> int:
        return len(self.path) // 4


def test_rollup_adds_each_count_to_every_visible_ancestor():
    nodes = [
        N(1, "0001"),
        N(2, "00010001"),
        N(3, "000100010001"),
        N(4, "000100010002"),
        N(5, "00010002"),
        N(6, "0002"),
    ]
    totals = rollup(nodes, {1: 1, 3: 10, 4: 5, 5: 2, 6: 7})
    assert totals == {1: 18, 2: 15, 3: 10, 4: 5, 5: 2, 6: 7}
    # An org admin sees only a subtree: its totals ignore what lies above.
    assert rollup(nodes[1:4], {1: 1, 3: 10, 4: 5}) == {2: 15, 3: 10, 4: 5}


def test_nest_builds_a_forest_starting_where_the_visible_part_starts():
    nodes = [N(3, "000100010001"), N(2, "00010001"), N(4, "000100010002"), N(7, "000100020001")]
    forest = nest(nodes, {2: 9})
    assert [t.org.pk for t in forest] == [2, 7]
    assert [c.org.pk for c in forest[0].children] == [3, 4]
    assert forest[0].total == 9 and forest[0].has_children and not forest[1].has_children


def test_child_totals_group_a_subtree_by_child():
    rows = [(1, "0001"), (2, "00010001"), (3, "000100010001"), (4, "00010002")]
    own = {1: 1, 2: 10, 3: 100, 4: 1000}
    assert child_totals("0001", rows, own) == {"": 1, "00010001": 110, "00010002": 1000}


def test_render_forest_escapes_and_opens_the_top():
    @dataclass
    class Org:
        pk: int
        path: str
        depth: int
        name: str
        kind: str = "branch"
        dissolved_on: date | None = None

    nodes = [Org(1, "0001", 1, "党组<b>"), Org(2, "00010001", 2, "支部&一", dissolved_on=date(2025, 1, 1))]
    html = render_forest(
        nest(nodes, {1: 3, 2: 3}), open_depth=1, url="/o/{}/".format, kinds={"branch": "党支部"}
    )
    assert html.startswith('<li><div class="tree-row"><a href="/o/1/">党组&lt;b&gt;</a>')
    assert "<details open><summary>下级组织（1）</summary>" in html
    assert '<div class="tree-leaf"><a href="/o/2/">支部&amp;一</a>' in html and "已撤销" in html
    assert html.count("<li>") == 2 and html.endswith("</ul></details></li>")
