"""Rows of a `values_list` queryset without Django's per-value converters.

Batch work that reads hundreds of thousands of rows (compliance for a whole city, study hours) spends most of its
time in the ORM's row machinery rather than in the database. This runs the queryset's own SQL (so filters, joins
and parameters stay the ORM's) on a plain cursor and converts only what the engine differs in: SQLite returns
dates as ISO text and booleans as 0/1, PostgreSQL returns them typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db import connections
from django.db.models import QuerySet


def _to_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def _to_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def rows(
    qs: QuerySet, *, dates: Iterable[int] = (), bools: Iterable[int] = (), chunk: int = 10_000
) -> Iterator[tuple]:
    """The tuples of a `values_list(...)` queryset; columns at `dates` become `date`, at `bools` `bool`."""
    sql, params = qs.query.sql_with_params()
    connection = connections[qs.db]
    fixes = [(i, _to_date) for i in dates] + [(i, _to_bool) for i in bools]
    typed = connection.vendor == "postgresql"  # psycopg already returns date and bool
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(chunk):
            if not fixes or typed:
                yield from batch
                continue
            for row in batch:
                row = list(row)
                for i, fix in fixes:
                    row[i] = fix(row[i])
                yield tuple(row)
