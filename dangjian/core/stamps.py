"""Data versions for caching results that cannot have changed (issue 7: "caching of period results that cannot
change any more").

Database triggers count every committed write to the tables that computed results read — per table, and for
activity records per table × month of the record's date — in `core_datastamp`. A result cached under the versions
of the topics it read is valid exactly as long as those versions are unchanged; nobody has to remember to
invalidate anything, and bulk inserts, imports, raw SQL and restores are counted like any other write.

* SQLite serialises writers, so one row per topic is counted up (row-level triggers).
* PostgreSQL counts each writing transaction in a row of its own (`txn` = the transaction id): writers never wait
  for one another on a counter row and cannot deadlock on it; a topic's version is the sum of its rows, which
  changes when — and only when — a transaction that wrote it commits. `compact()` folds the rows together.

Which tables are counted is registered by the app that owns them (`track` in its AppConfig.ready), with the
through tables of their many-to-many fields; core names no domain table. The triggers are (re)installed from
that registry after every `migrate` (post_migrate), because a later migration that rebuilds a table on SQLite
drops that table's triggers.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

if TYPE_CHECKING:
    from django.db.models import Field, Model

STAMP_TABLE = "core_datastamp"
EPOCH = "epoch"


@dataclass(frozen=True)
class Tracked:
    """One table whose writes are counted. `topic` is the table's own name, or for a many-to-many through
    table the owning model's table: a write to the through table of Organization.units is a write to the
    organisations."""

    table: str
    topic: str
    month_of: str = ""  # a date column of the table: the topic is "<topic>:YYYY-MM"
    # (foreign-key column, parent table, parent pk column, parent date column): "<topic>:YYYY-MM" of the parent
    month_via: tuple[str, str, str, str] | None = None

    @property
    def monthly(self) -> bool:
        return bool(self.month_of or self.month_via)


# The registry: each app registers the models it owns in its AppConfig.ready (`track`); core names none.
_registry: dict[str, Tracked] = {}


def track(model: type[Model], *, monthly_by: str = "") -> None:
    """Count the writes to `model`'s table, and to the through tables of its many-to-many fields (under the
    model's own topic). `monthly_by`: a date field ("date") or a date field of a foreign key ("activity__date"):
    the topics are then per month of that date."""
    meta = model._meta
    table = meta.db_table
    month_of = ""
    month_via: tuple[str, str, str, str] | None = None
    if monthly_by:
        first, _, rest = monthly_by.partition("__")
        field = cast("Field[Any, Any]", meta.get_field(first))
        if rest:
            parent = cast("type[Model]", field.related_model)._meta
            pk_column = parent.pk.column
            month_via = (
                str(field.column),
                parent.db_table,
                str(pk_column),
                str(cast("Field[Any, Any]", parent.get_field(rest)).column),
            )
        else:
            month_of = str(field.column)
    _add(Tracked(table, table, month_of, month_via))
    for m2m in meta.local_many_to_many:
        through = cast("type[Model]", m2m.remote_field.through)._meta
        if not through.auto_created:
            continue  # an explicit through model is a model of its own: its app tracks it
        via = None
        if month_of:
            own = next(f for f in through.fields if f.is_relation and f.related_model is model)
            via = (own.column, table, meta.pk.column, month_of)
        elif month_via:
            raise ValueError(f"{table}.{m2m.name}: 按外键月份统计的模型暂不支持多对多字段")
        _add(Tracked(through.db_table, table, "", via))


def _add(t: Tracked) -> None:
    known = _registry.get(t.table)
    if known is not None and known != t:
        raise ValueError(f"{t.table} 已按其他方式登记")
    _registry[t.table] = t


def tracked() -> tuple[Tracked, ...]:
    return tuple(_registry.values())


def table_of(model_or_table: type[Model] | str) -> str:
    return model_or_table if isinstance(model_or_table, str) else model_or_table._meta.db_table


def check_topics(topics: Iterable[str]) -> None:
    """Every declared topic is one the triggers count: a registered model's table, per month where (and only
    where) that model is counted per month. Raises ValueError otherwise."""
    kinds = {t.topic: t.monthly for t in _registry.values() if t.topic == t.table}
    for topic in topics:
        table, _, month = topic.partition(":")
        if table not in kinds:
            raise ValueError(f"未登记的数据版本主题：{topic}（在所属应用的 AppConfig.ready 中 stamps.track）")
        if kinds[table] != bool(month):
            raise ValueError(f"数据版本主题 {topic}：{table} {'按月' if kinds[table] else '不按月'}统计")


def readable_tables(topics: Iterable[str]) -> set[str]:
    """The tables a computation that declared `topics` may read: each declared model's table and its through
    tables."""
    declared = {topic.partition(":")[0] for topic in topics}
    return {t.table for t in _registry.values() if t.topic in declared}


def month_topic(table: type[Model] | str, year: int, month: int) -> str:
    return f"{table_of(table)}:{year:04d}-{month:02d}"


def months_topics(table: type[Model] | str, year: int, months: Iterable[int] = range(1, 13)) -> list[str]:
    return [month_topic(table, year, m) for m in months]


# --- reading ---------------------------------------------------------------------------------------------
def versions(topics: Sequence[str], using: str = DEFAULT_DB_ALIAS) -> tuple[int, ...]:
    """The current version of each topic (0 for one never written), plus the database's epoch, in one query;
    from the primary unless `using` names another database (a replica, to see whether it has caught up)."""
    wanted = [EPOCH, *topics]
    with connections[using].cursor() as cursor:
        marks = ", ".join(["%s"] * len(wanted))
        cursor.execute(
            f"SELECT topic, SUM(n) FROM {STAMP_TABLE} WHERE topic IN ({marks}) GROUP BY topic",  # noqa: S608
            wanted,
        )
        found = {topic: int(total) for topic, total in cursor.fetchall()}
    return tuple(found.get(t, 0) for t in wanted)


def snapshot(topics: Iterable[str]) -> dict[str, int]:
    """`versions` as a mapping (with the epoch), for `memo.memoized(snapshot=...)`."""
    wanted = list(dict.fromkeys(topics))
    return dict(zip([EPOCH, *wanted], versions(wanted), strict=True))


# --- maintenance -----------------------------------------------------------------------------------------
def new_epoch() -> None:
    """After a restore: the restored database may reach again version numbers that caches in running processes
    have seen with other data, so every version becomes new."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {STAMP_TABLE} WHERE topic = %s", [EPOCH])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {STAMP_TABLE} (topic, txn, n) VALUES (%s, 0, %s)",  # noqa: S608
            [EPOCH, secrets.randbits(48) + 1],
        )


def compact() -> int:
    """PostgreSQL: fold each topic's committed per-transaction rows into its row 0 (the sums stay the same, so
    no cached result is invalidated). Returns the number of rows folded. A no-op on SQLite."""
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            # transaction ids are positive: row 0 holds the folded sums, negative txn rows are not counters
            f"WITH gone AS (DELETE FROM {STAMP_TABLE} WHERE txn > 0 RETURNING topic, n) "  # noqa: S608
            "SELECT topic, SUM(n), COUNT(*) FROM gone GROUP BY topic"
        )
        rows = cursor.fetchall()
        for topic, total, _ in rows:
            cursor.execute(
                f"INSERT INTO {STAMP_TABLE} (topic, txn, n) VALUES (%s, 0, %s) "  # noqa: S608
                f"ON CONFLICT (topic, txn) DO UPDATE SET n = {STAMP_TABLE}.n + EXCLUDED.n",
                [topic, total],
            )
    return sum(count for *_, count in rows)


# --- the triggers ----------------------------------------------------------------------------------------
def _sqlite_topic(t: Tracked, row: str) -> str:
    if t.month_of:
        return f"'{t.topic}:' || strftime('%Y-%m', {row}.{t.month_of})"
    if t.month_via:
        fk, parent, pk, day = t.month_via
        return (
            f"'{t.topic}:' || COALESCE((SELECT strftime('%Y-%m', a.{day}) FROM {parent} a "
            f"WHERE a.{pk} = {row}.{fk}), '?')"
        )
    return f"'{t.topic}'"


def _sqlite_sql(t: Tracked) -> list[str]:
    def bump(row: str) -> str:
        return (
            f"INSERT INTO {STAMP_TABLE} (topic, txn, n) VALUES ({_sqlite_topic(t, row)}, 0, 1) "
            "ON CONFLICT (topic, txn) DO UPDATE SET n = n + 1;"
        )

    events = {"ins": ("INSERT", ["NEW"]), "upd": ("UPDATE", ["OLD", "NEW"]), "del": ("DELETE", ["OLD"])}
    out = []
    for suffix, (event, rows) in events.items():
        name = f"stamp_{t.table}_{suffix}"
        body = " ".join(bump(r) for r in (rows if t.monthly else rows[:1]))
        out.append(f"DROP TRIGGER IF EXISTS {name}")
        out.append(f"CREATE TRIGGER {name} AFTER {event} ON {t.table} BEGIN {body} END")
    return out


PG_PLAIN_FUNCTION = f"""
CREATE OR REPLACE FUNCTION core_stamp_table() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {STAMP_TABLE} (topic, txn, n) VALUES (TG_ARGV[0], txid_current(), 1)
  ON CONFLICT (topic, txn) DO UPDATE SET n = {STAMP_TABLE}.n + 1;
  RETURN NULL;
END $$"""


def _pg_month_select(t: Tracked, rows: str) -> str:
    if t.month_of:
        return f"SELECT DISTINCT '{t.topic}:' || to_char(r.{t.month_of}, 'YYYY-MM') FROM {rows} r"
    assert t.month_via is not None
    fk, parent, pk, day = t.month_via
    return (
        f"SELECT DISTINCT '{t.topic}:' || COALESCE(to_char(a.{day}, 'YYYY-MM'), '?') FROM {rows} r "
        f"LEFT JOIN {parent} a ON a.{pk} = r.{fk}"
    )


def _pg_sql(t: Tracked) -> list[str]:
    out = []
    if not t.monthly:
        name = f"stamp_{t.table}"
        out.append(f"DROP TRIGGER IF EXISTS {name} ON {t.table}")
        out.append(
            f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {t.table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION core_stamp_table('{t.topic}')"
        )
        return out
    # Transition tables: one trigger per event (PostgreSQL allows them only for single-event triggers).
    events = {
        "ins": ("INSERT", ["new_rows"]),
        "upd": ("UPDATE", ["old_rows", "new_rows"]),
        "del": ("DELETE", ["old_rows"]),
    }
    for suffix, (event, tables) in events.items():
        fn = f"core_stamp_{t.table}_{suffix}"
        selects = " UNION ".join(_pg_month_select(t, rows) for rows in tables)
        out.append(
            f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"INSERT INTO {STAMP_TABLE} (topic, txn, n) SELECT topic, txid_current(), 1 FROM ({selects}) AS s(topic) "
            f"ORDER BY topic ON CONFLICT (topic, txn) DO UPDATE SET n = {STAMP_TABLE}.n + 1; RETURN NULL; END $$"
        )
        referencing = " ".join(f"{'OLD' if rows == 'old_rows' else 'NEW'} TABLE AS {rows}" for rows in tables)
        name = f"stamp_{t.table}_{suffix}"
        out.append(f"DROP TRIGGER IF EXISTS {name} ON {t.table}")
        out.append(
            f"CREATE TRIGGER {name} AFTER {event} ON {t.table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}()"
        )
    return out


@contextmanager
def counted_per_topic(*models: type[Model] | str) -> Iterator[None]:
    """Bulk inserts into `models`' tables, counted per topic rather than per row. SQLite's triggers are per row
    (a sub-select and an upsert for every attendance row of a big import, most of its cost); inside this block
    the INSERT triggers of those tables are dropped, and at its end every topic the new rows touch is counted
    by one statement and the triggers are back. All of it inside a savepoint: SQLite's DDL is transactional
    (an error restores the triggers with everything else) and writers are serialised, so no other connection
    inserts uncounted meanwhile. Updates and deletes inside the block are counted as always. A version only
    has to change when the data does, which it does. PostgreSQL's triggers are per statement: a no-op there."""
    if connection.vendor != "sqlite":
        yield
        return
    tables = [_registry[table_of(m)] for m in models if table_of(m) in _registry]
    with transaction.atomic():
        before: dict[str, int] = {}
        with connection.cursor() as cursor:
            for t in tables:
                cursor.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {t.table}")
                before[t.table] = int(cursor.fetchone()[0])
                cursor.execute(f"DROP TRIGGER IF EXISTS stamp_{t.table}_ins")
        yield
        with connection.cursor() as cursor:
            for t in tables:
                # no parameters: the topic expression holds strftime's % signs
                cursor.execute(
                    f"INSERT INTO {STAMP_TABLE} (topic, txn, n) SELECT {_sqlite_topic(t, 'r')}, 0, COUNT(*) "
                    f"FROM {t.table} r WHERE r.rowid > {before[t.table]:d} GROUP BY 1 "
                    "ON CONFLICT (topic, txn) DO UPDATE SET n = n + excluded.n"
                )
                create = next(
                    s for s in _sqlite_sql(t) if s.startswith(f"CREATE TRIGGER stamp_{t.table}_ins ")
                )
                cursor.execute(create)


def trigger_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [PG_PLAIN_FUNCTION, *(s for t in tracked() for s in _pg_sql(t))]
    if vendor == "sqlite":
        return [s for t in tracked() for s in _sqlite_sql(t)]
    raise NotImplementedError(f"不支持的数据库：{vendor}")


def install_triggers(using: str = "default") -> None:
    from django.db import connections

    conn = connections[using]
    existing = set(conn.introspection.table_names())
    if STAMP_TABLE not in existing:
        return
    missing = [t.table for t in tracked() if t.table not in existing]
    if missing:  # a partial migrate (e.g. `migrate core`): install once every table is there
        return
    with transaction.atomic(using=using), conn.cursor() as cursor:
        for sql in trigger_sql(conn.vendor):
            cursor.execute(sql)


def installed_triggers(using: str = "default") -> set[str]:
    from django.db import connections

    conn = connections[using]
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'stamp_%%'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'stamp_%%' AND NOT tgisinternal")
        return {name for (name,) in cursor.fetchall()}


def expected_triggers(vendor: str) -> set[str]:
    names = set()
    for t in tracked():
        if vendor == "postgresql" and not t.monthly:
            names.add(f"stamp_{t.table}")
        else:
            names.update(f"stamp_{t.table}_{s}" for s in ("ins", "upd", "del"))
    return names
