"""Reads from a replica (issue 20 part 3), for the pages and jobs that only read a lot: the dashboard, the
yearly report, exports. Enabled with DATABASE_REPLICA_URL; without it everything reads the primary.

Inside `reads()` (or a view wrapped with `@reads_replica`) the router sends the ORM's reads to the replica.
Writes always go to the primary, and so do the data versions `core.memo` keys its results on: `memo` compares
them with the replica's and computes on the primary (`on_primary`) while the replica lags behind, so a result
is never stored under a version newer than the data it was computed from.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

ALIAS = "replica"
T = TypeVar("T")
_reading: ContextVar[bool] = ContextVar("dangjian_replica_reads", default=False)


def configured() -> bool:
    return ALIAS in settings.DATABASES


def reading() -> bool:
    """Whether reads go to the replica here and now."""
    return _reading.get() and configured()


@contextmanager
def reads(enabled: bool = True) -> Iterator[None]:
    token = _reading.set(enabled)
    try:
        yield
    finally:
        _reading.reset(token)


def on_primary(fn: Callable[[], T]) -> Callable[[], T]:
    """`fn` with its reads on the primary."""

    def run() -> T:
        with reads(False):
            return fn()

    return run


def reads_replica(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view whose reads go to the replica (GET and HEAD only: a form post reads what it is about to write)."""

    @functools.wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        with reads(request.method in ("GET", "HEAD")):
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    """Reads on the replica inside `reads()`, everything else on the primary; migrations on the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return ALIAS if reading() else DEFAULT_DB_ALIAS

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
