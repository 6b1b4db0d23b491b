"""Writing and verifying the audit log. Every service write calls `log_*` here, in the same transaction.

`actor` is a user or None (then `actor_name` says which command or job acted).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .models import AuditAction, AuditChainHead, AuditEntry

SKIP_FIELDS = {"password", "version", "updated_at", "path", "depth", "numchild"}


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The concrete field values of an instance (foreign keys as ids), JSON-ready."""
    data: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        if f.name in SKIP_FIELDS:
            continue
        data[f.name] = _plain(getattr(instance, f.attname))
    return data


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def actor_label(actor: Any, actor_name: str = "") -> str:
    if actor is not None and getattr(actor, "pk", None):
        full = getattr(actor, "display_name", "") or actor.get_username()
        return str(full)[:150]
    return actor_name or "系统"


def _hash(prev: str, fields: Mapping[str, Any]) -> str:
    payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev + "|" + payload).encode("utf-8")).hexdigest()


def _hashed_fields(e: AuditEntry) -> dict[str, Any]:
    return {
        "at": e.at.astimezone(UTC).isoformat() if e.at else "",
        "actor_id": e.actor_id,
        "actor_name": e.actor_name,
        "action": e.action,
        "model": e.model,
        "object_id": e.object_id,
        "object_repr": e.object_repr,
        "changes": e.changes,
        "ip": e.ip,
        "note": e.note,
    }


@dataclass
class Entry:
    """An entry to be written; `record_many` chains and bulk-inserts them."""

    action: str
    actor: Any = None
    actor_name: str = ""
    instance: models.Model | None = None
    model: str = ""
    object_id: str = ""
    object_repr: str = ""
    changes: dict[str, Any] | None = None
    ip: str | None = None
    note: str = ""


def _model_label(instance: models.Model) -> str:
    return instance._meta.label_lower


# The columns `record_many` writes, in order (the primary key is the database's).
_COLUMNS = (
    "at",
    "actor_id",
    "actor_name",
    "action",
    "model",
    "object_id",
    "object_repr",
    "changes",
    "ip",
    "note",
    "prev_hash",
    "hash",
)
_MAX_ROWS_PER_STATEMENT = 500


def _max_params() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        try:
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # Python < 3.11
            return 999
    return connection.features.max_query_params or 65535


def _insert(rows: list[list[Any]]) -> None:
    """Plain values, without an AuditEntry per row (building and compiling those through `bulk_create` cost
    more than the hashing): COPY on PostgreSQL (psycopg 3), multi-row INSERT … VALUES elsewhere."""
    ops = connection.ops
    table = ops.quote_name(AuditEntry._meta.db_table)
    columns = ", ".join(ops.quote_name(AuditEntry._meta.get_field(c).column) for c in _COLUMNS)
    with connection.cursor() as cursor:
        raw = getattr(cursor, "cursor", None)
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        per = max(1, min(_MAX_ROWS_PER_STATEMENT, _max_params() // len(_COLUMNS)))
        one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
        for i in range(0, len(rows), per):
            batch = rows[i : i + per]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([one] * len(batch)),
                [v for row in batch for v in row],
            )


def record_many(entries: Iterable[Entry]) -> int:
    entries = list(entries)
    if not entries:
        return 0
    now = timezone.now()
    at_hashed = now.astimezone(UTC).isoformat()  # what `_hashed_fields` gives for `now`, computed once
    at_db = connection.ops.adapt_datetimefield_value(now)
    # The JSON text of `changes` is what the column stores: the text JSONField would write on SQLite (it
    # dumps with the defaults), and PostgreSQL's COPY reads it as jsonb. Its parse is what the column gives
    # back, which is what is hashed.
    changes_as_text = connection.vendor == "sqlite" or connection.vendor == "postgresql"
    changes_field = AuditEntry._meta.get_field("changes")
    labels: dict[tuple[int, str], str] = {}
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        prev = head.last_hash
        rows: list[list[Any]] = []
        for e in entries:
            inst = e.instance
            actor_id = e.actor.pk if getattr(e.actor, "pk", None) else None
            who = (id(e.actor), e.actor_name)
            label = labels.get(who)
            if label is None:
                label = labels[who] = actor_label(e.actor, e.actor_name)
            # what the JSON column gives back: dates and decimals as strings
            text = json.dumps(e.changes or {}, default=str)
            changes = json.loads(text)
            fields = {
                "at": at_hashed,
                "actor_id": actor_id,
                "actor_name": label,
                "action": e.action,
                "model": e.model or (_model_label(inst) if inst is not None else ""),
                "object_id": e.object_id
                or (str(inst.pk) if inst is not None and inst.pk is not None else ""),
                "object_repr": (e.object_repr or (str(inst) if inst is not None else ""))[:200],
                "changes": changes,
                "ip": e.ip,
                "note": e.note[:500],
            }
            digest = _hash(prev, fields)
            rows.append(
                [
                    at_db, actor_id, label, fields["action"], fields["model"],
                    fields["object_id"], fields["object_repr"],
                    text if changes_as_text else changes_field.get_db_prep_value(changes, connection),
                    fields["ip"], fields["note"], prev, digest,
                ]
            )  # fmt: skip
            prev = digest
        _insert(rows)
        head.count += len(rows)
        AuditChainHead.objects.filter(pk=head.pk).update(last_hash=prev, count=head.count)
    return len(rows)


def record(
    action: str, *, actor: Any = None, actor_name: str = "", instance: models.Model | None = None, **kw
) -> None:
    record_many([Entry(action=action, actor=actor, actor_name=actor_name, instance=instance, **kw)])


def log_create(instance: models.Model, actor: Any = None, actor_name: str = "", note: str = "") -> None:
    record(
        AuditAction.CREATE,
        actor=actor,
        actor_name=actor_name,
        instance=instance,
        changes={k: [None, v] for k, v in snapshot(instance).items() if v not in (None, "", [], {})},
        note=note,
    )


def log_update(
    instance: models.Model, before: Mapping[str, Any], actor: Any = None, actor_name: str = "", note: str = ""
) -> dict[str, list[Any]]:
    changes = diff(before, snapshot(instance))
    if changes:
        record(
            AuditAction.UPDATE,
            actor=actor,
            actor_name=actor_name,
            instance=instance,
            changes=changes,
            note=note,
        )
    return changes


def log_delete(instance: models.Model, actor: Any = None, actor_name: str = "", note: str = "") -> None:
    record(AuditAction.DELETE, actor=actor, actor_name=actor_name, instance=instance, note=note)


@dataclass
class ChainProblem:
    entry_id: int | None
    message: str


def verify_chain(batch: int = 2000) -> ChainProblem | None:
    """Walk the chain in id order; return the first entry that was altered, removed or reordered, or None."""
    prev: str | None = None
    last_id = 0
    qs = AuditEntry.objects.order_by("id")
    while True:
        chunk = list(qs.filter(id__gt=last_id)[:batch])
        if not chunk:
            break
        for e in chunk:
            if prev is not None and e.prev_hash != prev:
                return ChainProblem(e.id, f"第 {e.id} 条的前序哈希与上一条不符：其前有记录被删除或篡改")
            if _hash(e.prev_hash, _hashed_fields(e)) != e.hash:
                return ChainProblem(e.id, f"第 {e.id} 条的内容与其哈希不符：该条已被篡改")
            prev = e.hash
            last_id = e.id
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and prev is not None and head.last_hash != prev:
        return ChainProblem(None, "最后一条记录与链头不符：末尾有记录被删除")
    if head and prev is None and head.last_hash:
        return ChainProblem(None, "审计日志为空，但链头显示曾有记录：记录已被删除")
    return None
