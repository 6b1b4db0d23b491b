"""半年观摩 scoring and ranking: pure rules (no database)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from dangjian.supervision.scoring import (
    ScoreError,
    as_decimal,
    combine,
    org_score,
    rank,
    rater_totals,
    validate_points,
)


def test_four_raters_plain_mean():
    r = combine([80, 90, 70, 100])
    assert r.score == 85
    assert not r.trimmed and r.dropped_high is None


def test_five_raters_drop_highest_and_lowest():
    r = combine([80, 90, 70, 100, 60])
    assert (r.dropped_high, r.dropped_low) == (100, 60)
    assert r.score == 80  # (80 + 90 + 70) / 3


def test_six_raters():
    r = combine([Decimal("88.5"), 92, 75, 99, 60, 80])
    assert r.score == Fraction(Decimal("88.5")) / 4 + Fraction(92 + 75 + 80, 4)
    assert as_decimal(r.score) == Decimal("83.88")  # 335.5 / 4 = 83.875 -> half up


def test_ties_drop_only_one_of_each():
    r = combine([90, 90, 80, 70, 70])
    assert (r.dropped_high, r.dropped_low) == (90, 70)
    assert r.score == Fraction(90 + 80 + 70, 3)
    # all equal: still one of each dropped
    assert combine([85] * 6).score == 85


def test_no_totals_no_score():
    assert combine([]).score is None


def test_incomplete_sheet_does_not_count():
    points = {("r1", "i1"): 10, ("r1", "i2"): 20, ("r2", "i1"): 5}
    totals = rater_totals(points, ["r1", "r2"], ["i1", "i2"])
    assert totals == {"r1": 30, "r2": None}
    assert org_score(points, ["r1", "r2"], ["i1", "i2"]).score == 30


def test_five_raters_of_which_one_unfinished_is_not_trimmed():
    raters = [f"r{i}" for i in range(5)]
    points = {(r, "i"): v for r, v in zip(raters, [60, 70, 80, 90, 100], strict=True)}
    del points[("r4", "i")]
    assert org_score(points, raters, ["i"]).score == 75  # four finished raters: plain mean


def test_rank_ties_share_a_rank():
    ranks = rank({"A": Fraction(90), "B": Fraction(95), "C": Fraction(90), "D": Fraction(80), "E": None})
    assert ranks == {"B": 1, "A": 2, "C": 2, "D": 4, "E": None}


def test_rank_is_exact_not_rounded():
    # 1/3 of 250 vs 83.33: equal when rounded to 2 places, but not a tie
    ranks = rank({"A": Fraction(250, 3), "B": Fraction(8333, 100)})
    assert ranks == {"A": 1, "B": 2}


@pytest.mark.parametrize(
    "points,maximum,ok", [(0, 10, True), (10, 10, True), (Decimal("10.5"), 10, False), (-1, 10, False)]
)
def test_validate_points(points, maximum, ok):
    if ok:
        validate_points(points, maximum)
    else:
        with pytest.raises(ScoreError):
            validate_points(points, maximum, "阵地建设")
