"""季抽查 draw: pure rules (no database)."""

from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.supervision.sampling import Candidate, DrawError, allocate, draw, replay, sample_size


def pool(n: int, strata: tuple[str, ...] = ("事业单位",)) -> list[Candidate]:
    return [Candidate(f"B{i:03d}", strata[i % len(strata)]) for i in range(n)]


def test_same_seed_same_draw_whatever_the_input_order():
    cands = pool(30, ("事业单位", "国有企业", "无单位"))
    first = draw(cands, seed=42, count=6)
    again = draw(list(reversed(cands)), seed=42, count=6)
    assert first.codes == again.codes
    assert len(first.codes) == 6 and first.codes == sorted(first.codes)


def test_different_seeds_usually_differ():
    cands = pool(40)
    draws = {tuple(draw(cands, seed=s, count=5).codes) for s in range(20)}
    assert len(draws) > 15


def test_seed_is_the_only_randomness_documented_algorithm():
    """Anyone can reproduce the draw with random.Random(seed).sample over the codes sorted."""
    import random

    cands = pool(25)
    expected = sorted(random.Random(7).sample(sorted(c.code for c in cands), 4))
    assert draw(cands, seed=7, count=4).codes == expected


@pytest.mark.parametrize(
    "total,ratio,expected",
    [(25, Fraction(1, 10), 3), (20, Fraction(3, 10), 6), (3, Fraction(1, 100), 1), (10, Fraction(1), 10)],
)
def test_ratio_rounds_up(total, ratio, expected):
    assert sample_size(total, ratio=ratio) == expected


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"count": 0}, "正整数"),
        ({"count": 11}, "超过"),
        ({"ratio": 0}, "大于 0"),
        ({"ratio": 1.5}, "不超过 1"),
        ({}, "二者选一"),
        ({"count": 2, "ratio": 0.5}, "二者选一"),
    ],
)
def test_bad_sizes_refused(kwargs, message):
    with pytest.raises(DrawError, match=message):
        sample_size(10, **kwargs)


def test_no_candidates_refused():
    with pytest.raises(DrawError, match="没有可抽取"):
        draw([], seed=1, count=1)


def test_largest_remainder_allocation():
    # quotas 10*5/12=4.17, 10*4/12=3.33, 10*3/12=2.5 -> floors 4,3,2 (9), the largest remainder (.5) gets the 10th
    assert allocate({"甲": 5, "乙": 4, "丙": 3}, 10) == {"甲": 4, "乙": 3, "丙": 3}


def test_remainder_ties_go_to_the_larger_stratum_then_the_name():
    # 3 places over sizes 2,2,2: quotas exactly 1 each
    assert allocate({"甲": 2, "乙": 2, "丙": 2}, 3) == {"甲": 1, "乙": 1, "丙": 1}
    # 1 place over 2,2: equal remainders and sizes -> the name that sorts first (乙 U+4E59 < 甲 U+7532)
    assert allocate({"甲": 2, "乙": 2}, 1) == {"乙": 1, "甲": 0}
    assert allocate({"a": 3, "b": 5}, 1) == {"a": 0, "b": 1}


def test_every_stratum_gets_one_when_the_count_allows():
    # proportional alone would give the small stratum 0 (quota 3*1/20 = 0.15)
    shares = allocate({"事业单位": 12, "国有企业": 7, "非公企业": 1}, 3)
    assert shares == {"事业单位": 1, "国有企业": 1, "非公企业": 1}
    # fewer places than strata: no minimum
    assert sum(allocate({"a": 10, "b": 1, "c": 1}, 2).values()) == 2


def test_stratified_draw_uses_the_allocation():
    cands = [Candidate(f"S{i:02d}", "事业单位") for i in range(12)]
    cands += [Candidate(f"Q{i:02d}", "国有企业") for i in range(6)]
    cands += [Candidate("N00", "无单位")]
    result = draw(cands, seed=3, count=6, stratify=True)
    strata = Counter({c.code: c.stratum for c in cands}[code] for code in result.codes)
    assert strata == Counter(result.allocation)
    assert result.allocation == {"事业单位": 3, "国有企业": 2, "无单位": 1}
    assert draw(cands, seed=3, count=6, stratify=True).codes == result.codes


def test_failing_are_always_included_and_fill_places_first():
    cands = pool(20)
    cands[4] = Candidate(cands[4].code, "事业单位", failing=True)
    cands[9] = Candidate(cands[9].code, "事业单位", failing=True)
    result = draw(cands, seed=5, count=5, include_failing=True)
    assert {"B004", "B009"} <= set(result.codes)
    assert len(result.codes) == 5
    assert result.forced == ["B004", "B009"]
    # without the option the flags are ignored
    assert draw(cands, seed=5, count=5).forced == []


def test_more_failing_than_places_draws_all_failing():
    cands = [Candidate(f"F{i}", failing=True) for i in range(4)] + pool(6)
    result = draw(cands, seed=1, count=2, include_failing=True)
    assert result.codes == ["F0", "F1", "F2", "F3"]


def test_duplicate_codes_refused():
    with pytest.raises(DrawError, match="重复"):
        draw([Candidate("A"), Candidate("A")], seed=1, count=1)


def test_replay_from_snapshot():
    snap = [{"code": c.code, "stratum": c.stratum, "failing": False} for c in pool(15, ("x", "y"))]
    assert (
        replay(snap, seed=9, count=4, stratify=True).codes
        == draw(pool(15, ("x", "y")), seed=9, count=4, stratify=True).codes
    )


@given(
    sizes=st.dictionaries(st.sampled_from("abcdefg"), st.integers(1, 30), min_size=1),
    data=st.data(),
)
def test_allocation_properties(sizes, data):
    total = sum(sizes.values())
    places = data.draw(st.integers(0, total))
    shares = allocate(sizes, places)
    assert sum(shares.values()) == places
    assert all(0 <= shares[s] <= sizes[s] for s in sizes)
    if places >= len(sizes):
        assert all(v >= 1 for v in shares.values())
    else:
        # proportional: no share is more than one away from its exact quota
        assert all(abs(shares[s] - Fraction(places * sizes[s], total)) < 1 for s in sizes)
