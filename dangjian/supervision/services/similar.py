"""疑似雷同记录 over a year's activity minutes (similarity.py does the work; this gathers and labels)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.db.models.functions import Length

from dangjian.activities.models import Activity

from .. import similarity

CACHE_SECONDS = 600


def _minutes(year: int):
    return Activity.objects.filter(date__year=year, is_deleted=False).exclude(minutes="")


def _compute(year: int, threshold: float) -> list[similarity.Pair]:
    texts = _minutes(year).values_list("id", "minutes").order_by("id").iterator(chunk_size=2000)
    return similarity.find_pairs(texts, threshold)


def find(year: int, threshold: float = 0.8) -> list[similarity.Pair]:
    """The pairs for a year, for the page. The result is cached (DANGJIAN_SIMILAR_CACHE_SECONDS, 0 = off) under
    a key that changes whenever a record of that year is added, voided, edited or lengthened."""
    seconds = int(getattr(settings, "DANGJIAN_SIMILAR_CACHE_SECONDS", CACHE_SECONDS))
    if seconds <= 0:
        return _compute(year, threshold)
    stamp = _minutes(year).aggregate(
        n=Count("id"), top=Max("id"), last=Max("updated_at"), ids=Sum("id"), chars=Sum(Length("minutes"))
    )
    digest = hashlib.sha256(repr((year, round(threshold, 4), sorted(stamp.items()))).encode()).hexdigest()
    key = f"supervision-similar-{digest}"
    pairs = cache.get(key)
    if pairs is None:
        pairs = _compute(year, threshold)
        cache.set(key, pairs, seconds)
    return pairs


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
    and the page use it) through `find`'s cache, keyed by the year's records so that any change recomputes."""
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
