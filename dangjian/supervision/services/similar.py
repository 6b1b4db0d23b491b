"""疑似雷同记录 over a year's activity minutes (similarity.py does the work; this gathers and labels)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings

from dangjian.activities.models import Activity
from dangjian.core import memo, stamps

from .. import similarity


def _minutes(year: int):
    return Activity.objects.filter(date__year=year, is_deleted=False).exclude(minutes="")


def _compute(year: int, threshold: float) -> list[similarity.Pair]:
    texts = _minutes(year).values_list("id", "minutes").order_by("id").iterator(chunk_size=2000)
    return similarity.find_pairs(texts, threshold)


def find(year: int, threshold: float = 0.8) -> list[similarity.Pair]:
    """The pairs for a year, for the page and the report: memoised under the data versions of the year's
    activity months (`core.stamps`), so any record of the year added, voided or edited recomputes them, and
    nothing else does (`DANGJIAN_SIMILAR_MEMO = False` turns the memo off)."""
    if not getattr(settings, "DANGJIAN_SIMILAR_MEMO", True):
        return _compute(year, threshold)
    return memo.memoized(
        "similar-pairs",
        (year, round(threshold, 4)),
        stamps.months_topics(Activity, year),
        lambda: _compute(year, threshold),
        shared=True,
    )


@dataclass
class RecordInfo:
    id: int
    org_code: str
    org_name: str
    org_id: int
    date: date
    topic: str


def describe(ids: set[int]) -> dict[int, RecordInfo]:
    rows = Activity.objects.filter(pk__in=ids).values_list(
        "id", "organization__code", "organization__name", "organization_id", "date", "topic"
    )
    return {r[0]: RecordInfo(*r) for r in rows}


def pairs_json(year: int, threshold: float = 0.8, *, cached: bool = False) -> dict[str, Any]:
    """The JSON of `dangjian similar_records` (design §4): computed afresh, or (`cached`, as the yearly report
    and the page use it) through `find`'s memo, keyed by the versions of the year's records."""
    pairs = find(year, threshold) if cached else _compute(year, threshold)
    info = describe({p.a for p in pairs} | {p.b for p in pairs})
    return {
        "pairs": [
            {
                "a": p.a,
                "b": p.b,
                "a_org": info[p.a].org_code,
                "b_org": info[p.b].org_code,
                "similarity": p.similarity,
            }
            for p in pairs
        ]
    }
