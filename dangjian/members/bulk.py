"""Multi-row INSERTs for the roster import, without building a model instance per row.

`QuerySet.bulk_create` spends most of its time compiling each value through the field machinery (and on
SQLite Django assumes the old limit of 999 parameters per statement, i.e. about 40 members per INSERT). The
import writes tens of thousands of plain rows whose values the rules have already cleaned, so it sends them as
multi-row INSERT … VALUES statements directly, adapting only dates and datetimes. Portable across SQLite
(≥ 3.35 for RETURNING) and PostgreSQL; callers stay inside the import's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

MAX_ROWS_PER_STATEMENT = 500


def _max_params() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        try:
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # Python < 3.11
            return 999
    if connection.vendor == "postgresql":
        return 65535
    return connection.features.max_query_params or 999


class RowInserter:
    """Insert dicts (attname → value) into `model`; absent fields take their default, auto_now(_add) fields now."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        now = timezone.now()
        self.defaults: dict[str, Any] = {}
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            elif f.default is not NOT_PROVIDED:
                self.defaults[f.attname] = f.get_default()
            elif f.null:
                self.defaults[f.attname] = None
            else:
                self.defaults[f.attname] = "" if f.empty_strings_allowed else None
        ops = connection.ops
        self.adapters = []
        for f in self.fields:
            kind = f.get_internal_type()
            adapt = {
                "DateTimeField": ops.adapt_datetimefield_value,
                "DateField": ops.adapt_datefield_value,
            }.get(kind)
            self.adapters.append(adapt)
            if adapt is not None and self.defaults[f.attname] is not None:
                self.defaults[f.attname] = adapt(self.defaults[f.attname])
        self.plan = [
            (f.attname, adapt, self.defaults[f.attname])
            for f, adapt in zip(self.fields, self.adapters, strict=True)
        ]
        quote = ops.quote_name
        self.columns = ", ".join(quote(f.column) for f in self.fields)
        self.table = quote(model._meta.db_table)
        self.per_statement = max(1, min(MAX_ROWS_PER_STATEMENT, _max_params() // len(self.fields)))

    def _values(self, row: dict[str, Any]) -> list[Any]:
        out = []
        for attname, adapt, default in self.plan:
            if attname in row:
                v = row[attname]
                if adapt is not None and v is not None:
                    v = adapt(v)
            else:
                v = default
            out.append(v)
        return out

    def insert(self, rows: Iterable[dict[str, Any]]) -> None:
        if connection.vendor == "postgresql" and self._copy(rows):
            return
        self._insert_values(rows, returning=())

    def insert_keyed(self, rows: list[dict[str, Any]], key: str) -> dict[Any, int]:
        """Insert rows and return {row[key]: new primary key}; `key` is a unique column."""
        if connection.vendor != "postgresql" and connection.features.can_return_rows_from_bulk_insert:
            return {k: pk for pk, k in self._insert_values(rows, returning=("id", key))}
        if not (connection.vendor == "postgresql" and self._copy(rows)):
            self._insert_values(rows, returning=())
        keys = [r[key] for r in rows]
        found: dict[Any, int] = {}
        for i in range(0, len(keys), 2000):
            found.update(
                self.model._default_manager.filter(**{f"{key}__in": keys[i : i + 2000]}).values_list(
                    key, "pk"
                )
            )
        return found

    def _copy(self, rows: Iterable[dict[str, Any]]) -> bool:
        """PostgreSQL COPY … FROM STDIN through psycopg 3; False when that driver is not in use."""
        with connection.cursor() as cursor:
            raw = getattr(cursor, "cursor", None)
            if raw is None or not hasattr(raw, "copy"):
                return False
            with raw.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(self._values(row))
        return True

    def _insert_values(
        self, rows: Iterable[dict[str, Any]], returning: Sequence[str]
    ) -> list[tuple[Any, ...]]:
        placeholders = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        tail = ""
        if returning:
            tail = " RETURNING " + ", ".join(connection.ops.quote_name(c) for c in returning)
        result: list[tuple[Any, ...]] = []
        batch: list[list[Any]] = []
        with connection.cursor() as cursor:

            def flush() -> None:
                sql = f"INSERT INTO {self.table} ({self.columns}) VALUES " + ", ".join(
                    [placeholders] * len(batch)
                )
                cursor.execute(sql + tail, [v for values in batch for v in values])
                if returning:
                    result.extend(tuple(r) for r in cursor.fetchall())
                batch.clear()

            for row in rows:
                batch.append(self._values(row))
                if len(batch) >= self.per_statement:
                    flush()
            if batch:
                flush()
        return result
