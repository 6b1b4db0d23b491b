"""How the yearly report writes: organisations by short name (at most five, then "等 N 个"), only the parts
that are not zero, shares of a whole that is never smaller than its part."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

NAMES_SHOWN = 5
CN_NUM = "一二三四五六七八九十"


def cn(i: int) -> str:
    return CN_NUM[i - 1] if 1 <= i <= 10 else str(i)


def names(items: Sequence[str], noun: str = "个党组织") -> str:
    """ "甲、乙、丙" for up to five; "甲、乙、丙、丁、戊等7个党组织" beyond (the count says what is left out)."""
    items = list(items)
    if len(items) <= NAMES_SHOWN:
        return "、".join(items)
    return f"{'、'.join(items[:NAMES_SHOWN])}等{len(items)}{noun}"


def nonzero(parts: Iterable[tuple[str, int | float, str]]) -> str:
    """ "党委1个、党支部19个" from (label, n, unit), leaving out the zeros (a report never says "0 个")."""
    return "、".join(f"{label}{n}{unit}" for label, n, unit in parts if n)


def pct(part: float, whole: float) -> str:
    """A share as "37.5%": callers only write it where the whole is not zero and the part is within it."""
    return f"{part * 100 / whole:.1f}%" if whole else ""


def ordinals(paras: Sequence[str]) -> list[str]:
    """ "一是……" "二是……" when there are several points; the point alone when there is one."""
    if len(paras) == 1:
        return list(paras)
    return [f"{cn(i)}是{p}" for i, p in enumerate(paras, start=1)]
