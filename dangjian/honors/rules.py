"""Pure rules of 述职评议, 民主评议 and 两优一先 (no database)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

GRADES = ("好", "较好", "一般", "差")


@dataclass(frozen=True)
class Tally:
    counts: dict[str, int]
    total: int

    def share(self, *grades: str) -> float:
        return sum(self.counts.get(g, 0) for g in grades) / self.total if self.total else 0.0

    def percent(self, grade: str) -> float:
        return round(self.share(grade) * 100, 1)


def tally(grades: Iterable[str]) -> Tally:
    c = Counter(grades)
    return Tally({g: c.get(g, 0) for g in GRADES}, sum(c.values()))


def overall_grade(t: Tally, *, good_share: int, fairly_good_share: int, poor_share: int) -> str | None:
    """The rule the bureau configures: 差 first (a large enough share of 差), then 好, 较好, else 一般."""
    if t.total == 0:
        return None
    if t.share("差") * 100 >= poor_share:
        return "差"
    if t.share("好") * 100 >= good_share:
        return "好"
    if t.share("好", "较好") * 100 >= fairly_good_share:
        return "较好"
    return "一般"


@dataclass(frozen=True)
class NomineeFacts:
    category: str
    is_member_nomination: bool
    is_probationary: bool = False
    is_current: bool = True
    grades: tuple[str, ...] = ()  # 民主评议 grades of the years that count
    org_failing: bool = False


def eligibility(f: NomineeFacts) -> tuple[list[str], list[str]]:
    """(problems that forbid the nomination, flags shown to reviewers)."""
    problems: list[str] = []
    flags: list[str] = []
    if f.is_member_nomination:
        if not f.is_current:
            problems.append("被推荐人不是在册党员")
        if f.category == "优秀共产党员" and f.is_probationary:
            problems.append("预备党员不能推荐为优秀共产党员（表彰条例 第十六条：限正式党员）")
        bad = [g for g in f.grades if g in ("基本合格", "不合格")]
        if bad:
            problems.append(f"被推荐人民主评议为“{bad[0]}”，当年不能推荐评先评优")
    elif f.org_failing:
        flags.append("该党组织有核心制度要求未达标，请审核时重点核查")
    return problems, flags


def working_days_after(start: date, n: int, holidays: Iterable[date] = ()) -> date:
    """The last day of a publicity period of n working days beginning on `start` (weekends and holidays skipped)."""
    skip = set(holidays)
    day = start
    counted = 0
    while True:
        if day.weekday() < 5 and day not in skip:
            counted += 1
            if counted >= n:
                return day
        day += timedelta(days=1)


TRANSITIONS = {
    "submitted": {"approved", "returned"},
    "returned": {"submitted"},
    "approved": {"publicity", "returned"},
    "publicity": {"awarded", "rejected"},
}


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, set())
