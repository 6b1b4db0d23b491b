"""半年观摩: scoring by several raters, and the ranking. Pure: no database.

An organisation's score is the mean of its raters' totals. With five or more raters the single highest and the
single lowest total are dropped first (one of each, even when several raters gave the same total). Only a
rater who has scored every item of the rubric for that organisation counts. Arithmetic is exact (Fraction), so
ties are true ties; ties share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

TRIM_FROM = 5  # with this many raters or more, drop the highest and the lowest total

K = TypeVar("K", bound=Hashable)
Number = int | Decimal | Fraction


class ScoreError(ValueError):
    pass


def validate_points(points: Number, maximum: Number, item: str = "") -> None:
    where = f"“{item}”" if item else ""
    if points < 0:
        raise ScoreError(f"{where}得分不能为负数")
    if points > maximum:
        raise ScoreError(f"{where}得分 {points} 超过该项满分 {maximum}")


@dataclass(frozen=True)
class OrgScore:
    totals: tuple[Fraction, ...]  # the counted raters' totals, in rater order
    dropped_high: Fraction | None
    dropped_low: Fraction | None
    score: Fraction | None  # None: nobody has finished scoring

    @property
    def trimmed(self) -> bool:
        return self.dropped_high is not None


def combine(totals: Iterable[Number]) -> OrgScore:
    values = tuple(Fraction(t) for t in totals)
    if not values:
        return OrgScore((), None, None, None)
    if len(values) >= TRIM_FROM:
        high, low = max(values), min(values)
        kept = list(values)
        kept.remove(high)
        kept.remove(low)
        return OrgScore(values, high, low, Fraction(sum(kept), len(kept)))
    return OrgScore(values, None, None, Fraction(sum(values), len(values)))


def rater_totals(
    points: Mapping[tuple[K, Hashable], Number], raters: Iterable[K], items: Iterable[Hashable]
) -> dict[K, Fraction | None]:
    """Each rater's total over `items` from {(rater, item): points}; None when some item is unscored."""
    item_list = list(items)
    out: dict[K, Fraction | None] = {}
    for r in raters:
        got = [points.get((r, i)) for i in item_list]
        out[r] = (
            None
            if not item_list or any(p is None for p in got)
            else sum((Fraction(p) for p in got), Fraction(0))
        )
    return out


def org_score(
    points: Mapping[tuple[K, Hashable], Number], raters: Iterable[K], items: Iterable[Hashable]
) -> OrgScore:
    totals = rater_totals(points, raters, items)
    return combine(t for t in totals.values() if t is not None)


def rank(scores: Mapping[K, Fraction | Decimal | float | None]) -> dict[K, int | None]:
    """Competition ranking, highest first; equal scores share a rank; unscored entries get None."""
    scored = sorted((s for s in scores.values() if s is not None), reverse=True)
    first_at: dict[object, int] = {}
    for position, s in enumerate(scored, start=1):
        first_at.setdefault(s, position)
    return {k: (first_at[s] if s is not None else None) for k, s in scores.items()}


def as_decimal(value: Fraction | None, places: int = 2) -> Decimal | None:
    """For display: rounded half up to `places` decimals."""
    if value is None:
        return None
    q = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(q, rounding="ROUND_HALF_UP")
