"""Numbers with their provenance: every figure the report states is recorded with the query that produced it,
so the draft can be checked against the database before it is edited in Word."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass
class Metric:
    key: str
    label: str
    value: Any
    query: str
    section: str = "基本情况"


def sql_of(qs: models.QuerySet) -> str:
    try:
        return str(qs.query)
    except Exception:  # noqa: BLE001 - an unprintable query is described instead
        return f"{qs.model._meta.label} 查询"


@dataclass
class Metrics:
    items: dict[str, Metric] = field(default_factory=dict)

    def count(self, key: str, label: str, qs: models.QuerySet, section: str = "基本情况") -> int:
        value = qs.count()
        self.items[key] = Metric(key, label, value, sql_of(qs), section)
        return value

    def put(self, key: str, label: str, value: Any, query: str, section: str = "基本情况") -> Any:
        self.items[key] = Metric(key, label, value, query, section)
        return value

    def __getitem__(self, key: str) -> Any:
        return self.items[key].value

    def get(self, key: str, default: Any = 0) -> Any:
        m = self.items.get(key)
        return m.value if m is not None else default

    def rows(self) -> list[Metric]:
        return list(self.items.values())
