"""季抽查: drawing the sample of organisations. Pure: no database, no Django.

The draw is reproducible by anyone who has the candidate list and the seed:
- candidates are sorted by organisation code before anything random happens;
- the only source of randomness is `random.Random(seed)`;
- organisations that must be inspected (未达标 last quarter, when asked) are taken first and do not use the
  generator; the remaining places are drawn from the other candidates (when they alone fill or exceed the
  places, all of them are inspected and nothing is drawn);
- stratified: the remaining places are shared among the strata (unit kinds) in proportion to their sizes by the
  largest-remainder method, at least one per stratum when there are at least as many places as strata; then each
  stratum, in the order of its name, draws its share with the same generator.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

NO_UNIT = "无单位"


class DrawError(ValueError):
    """The request cannot be drawn; the message is Chinese and says what to change."""


@dataclass(frozen=True)
class Candidate:
    code: str
    stratum: str = NO_UNIT
    failing: bool = False


@dataclass
class DrawResult:
    codes: list[str]  # sorted by code
    size: int  # the number asked for (a count, or the ratio applied to the candidates)
    forced: list[str] = field(default_factory=list)  # included because 未达标 last quarter
    allocation: dict[str, int] = field(default_factory=dict)  # stratum -> places drawn (stratified only)


def sample_size(total: int, *, count: int | None = None, ratio: float | Fraction | None = None) -> int:
    """How many organisations to draw. A ratio is rounded up, so any positive ratio draws at least one."""
    if (count is None) == (ratio is None):
        raise DrawError("请指定抽取数量或抽取比例（二者选一）")
    if total <= 0:
        raise DrawError("没有可抽取的党组织（须为未撤销的党支部、联合党支部或临时党支部）")
    if count is not None:
        if count < 1:
            raise DrawError("抽取数量须为正整数")
        if count > total:
            raise DrawError(f"抽取数量 {count} 超过可抽取的党组织数 {total}；请减少数量或改用比例")
        return count
    r = Fraction(ratio).limit_denominator(10_000)  # type: ignore[arg-type]
    if not 0 < r <= 1:
        raise DrawError("抽取比例须大于 0 且不超过 1，例如 0.3 表示抽取 30%")
    return max(1, math.ceil(r * total))


def allocate(sizes: dict[str, int], places: int) -> dict[str, int]:
    """Share `places` among strata in proportion to `sizes` (largest remainder, Hamilton's method).

    Ties among remainders go to the larger stratum, then to the stratum name in sort order. When there are at
    least as many places as strata, every stratum receives at least one: a place is moved from the stratum
    whose share most exceeds its exact quota.
    """
    strata = sorted(s for s, n in sizes.items() if n > 0)
    total = sum(sizes[s] for s in strata)
    if places < 0 or places > total:
        raise DrawError(f"分配数 {places} 超出范围（共 {total} 个）")
    if not strata:
        return {}
    quota = {s: Fraction(places * sizes[s], total) for s in strata}
    share = {s: math.floor(quota[s]) for s in strata}
    left = places - sum(share.values())
    by_remainder = sorted(strata, key=lambda s: (-(quota[s] - share[s]), -sizes[s], s))
    for s in by_remainder[:left]:
        share[s] += 1
    if places >= len(strata):
        for s in sorted(strata, key=lambda s: (-sizes[s], s)):
            if share[s] > 0:
                continue
            donor = max(
                (d for d in strata if share[d] > 1),
                key=lambda d: (share[d] - quota[d], sizes[d], d),
            )
            share[donor] -= 1
            share[s] = 1
    return share


def draw(
    candidates: Iterable[Candidate],
    *,
    seed: int,
    count: int | None = None,
    ratio: float | Fraction | None = None,
    stratify: bool = False,
    include_failing: bool = False,
) -> DrawResult:
    pool = sorted(candidates, key=lambda c: c.code)
    codes = [c.code for c in pool]
    if len(set(codes)) != len(codes):
        raise DrawError("候选党组织的组织代码有重复，无法抽取")
    size = sample_size(len(pool), count=count, ratio=ratio)
    forced = [c.code for c in pool if c.failing] if include_failing else []
    rest = [c for c in pool if c.code not in set(forced)]
    places = max(0, size - len(forced))
    rng = random.Random(seed)
    allocation: dict[str, int] = {}
    if stratify:
        by_stratum: dict[str, list[str]] = {}
        for c in rest:
            by_stratum.setdefault(c.stratum, []).append(c.code)
        allocation = allocate({s: len(v) for s, v in by_stratum.items()}, places)
        chosen = [code for s in sorted(allocation) for code in rng.sample(by_stratum[s], allocation[s])]
    else:
        chosen = rng.sample([c.code for c in rest], places)
    return DrawResult(codes=sorted(forced + chosen), size=size, forced=forced, allocation=allocation)


def replay(snapshot: Sequence[dict], **params) -> DrawResult:
    """Draw again from a stored candidate snapshot ([{"code", "stratum", "failing"}]) to check a round."""
    return draw(
        [Candidate(d["code"], d.get("stratum") or NO_UNIT, bool(d.get("failing"))) for d in snapshot],
        **params,
    )
