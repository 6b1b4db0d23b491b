"""The pure 年终总评 scoring module: no database."""

from decimal import Decimal as D

from dangjian.supervision.appraisal import scoring as s


def tree() -> list[s.Node]:
    return [
        s.Node(
            "g1",
            "组织建设",
            D(30),
            "group",
            children=(
                s.Node("c1", "三会一课达标率", D(20), "compliance"),
                s.Node("c2", "按期换届", D(10), "term"),
            ),
        ),
        s.Node(
            "g2",
            "学习教育",
            D(20),
            "group",
            children=(s.Node("c3", "人均学时", D(20), "study", D(40), False),),
        ),
        s.Node("m", "日常考核", D(50), "manual", missing_full=False),
    ]


def test_fraction_per_source():
    assert s.fraction("compliance", D("0.75"), D(20), None) == D("0.75")
    assert s.fraction("study", D(20), D(20), D(40)) == D("0.5")
    assert s.fraction("study", D(60), D(20), D(40)) == 1  # capped at the maximum
    assert s.fraction("cases", D(3), D(4), None) == 1  # default target 1
    assert s.fraction("observation", D("85.5"), D(6), None) == D("0.855")
    assert s.fraction("manual", D(15), D(20), None) == D("0.75")
    assert s.fraction("term", None, D(10), None) is None


def test_missing_value_scores_full_or_zero():
    assert s.leaf_score(s.Node("a", "a", D(10), "notice", missing_full=True), None) == D(10)
    assert s.leaf_score(s.Node("a", "a", D(10), "notice", missing_full=False), None) == D(0)


def test_score_org_sums_tree_and_adjustments():
    raw = {"c1": D("0.9"), "c2": D(1), "c3": D(30), "m": D(40)}
    r = s.score_org(
        1, tree(), raw, [s.Adjustment("bonus", D(2), "x"), s.Adjustment("deduction", D("0.5"), "y")]
    )
    assert r.scores == {
        "c1": D("18.00"),
        "c2": D("10.00"),
        "g1": D("28.00"),
        "c3": D("15.00"),
        "g2": D("15.00"),
        "m": D("40.00"),
    }
    assert r.base == D("83.00")
    assert (r.bonus, r.deduction, r.total) == (D("2.00"), D("0.50"), D("84.50"))
    assert not r.veto


def test_children_points_are_weights_within_their_parent():
    t = [s.Node("g", "g", D(30), "group", children=(s.Node("a", "a", D(1)), s.Node("b", "b", D(1))))]
    r = s.score_org(1, t, {"a": D(1), "b": D(0)}, [])  # a: full (1 of 1), b: 0 → half of 30
    assert r.scores["g"] == D("15.00")


def test_total_never_below_zero():
    r = s.score_org(1, tree(), {}, [s.Adjustment("deduction", D(500), "x")])
    assert r.total == D("0.00")


def test_grades_with_configurable_thresholds_and_veto():
    t = s.Thresholds(D(90), D(80), D(60))
    assert [s.grade(D(x), False, t) for x in (95, 90, "89.99", 80, 60, "59.99")] == [
        "好",
        "好",
        "较好",
        "较好",
        "一般",
        "差",
    ]
    assert s.grade(D(99), True, t) == "差"
    stricter = s.Thresholds(D(95), D(85), D(70))
    assert s.grade(D(90), False, stricter) == "较好"
    assert s.Thresholds(D(80), D(90), D(60)).problems()


def test_ties_share_a_rank_and_vetoed_come_last():
    results = [
        s.OrgScore(1, total=D(80)),
        s.OrgScore(2, total=D(90)),
        s.OrgScore(3, total=D(80)),
        s.OrgScore(4, total=D(99), veto=True),
        s.OrgScore(5, total=D(70)),
    ]
    ranked = s.rank(results)
    assert [(r.org_id, r.rank) for r in ranked] == [(2, 1), (1, 2), (3, 2), (5, 4), (4, 5)]


def test_appraise_end_to_end():
    raw = {
        10: {"c1": D(1), "c2": D(1), "c3": D(40), "m": D(50)},
        11: {"c1": D("0.5"), "c2": D(0), "c3": D(10), "m": D(30)},
        12: {"c1": D(1), "c2": D(1), "c3": D(40), "m": D(50)},
    }
    out = s.appraise(tree(), raw, {12: [s.Adjustment("veto", D(0), "发生严重违纪")]}, s.Thresholds())
    by = {r.org_id: r for r in out}
    assert by[10].total == D("100.00") and by[10].grade == "好" and by[10].rank == 1
    assert by[12].total == D("100.00") and by[12].grade == "差" and by[12].rank == 3
    assert by[11].total == D("45.00") and by[11].grade == "差" and by[11].rank == 2
    assert s.max_total(tree()) == D(100)


def test_tree_problems():
    assert s.tree_problems([]) == ["尚未设置考核指标"]
    assert s.tree_problems(tree()) == []
    assert s.tree_problems([s.Node("x", "x", D(0))])
