"""Multi-row INSERTs for big imports and the data generator, without building a model instance per row.

`QuerySet.bulk_create` spends most of its time compiling each value through the field machinery (and on
SQLite Django assumes the old limit of 999 parameters per statement, i.e. about 40 members per INSERT). The
import writes tens of thousands of plain rows whose values the rules have already cleaned, so it sends them as
COPY (PostgreSQL with psycopg 3) or multi-row INSERT … VALUES statements directly. Portable across SQLite
(≥ 3.35 for RETURNING) and PostgreSQL; callers stay inside the import's transaction.

Rows are tuples in the order of the columns the inserter was made for; every other field takes its default
(auto_now(_add) fields now), computed once. Dates go to the driver as they are: psycopg adapts them, and on
SQLite Django registers the adapter that writes `date.isoformat()`, which is what the DateField would write.
Datetimes are adapted here, as the field would.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from typing import Any, cast

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
    """Insert rows (tuples in the order of `columns`, attnames) into `model`."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        self.model = model
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        unknown = [c for c in columns if c not in fields]
        if unknown:
            raise ValueError(f"{model._meta.label} has no fields {unknown}")
        ops = connection.ops
        self.now = now = timezone.now()  # what the auto_now(_add) fields get
        tail: list[Any] = []
        rest = [f for name, f in fields.items() if name not in columns]
        for f in rest:
            value: Any
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.default is not NOT_PROVIDED:
                value = f.get_default()
            elif f.null:
                value = None
            else:
                value = "" if f.empty_strings_allowed else None
            kind = f.get_internal_type()
            if value is not None and kind == "DateTimeField":
                value = ops.adapt_datetimefield_value(value)
            elif value is not None and kind == "DateField":
                value = ops.adapt_datefield_value(value)
            tail.append(value)
        self.tail = tuple(tail)
        # Given datetimes are adapted per row (none of the roster's are); dates go as they are (module doc).
        self.adapt = [
            (i, ops.adapt_datetimefield_value)
            for i, c in enumerate(columns)
            if fields[c].get_internal_type() == "DateTimeField"
        ]
        self.columns = list(columns)
        self.width = len(columns) + len(rest)
        quote = ops.quote_name
        self.column_sql = ", ".join(quote(fields[c].column) for c in columns) + "".join(
            ", " + quote(f.column) for f in rest
        )
        self.table = quote(model._meta.db_table)
        self.per_statement = max(1, min(MAX_ROWS_PER_STATEMENT, _max_params() // self.width))

    def _values(self, row: Sequence[Any]) -> Sequence[Any]:
        if self.adapt:
            row = list(row)
            for i, adapt in self.adapt:
                if row[i] is not None:
                    row[i] = adapt(row[i])
        return (*row, *self.tail)

    def insert(self, rows: Iterable[Sequence[Any]]) -> None:
        if connection.vendor == "postgresql" and self._copy(rows):
            return
        self._insert_values(rows, returning=())

    def insert_keyed(self, rows: list[Sequence[Any]], key: str) -> dict[Any, int]:
        """Insert rows and return {row's `key` value: new primary key}; `key` is a unique column."""
        at = self.columns.index(key)
        if connection.vendor != "postgresql" and connection.features.can_return_rows_from_bulk_insert:
            return {k: pk for pk, k in self._insert_values(rows, returning=("id", key))}
        if not (connection.vendor == "postgresql" and self._copy(rows)):
            self._insert_values(rows, returning=())
        return pks_by(self.model, key, [r[at] for r in rows])

    def insert_returning_ids(self, rows: Iterable[Sequence[Any]]) -> list[int]:
        """Insert rows and return their new primary keys in the order of the rows: multi-row INSERT …
        RETURNING, whose rows come back in the order of the VALUES on SQLite and PostgreSQL (what Django's own
        `bulk_create` relies on)."""
        return [r[0] for r in self._insert_values(rows, returning=(self.model._meta.pk.column,))]

    def _copy(self, rows: Iterable[Sequence[Any]]) -> bool:
        """PostgreSQL COPY … FROM STDIN through psycopg 3; False when that driver is not in use."""
        with connection.cursor() as cursor:
            raw = getattr(cursor, "cursor", None)
            if raw is None or not hasattr(raw, "copy"):
                return False
            with raw.copy(f"COPY {self.table} ({self.column_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(self._values(row))
        return True

    def _insert_values(
        self, rows: Iterable[Sequence[Any]], returning: Sequence[str]
    ) -> list[tuple[Any, ...]]:
        # On SQLite the statement goes to the driver's own cursor with its "?" placeholders: Django's cursor
        # wrapper would rewrite every "%s" of a 500-row VALUES list by regular expression, statement by statement.
        sqlite = connection.vendor == "sqlite"
        placeholders = "(" + ", ".join(["?" if sqlite else "%s"] * self.width) + ")"
        tail = ""
        if returning:
            tail = " RETURNING " + ", ".join(connection.ops.quote_name(c) for c in returning)
        result: list[tuple[Any, ...]] = []
        params: list[Any] = []
        count = 0
        connection.ensure_connection()
        with closing(connection.connection.cursor()) if sqlite else connection.cursor() as cursor:

            def flush() -> None:
                nonlocal count
                sql = f"INSERT INTO {self.table} ({self.column_sql}) VALUES " + ", ".join(
                    [placeholders] * count
                )
                cursor.execute(sql + tail, params)
                if returning:
                    result.extend(tuple(r) for r in cursor.fetchall())
                params.clear()
                count = 0

            for row in rows:
                params.extend(self._values(row))
                count += 1
                if count >= self.per_statement:
                    flush()
            if count:
                flush()
        return result


def pks_by(model: type[models.Model], column: str, keys: Sequence[Any]) -> dict[Any, int]:
    """{key: primary key} of the rows whose unique `column` is one of `keys`, found set-wise: one query with
    an array on PostgreSQL, IN lists as long as the engine allows elsewhere. Keys not found are absent."""
    field = cast("models.Field[Any, Any]", model._meta.get_field(column))
    table, col = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(str(field.column))
    pk = connection.ops.quote_name(model._meta.pk.column)
    found: dict[Any, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {col}, {pk} FROM {table} WHERE {col} = ANY(%s)", [list(keys)])
            found.update(cursor.fetchall())
            return found
        per = max(1, min(_max_params(), 30000))
        for i in range(0, len(keys), per):
            part = keys[i : i + per]
            cursor.execute(
                f"SELECT {col}, {pk} FROM {table} WHERE {col} IN ({', '.join(['%s'] * len(part))})", part
            )
            found.update(cursor.fetchall())
    return found


class DictRowInserter:
    """Rows as dicts (attname → value), every row with the first row's keys: for the data generator, which
    builds rows of many models in many shapes. The columns are those keys; other fields take their defaults."""

    def __init__(self, model: type[models.Model]):
        self.model = model

    def insert(self, rows: Iterable[dict[str, Any]]) -> None:
        it = iter(rows)
        first = next(it, None)
        if first is None:
            return
        columns = list(first)
        RowInserter(self.model, columns).insert(
            tuple(row[c] for c in columns) for row in itertools.chain([first], it)
        )
