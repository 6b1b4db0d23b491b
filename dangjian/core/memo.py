"""Results memoised under the data versions they were computed from (`core.stamps`).

A computation names the topics (tables, or tables × months) it reads; its result is reused for as long as none of
them has changed. The store is the process's own (each gunicorn worker keeps its results: they are live Python
objects, with no (un)pickling on every use) and bounded; small results can also be shared between processes through the "memo" cache. Nothing is ever
served stale: the versions are read from
the database before computing, so a write committed during the computation makes a new key.

Inside a transaction nothing is memoised: its own uncommitted writes are already counted in the versions it sees,
and a rollback would leave a result behind under a version that later writes reach with other data.

The topics a computation declares are checked in tests (`DANGJIAN_MEMO_CHECK`, on in settings_test): each must
be one the triggers count (`stamps.check_topics`), and every table the computation's SQL reads must be among
them (`UndeclaredRead`) — a result reused under versions that miss a table it read would be served stale.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from functools import cached_property
from typing import Any, TypeVar, cast

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.paginator import Paginator
from django.db import connection

from . import replica, stamps

T = TypeVar("T")
MAX_ENTRIES = 256

_store: OrderedDict[tuple, Any] = OrderedDict()
_inflight: dict[tuple, threading.Lock] = {}
_lock = threading.Lock()
stats = {"hits": 0, "shared_hits": 0, "misses": 0, "bypassed": 0}
_MISSING = object()


def memoized(
    name: str,
    params: Hashable,
    topics: Sequence[str],
    compute: Callable[[], T],
    *,
    shared: bool = False,
    snapshot: Mapping[str, int] | None = None,
) -> T:
    """`shared=True` also keeps the result in the "memo" cache (pickled, shared by every worker process): for
    small results that are expensive to compute, so that each new worker does not compute them again.

    `snapshot`: versions already read with `stamps.snapshot` (which must cover `topics`), so that a page that
    memoises several results reads all their versions in one query."""
    if getattr(settings, "DANGJIAN_MEMO_CHECK", False):
        compute = _checked(name, topics, compute)
    if connection.in_atomic_block:
        stats["bypassed"] += 1
        return compute()
    if snapshot is not None:
        versions = tuple(snapshot[t] for t in (stamps.EPOCH, *topics))
    else:
        versions = stamps.versions(topics)  # from the primary, always
    if replica.reading() and stamps.versions(topics, using=replica.ALIAS) != versions:
        # the replica has not caught up with these tables: what it would give is older than the key says
        compute = replica.on_primary(compute)
    key = (connection.alias, connection.settings_dict["NAME"], name, params, versions)
    with _lock:
        if key in _store:
            _store.move_to_end(key)
            stats["hits"] += 1
            return _store[key]
        flight = _inflight.setdefault(key, threading.Lock())
    # One computation per key at a time: the other threads of the worker wait for it instead of all computing
    # the same result at once (twenty page views arriving together after a write).
    with flight:
        with _lock:
            if key in _store:
                stats["hits"] += 1
                return _store[key]
        value = _MISSING
        if shared:
            digest = hashlib.sha256(repr(key).encode()).hexdigest()
            value = caches["memo"].get(digest, _MISSING)
            stats["shared_hits" if value is not _MISSING else "misses"] += 1
        try:
            if value is _MISSING:
                value = compute()
                if shared:
                    caches["memo"].set(digest, value)
                else:
                    stats["misses"] += 1
            with _lock:
                _store[key] = value
                while len(_store) > MAX_ENTRIES:
                    _store.popitem(last=False)
        finally:
            with _lock:
                _inflight.pop(key, None)
    return cast(T, value)


class UndeclaredRead(AssertionError):
    """A memoised computation read a table outside the topics it declared (raised only in check mode)."""


# FROM / JOIN followed by a table name (quoted by Django; aliases and subqueries are not tables, see _tables)
_READ = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)
# infrastructure: the data versions themselves, Django's own tables
_IGNORED_PREFIXES = ("core_datastamp", "django_")


@functools.cache
def _all_tables() -> frozenset[str]:
    return frozenset(m._meta.db_table for m in apps.get_models(include_auto_created=True))


def read_tables(sql: str) -> set[str]:
    """The project's tables a SQL statement reads (FROM / JOIN), without the infrastructure's."""
    known = _all_tables()
    return {t for t in _READ.findall(sql) if t in known and not t.startswith(_IGNORED_PREFIXES)}


def _checked(name: str, topics: Sequence[str], compute: Callable[[], T]) -> Callable[[], T]:
    stamps.check_topics(topics)
    allowed = stamps.readable_tables(topics)

    def guard(execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        undeclared = read_tables(sql) - allowed
        if undeclared:
            raise UndeclaredRead(
                f"memo {name!r} reads {sorted(undeclared)} outside its topics {sorted(set(topics))}: {sql[:300]}"
            )
        return execute(sql, params, many, context)

    def run() -> T:
        with connection.execute_wrapper(guard):
            return compute()

    return run


def clear(*, shared: bool = True) -> None:
    """Forget everything (tests: their databases repeat versions with other data); `shared=False`: only what
    this process holds, as a newly started process."""
    with _lock:
        _store.clear()
    if shared:
        clear_shared()


def clear_shared() -> None:
    """Empty the shared "memo" cache. On Redis only its own keys go: the cache's `clear()` would flush the
    whole Redis database, with the job queue and the other cache in it."""
    cache = caches["memo"]
    if isinstance(cache, RedisCache):
        client = cast(Any, cache)._cache.get_client(None, write=True)
        batch: list[Any] = []
        for key in client.scan_iter(match=cache.make_key("*"), count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
    else:
        cache.clear()


def count(qs: Any, topics: Sequence[str]) -> int:
    """`qs.count()`, memoised under the versions of the tables the query reads: a list page of a large roll
    counts its rows once per write instead of scanning them on every view. The key is the query's SQL and
    parameters, so every filter and every scope is counted on its own."""
    sql, params = qs.query.sql_with_params()
    return memoized("count", (sql, tuple(map(repr, params))), topics, qs.count, shared=True)


class CountedPaginator(Paginator):
    """A paginator whose total is `count(object_list, topics)`."""

    def __init__(self, object_list: Any, per_page: int, topics: Sequence[str], **kwargs: Any):
        super().__init__(object_list, per_page, **kwargs)
        self.topics = list(topics)

    @cached_property
    def count(self) -> int:
        return count(self.object_list, self.topics)
