"""Period: a month, quarter, half-year or year, written 2025-07 / 2025Q3 / 2025H1 / 2025 (design §4).

A value type, not a table. Pure: no database, no Django.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"


KIND_LABELS = {
    PeriodKind.MONTH: "月",
    PeriodKind.QUARTER: "季度",
    PeriodKind.HALF: "半年",
    PeriodKind.YEAR: "年",
}
_MONTHS_PER = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.HALF: 6, PeriodKind.YEAR: 12}
_PATTERNS = [
    (re.compile(r"^(\d{4})-(\d{1,2})$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})Q([1-4])$", re.I), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})H([12])$", re.I), PeriodKind.HALF),
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
]


@dataclass(frozen=True, order=True)
class Period:
    """`index` is 1-based inside the year: month 1–12, quarter 1–4, half 1–2, year 1."""

    year: int
    kind: PeriodKind
    index: int = 1

    def __post_init__(self) -> None:
        top = 12 // _MONTHS_PER[self.kind]
        if not 1 <= self.index <= top:
            raise ValueError(f"期间序号超出范围：{self.kind} {self.index}")

    # --- construction -------------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Period:
        text = text.strip()
        for pattern, kind in _PATTERNS:
            m = pattern.match(text)
            if m:
                index = int(m.group(2)) if kind is not PeriodKind.YEAR else 1
                return cls(int(m.group(1)), kind, index)
        raise ValueError(f"无法识别的期间“{text}”，应写作 2025、2025H1、2025Q3 或 2025-07")

    @classmethod
    def containing(cls, day: date, kind: PeriodKind | str) -> Period:
        kind = PeriodKind(kind)
        return cls(day.year, kind, (day.month - 1) // _MONTHS_PER[kind] + 1)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(year, PeriodKind.MONTH, month)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        return cls(year, PeriodKind.QUARTER, quarter)

    @classmethod
    def whole_year(cls, year: int) -> Period:
        return cls(year, PeriodKind.YEAR, 1)

    # --- dates --------------------------------------------------------------------------------------
    # Cached: the compliance engine asks for them hundreds of thousands of times at city scale (a frozen dataclass
    # still has a __dict__, which cached_property writes to directly; equality and hashing use the fields only).
    @cached_property
    def first_month(self) -> int:
        return (self.index - 1) * _MONTHS_PER[self.kind] + 1

    @cached_property
    def last_month(self) -> int:
        return self.first_month + _MONTHS_PER[self.kind] - 1

    @cached_property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @cached_property
    def end(self) -> date:
        """The last day (inclusive)."""
        return date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def has_ended(self, today: date) -> bool:
        return today > self.end

    def has_started(self, today: date) -> bool:
        return today >= self.start

    # --- navigation ---------------------------------------------------------------------------------
    def subperiods(self, kind: PeriodKind | str) -> list[Period]:
        """The periods of `kind` inside this one (a year has 12 months, 4 quarters, …)."""
        kind = PeriodKind(kind)
        step = _MONTHS_PER[kind]
        if step > _MONTHS_PER[self.kind]:
            return [Period.containing(self.start, kind)]
        return [
            Period(self.year, kind, (m - 1) // step + 1)
            for m in range(self.first_month, self.last_month + 1, step)
        ]

    def next(self) -> Period:
        return Period.containing(self.end + timedelta(days=1), self.kind)

    def previous(self) -> Period:
        return Period.containing(self.start - timedelta(days=1), self.kind)

    # --- text ---------------------------------------------------------------------------------------
    def __str__(self) -> str:
        match self.kind:
            case PeriodKind.MONTH:
                return f"{self.year}-{self.index:02d}"
            case PeriodKind.QUARTER:
                return f"{self.year}Q{self.index}"
            case PeriodKind.HALF:
                return f"{self.year}H{self.index}"
        return str(self.year)

    @property
    def label(self) -> str:
        """Chinese label: 2025年7月, 2025年第三季度, 2025年上半年, 2025年."""
        match self.kind:
            case PeriodKind.MONTH:
                return f"{self.year}年{self.index}月"
            case PeriodKind.QUARTER:
                return f"{self.year}年第{'一二三四'[self.index - 1]}季度"
            case PeriodKind.HALF:
                return f"{self.year}年{'上下'[self.index - 1]}半年"
        return f"{self.year}年"


def first_whole_period_start(founded: date, kind: PeriodKind | str) -> date:
    """The first day of the first *whole* period of `kind` after founding (design §4).

    Founded on the first day of a period, that period is whole and counts.
    """
    p = Period.containing(founded, kind)
    return p.start if founded == p.start else p.next().start


def add_months(day: date, months: int) -> date:
    """Calendar month arithmetic, clamping the day (Jan 31 + 1 month = Feb 28/29)."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)
