"""Measures: named figures an app already computes, read by others without importing the app (design §3).

An app registers its measures in its `AppConfig.ready`:

    measures.register("orgs.term_status", "按期换届", term_measure, source="组织管理")

`fn(org, period_end, as_of)` answers for an organisation (its subtree where the figure is a share) and the period
that ends on `period_end`, looked at on `as_of` (today), with a `MeasureValue`: a status, a progress in per cent
(or None) and a line of detail. A measure reads its facts as of `reading_day(period_end, as_of)`: the period's
last day once it has ended, today while it runs (design §3, the as-of convention) — so that what happens after a
period (a 销号, a 签收, a study record of a later month) never rewrites a month that has closed. `as_of` still
decides whether the period is over (`share`: 进行中 until then). A *family* registers one measure per row of the app's own configuration (one per
compliance requirement): `register_family("compliance", "制度要求", choices, fn)` gives keys `compliance:<arg>`
and calls `fn(arg, org, period_end, as_of)`.

Duties binds a 责任清单 or 工作要点 item to a key; the item's status then comes from here and is never typed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any


class MeasureStatus(StrEnum):
    MET = "达标"
    UNMET = "未达标"
    PENDING = "进行中"
    NA = "不适用"


STATUS_TAGS = {
    MeasureStatus.MET: "tag-ok",
    MeasureStatus.UNMET: "tag-bad",
    MeasureStatus.PENDING: "tag-warn",
    MeasureStatus.NA: "",
}


@dataclass(frozen=True)
class MeasureValue:
    status: MeasureStatus
    progress: int | None = None  # per cent, 0–100
    detail: str = ""

    @property
    def tag(self) -> str:
        return STATUS_TAGS[self.status]


MeasureFn = Callable[[Any, date, date], MeasureValue]
FamilyFn = Callable[[str, Any, date, date], MeasureValue]


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    source: str
    fn: MeasureFn


@dataclass(frozen=True)
class Family:
    prefix: str
    source: str
    choices: Callable[[], Iterable[tuple[str, str]]]  # (arg, label)
    fn: FamilyFn


_measures: dict[str, Measure] = {}
_families: dict[str, Family] = {}


def register(key: str, label: str, fn: MeasureFn, *, source: str = "") -> None:
    """Register one measure; registering the same key again replaces it (ready() may run twice in tests)."""
    if ":" in key:
        raise ValueError("a measure key has no ':' (that separates a family's prefix from its argument)")
    _measures[key] = Measure(key, label, source, fn)


def register_family(
    prefix: str, source: str, choices: Callable[[], Iterable[tuple[str, str]]], fn: FamilyFn
) -> None:
    _families[prefix] = Family(prefix, source, choices, fn)


def choices() -> list[tuple[str, str]]:
    """Every measure as (key, "source：label"), for a form's select (families read their rows now)."""
    result = [(m.key, f"{m.source}：{m.label}" if m.source else m.label) for m in _measures.values()]
    for fam in _families.values():
        result.extend((f"{fam.prefix}:{arg}", f"{fam.source}：{label}") for arg, label in fam.choices())
    return result


def exists(key: str) -> bool:
    return any(k == key for k, _ in choices())


def label(key: str) -> str:
    """The measure's name with its source, or the key itself when nothing is registered under it."""
    return dict(choices()).get(key, key)


def value(key: str, org: Any, period_end: date, as_of: date | None = None) -> MeasureValue:
    """The measure's value; an unknown key is 不适用 with a note (a binding outlives an app's configuration)."""
    from django.utils import timezone

    as_of = as_of or timezone.localdate()
    if key in _measures:
        return _measures[key].fn(org, period_end, as_of)
    prefix, _, arg = key.partition(":")
    if arg and prefix in _families:
        return _families[prefix].fn(arg, org, period_end, as_of)
    return MeasureValue(MeasureStatus.NA, None, f"取数口径“{key}”已不存在")


def reading_day(period_end: date, as_of: date) -> date:
    """The day a period's facts are read as of: its last day once it has ended, else `as_of` (today)."""
    return min(period_end, as_of)


def read_until(period_end: date, as_of: date) -> datetime:
    """The instant the reading day ends (local time): a timestamp counts when it is earlier."""
    from django.utils import timezone

    day = reading_day(period_end, as_of)
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())


def share(done: int, total: int, period_end: date, as_of: date, what: str) -> MeasureValue:
    """A share measure (n of m done): 达标 at 100 %, 进行中 until the period ends, then 未达标; 不适用 with none."""
    if total == 0:
        return MeasureValue(MeasureStatus.NA, None, f"{what}：无统计对象")
    pct = done * 100 // total
    if done >= total:
        status = MeasureStatus.MET
    elif as_of <= period_end:
        status = MeasureStatus.PENDING
    else:
        status = MeasureStatus.UNMET
    return MeasureValue(status, pct, f"{what}：{done}/{total}（{pct}%）")
