"""年终总评 scoring, pure (no database): indicator tree × raw values → scores, total, grade, rank.

Rules (documented for the bureau on the appraisal page too):
- A 二级 indicator (leaf) turns its raw value into a fraction 0–1 (see `fraction`) and scores
  fraction × its maximum points. A 一级 indicator without children is scored as a leaf itself.
- A 一级 indicator with children scores its maximum × (sum of children's scores ÷ sum of children's maxima),
  so children's points may be read as weights; when they add up to the parent's maximum nothing is rescaled.
- A value that is missing (no data: not observed, no notice received, 党组 term …) scores full or zero marks
  as the indicator says (`missing_full`).
- Total = the indicators' sum + 加分 − 扣分, never below 0. A 一票否决 makes the grade 差 whatever the total.
- Rank: by total, highest first; equal totals share a rank (1, 1, 3); vetoed organisations come after all
  others (they are 差 whatever their score).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

GOOD, FAIRLY_GOOD, AVERAGE, POOR = "好", "较好", "一般", "差"
GRADES = (GOOD, FAIRLY_GOOD, AVERAGE, POOR)


def q(value: Decimal | float | int) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Node:
    key: str
    name: str
    max_points: Decimal
    source: str = "manual"
    param: Decimal | None = None  # target for counts / hours; None = the source's default
    missing_full: bool = True
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Thresholds:
    good: Decimal = Decimal(90)
    fairly_good: Decimal = Decimal(80)
    average: Decimal = Decimal(60)

    def problems(self) -> list[str]:
        if not (self.good > self.fairly_good > self.average >= 0):
            return ["等次分数线应满足：好 > 较好 > 一般 ≥ 0"]
        return []


@dataclass(frozen=True)
class Adjustment:
    kind: str  # bonus / deduction / veto
    points: Decimal
    reason: str


@dataclass
class OrgScore:
    org_id: int
    scores: dict[str, Decimal] = field(default_factory=dict)  # node key → score (leaves and 一级)
    base: Decimal = Decimal(0)
    bonus: Decimal = Decimal(0)
    deduction: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    veto: bool = False
    grade: str = POOR
    rank: int = 0


def fraction(source: str, raw: Decimal | None, max_points: Decimal, param: Decimal | None) -> Decimal | None:
    """The share of the maximum a raw value earns; None when there is no value."""
    if raw is None:
        return None
    if source == "manual":  # entered as points
        return max(Decimal(0), min(Decimal(1), raw / max_points)) if max_points else Decimal(0)
    if source in ("study", "cases"):  # a quantity against a target
        target = param if param and param > 0 else Decimal(1)
        return min(Decimal(1), max(Decimal(0), raw / target))
    if source == "observation":  # 0–100
        return min(Decimal(1), max(Decimal(0), raw / 100))
    return min(Decimal(1), max(Decimal(0), raw))  # rates 0–1


def leaf_score(node: Node, raw: Decimal | None) -> Decimal:
    f = fraction(node.source, raw, node.max_points, node.param)
    if f is None:
        f = Decimal(1) if node.missing_full else Decimal(0)
    return q(node.max_points * f)


def leaves(tree: Sequence[Node]) -> list[Node]:
    return [leaf for top in tree for leaf in (top.children or (top,))]


def max_total(tree: Sequence[Node]) -> Decimal:
    return sum((top.max_points for top in tree), Decimal(0))


def score_org(
    org_id: int, tree: Sequence[Node], raw: Mapping[str, Decimal | None], adjustments: Sequence[Adjustment]
) -> OrgScore:
    out = OrgScore(org_id)
    for top in tree:
        if not top.children:
            out.scores[top.key] = leaf_score(top, raw.get(top.key))
            continue
        child_sum = Decimal(0)
        for child in top.children:
            out.scores[child.key] = leaf_score(child, raw.get(child.key))
            child_sum += out.scores[child.key]
        child_max = sum((c.max_points for c in top.children), Decimal(0))
        out.scores[top.key] = q(top.max_points * child_sum / child_max) if child_max else Decimal(0)
    out.base = q(sum((out.scores[top.key] for top in tree), Decimal(0)))
    out.bonus = q(sum((a.points for a in adjustments if a.kind == "bonus"), Decimal(0)))
    out.deduction = q(sum((a.points for a in adjustments if a.kind == "deduction"), Decimal(0)))
    out.veto = any(a.kind == "veto" for a in adjustments)
    out.total = q(max(Decimal(0), out.base + out.bonus - out.deduction))
    return out


def grade(total: Decimal, veto: bool, t: Thresholds) -> str:
    if veto:
        return POOR
    if total >= t.good:
        return GOOD
    if total >= t.fairly_good:
        return FAIRLY_GOOD
    if total >= t.average:
        return AVERAGE
    return POOR


def rank(results: list[OrgScore]) -> list[OrgScore]:
    """Sort in place by (vetoed last, total desc, org id) and set competition ranks (ties share)."""
    results.sort(key=lambda r: (r.veto, -r.total, r.org_id))
    previous: tuple[bool, Decimal] | None = None
    current = 0
    for i, r in enumerate(results, start=1):
        if (r.veto, r.total) != previous:
            current, previous = i, (r.veto, r.total)
        r.rank = current
    return results


def appraise(
    tree: Sequence[Node],
    raw_by_org: Mapping[int, Mapping[str, Decimal | None]],
    adjustments_by_org: Mapping[int, Sequence[Adjustment]],
    thresholds: Thresholds,
) -> list[OrgScore]:
    """Every organisation of `raw_by_org` scored, graded and ranked."""
    results = [
        score_org(org_id, tree, raw, adjustments_by_org.get(org_id, ())) for org_id, raw in raw_by_org.items()
    ]
    for r in results:
        r.grade = grade(r.total, r.veto, thresholds)
    return rank(results)


def tree_problems(tree: Sequence[Node]) -> list[str]:
    """What keeps a tree from being used (empty when fine)."""
    problems = []
    if not tree:
        problems.append("尚未设置考核指标")
    for top in tree:
        if top.max_points <= 0:
            problems.append(f"一级指标“{top.name}”的分值应大于 0")
        for c in top.children:
            if c.max_points <= 0:
                problems.append(f"二级指标“{c.name}”的分值应大于 0")
    return problems
