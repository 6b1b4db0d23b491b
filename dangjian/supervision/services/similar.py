"""疑似雷同记录 over a year's activity minutes (similarity.py does the work; this gathers and labels)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max

from dangjian.activities.models import Activity

from .. import similarity

CACHE_SECONDS = 600


def _minutes(year: int):
    return Activity.objects.filter(date__year=year, is_deleted=False).exclude(minutes="")


def find(year: int, threshold: float = 0.8) -> list[similarity.Pair]:
    """The pairs for a year. Results are cached until a record of that year changes (count or last edit)."""
    stamp = _minutes(year).aggregate(n=Count("id"), last=Max("updated_at"))
    key = f"supervision:similar:{year}:{threshold:.4f}:{stamp['n']}:{stamp['last']}"
    pairs = cache.get(key)
    if pairs is None:
        texts = _minutes(year).values_list("id", "minutes").order_by("id").iterator(chunk_size=2000)
        pairs = similarity.find_pairs(texts, threshold)
        cache.set(key, pairs, CACHE_SECONDS)
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


def pairs_json(year: int, threshold: float = 0.8) -> dict[str, Any]:
    """The JSON of `dangjian similar_records` (design §4)."""
    pairs = find(year, threshold)
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
