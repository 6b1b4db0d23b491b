"""Writing and verifying the audit log. Every service write calls `log_*` here, in the same transaction.

`actor` is a user or None (then `actor_name` says which command or job acted). `action` is a named event
(core.audit_events); a bare verb (AuditAction.CREATE …) is named `<model>.<verb>`. Each entry is chained to the
previous one by an HMAC-SHA256 under a key kept outside the database (`audit_key`), from a genesis entry that
seals the older, unkeyed entries; a checkpoint file outside the database catches deletions at the end.
Personal fields are masked in every stored diff (`PERSONAL_FIELDS`).
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import hmac
import json
import logging
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

from . import replica
from .audit_events import event_name, legacy_action
from .idnumber import mask_id_number, mask_phone
from .models import AuditAction, AuditChainHead, AuditEntry

SKIP_FIELDS = {"password", "version", "updated_at", "path", "depth", "numchild"}


_AS_IS = frozenset({str, int, bool, float, type(None)})


def _plain(value: Any) -> Any:
    if type(value) in _AS_IS:  # most values: no conversion (an import snapshots millions of them)
        return value
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
    return {name: _plain(getattr(instance, attname)) for name, attname in _snapshot_fields(type(instance))}


def snapshot_of(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    """What `snapshot` gives for an instance of `model` whose attributes are `values` (attname → value): for
    bulk writers that insert plain rows and audit them without building instances."""
    return {name: _plain(values[attname]) for name, attname in _snapshot_fields(model)}


@functools.cache
def _snapshot_fields(model: type[models.Model]) -> tuple[tuple[str, str], ...]:
    return tuple((f.name, f.attname) for f in model._meta.concrete_fields if f.name not in SKIP_FIELDS)


# Who acts on an audited write: a user, or None when a command or job acts (then actor_name names it).
# core knows no domain model, so this is Django's base user rather than accounts.User.
AuditActor: TypeAlias = "AbstractBaseUser | AnonymousUser | None"


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def actor_label(actor: AuditActor, actor_name: str = "") -> str:
    if actor is not None and getattr(actor, "pk", None):
        full = getattr(actor, "display_name", "") or actor.get_username()
        return str(full)[:150]
    return actor_name or "系统"


def _payload(prev: str, fields: Mapping[str, Any]) -> bytes:
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return (prev + "|" + text).encode("utf-8")


def _hash(prev: str, fields: Mapping[str, Any]) -> str:
    """The old, unkeyed form: entries written before the genesis entry (see `verify`)."""
    return hashlib.sha256(_payload(prev, fields)).hexdigest()


def _mac(key: bytes, prev: str, fields: Mapping[str, Any]) -> str:
    """The keyed form (HMAC-SHA256): without the key nobody can recompute the chain after changing an entry."""
    return hmac.new(key, _payload(prev, fields), hashlib.sha256).hexdigest()


def _hashed_fields(e: AuditEntry, action: str | None = None) -> dict[str, Any]:
    return {
        "at": e.at.astimezone(UTC).isoformat() if e.at else "",
        "actor_id": e.actor_id,
        "actor_name": e.actor_name,
        "action": e.action if action is None else action,
        "model": e.model,
        "object_id": e.object_id,
        "object_repr": e.object_repr,
        "changes": e.changes,
        "ip": e.ip,
        "note": e.note,
    }


# --- the key -------------------------------------------------------------------------------------------------
MIN_KEY_CHARS = 32


def audit_key() -> bytes:
    """DANGJIAN_AUDIT_KEY from the environment, else the key file (DANGJIAN_AUDIT_KEY_FILE, default
    var/audit.key), created with mode 600 on first use. Never in the database, so never in a backup."""
    value = (getattr(settings, "DANGJIAN_AUDIT_KEY", "") or "").strip()
    if not value:
        value = _read_or_create_key_file(Path(settings.DANGJIAN_AUDIT_KEY_FILE))
    if len(value) < MIN_KEY_CHARS:
        raise ImproperlyConfigured(
            f"审计日志密钥至少 {MIN_KEY_CHARS} 个字符（DANGJIAN_AUDIT_KEY 或密钥文件）"
        )
    return value.encode("utf-8")


@cache  # read once per process (per path): every audit write needs it
def _read_or_create_key_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    try:
        os.link(tmp, path)  # atomic and exclusive: when two processes start at once, the first key stays
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text(encoding="utf-8").strip()


# --- personal fields -------------------------------------------------------------------------------------------
def _mask_date(value: str) -> str:
    return value[:4] + "-**-**" if len(value) >= 4 else "**"


def _mask_email(value: str) -> str:
    name, at, host = value.partition("@")
    return (name[:1] + "***" + at + host) if at else _mask_date(value)


# The one policy for personal fields in stored diffs, by field name, whatever the model: the audit admin reads
# the log and holds no business right to these values. Each is stored masked with a keyed tag (12 hex of an
# HMAC of the value), so that a change remains visible (the tag changes) without the value being recoverable.
PERSONAL_FIELDS: dict[str, Callable[[str], str]] = {
    "id_number": mask_id_number,
    "secretary_id_number": mask_id_number,
    "phone": mask_phone,
    "mobile": mask_phone,
    "birth_date": _mask_date,
    "email": _mask_email,
}


def mask_personal(field: str, value: Any, key: bytes) -> Any:
    if value in (None, ""):
        return value
    if isinstance(value, list):
        return [mask_personal(field, v, key) for v in value]
    text = str(value)
    tag = hmac.new(key, f"pii|{field}|{text}".encode(), hashlib.sha256).hexdigest()[:12]
    return f"{PERSONAL_FIELDS[field](text)} #{tag}"


def mask_changes(changes: Any, key: bytes) -> Any:
    """`changes` with every personal field masked, at any depth (import rows nest their fields)."""
    if isinstance(changes, dict):
        return {
            k: mask_personal(k, v, key) if k in PERSONAL_FIELDS else mask_changes(v, key)
            for k, v in changes.items()
        }
    if isinstance(changes, list):
        # most lists are [old, new] of plain values: no call per item for those
        return [v if v is None or type(v) in _SCALARS else mask_changes(v, key) for v in changes]
    return changes


_SCALARS = (str, int, float, bool)


@dataclass
class Entry:
    """An entry to be written; `record_many` chains and bulk-inserts them."""

    action: str
    actor: AuditActor = None
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
    columns = ", ".join(
        ops.quote_name(cast(models.Field, AuditEntry._meta.get_field(c)).column) for c in _COLUMNS
    )
    with connection.cursor() as cursor:
        raw: Any = getattr(cursor, "cursor", None)  # the driver cursor (psycopg 3 has copy())
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


GENESIS = "audit.genesis"


def _genesis_fields(at: str, sealed: int, sealed_head: str) -> dict[str, Any]:
    return {
        "at": at,
        "actor_id": None,
        "actor_name": "系统",
        "action": GENESIS,
        "model": "",
        "object_id": "",
        "object_repr": "审计链创世记录",
        "changes": {"sealed_entries": sealed, "sealed_head": sealed_head},
        "ip": None,
        "note": "此前的记录为未加密钥的旧链段，至此封存；此后每条记录以密钥哈希（HMAC-SHA256）相连",
    }


def record_many(entries: Iterable[Entry]) -> int:
    entries = list(entries)
    if not entries:
        return 0
    key = audit_key()
    now = timezone.now()
    at_hashed = now.astimezone(UTC).isoformat()  # what `_hashed_fields` gives for `now`, computed once
    at_db = connection.ops.adapt_datetimefield_value(now)
    # The JSON text of `changes` is what the column stores: the text JSONField would write on SQLite (it
    # dumps with the defaults), and PostgreSQL's COPY reads it as jsonb. Its parse is what the column gives
    # back, which is what is hashed.
    changes_as_text = connection.vendor == "sqlite" or connection.vendor == "postgresql"
    changes_field = AuditEntry._meta.get_field("changes")
    labels: dict[tuple[int, str], str] = {}

    def row(fields: dict[str, Any], text: str, prev: str, digest: str) -> list[Any]:
        return [
            at_db, fields["actor_id"], fields["actor_name"], fields["action"], fields["model"],
            fields["object_id"], fields["object_repr"],
            text if changes_as_text else changes_field.get_db_prep_value(fields["changes"], connection),
            fields["ip"], fields["note"], prev, digest,
        ]  # fmt: skip

    # the chain is read and written on the primary, even inside a page that reads a replica (core.replica)
    with transaction.atomic(), replica.reads(False):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        prev = head.last_hash
        rows: list[list[Any]] = []
        count = head.count
        if not head.genesis_hash:
            # The first write with a key: seal whatever the unkeyed chain holds (its length and last hash,
            # taken from the table itself) under a keyed genesis entry.
            last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first() or ""
            count = AuditEntry.objects.count()
            fields = _genesis_fields(at_hashed, count, last)
            head.genesis_hash = prev = _mac(key, last, fields)
            rows.append(row(fields, json.dumps(fields["changes"]), last, prev))
        for e in entries:
            inst = e.instance
            actor_id = getattr(e.actor, "pk", None) or None
            who = (id(e.actor), e.actor_name)
            label = labels.get(who)
            if label is None:
                label = labels[who] = actor_label(e.actor, e.actor_name)
            model = e.model or (_model_label(inst) if inst is not None else "")
            # what the JSON column gives back: dates and decimals as strings
            masked = mask_changes(json.loads(json.dumps(e.changes or {}, default=str)), key)
            text = json.dumps(masked)
            fields = {
                "at": at_hashed,
                "actor_id": actor_id,
                "actor_name": label,
                "action": event_name(str(e.action), model),
                "model": model,
                "object_id": e.object_id
                or (str(inst.pk) if inst is not None and inst.pk is not None else ""),
                "object_repr": (e.object_repr or (str(inst) if inst is not None else ""))[:200],
                # what the column gives back: `masked` is parsed JSON already, so json.loads(text) equals it
                "changes": masked,
                "ip": e.ip,
                "note": e.note[:500],
            }
            digest = _mac(key, prev, fields)
            rows.append(row(fields, text, prev, digest))
            prev = digest
        _insert(rows)
        count += len(rows)
        AuditChainHead.objects.filter(pk=head.pk).update(
            last_hash=prev, count=count, genesis_hash=head.genesis_hash
        )
        _schedule_checkpoint()
    return len(rows)


def record(
    action: str, *, actor: AuditActor = None, actor_name: str = "", instance: models.Model | None = None, **kw
) -> None:
    record_many([Entry(action=action, actor=actor, actor_name=actor_name, instance=instance, **kw)])


def created(values: Mapping[str, Any] | models.Model) -> dict[str, list[Any]]:
    """The diff of a new object: each field that holds a value, from nothing to it (a model or its snapshot)."""
    snap = snapshot(values) if isinstance(values, models.Model) else values
    return {k: [None, v] for k, v in snap.items() if v not in (None, "", [], {})}


def log_create(
    instance: models.Model, actor: AuditActor = None, actor_name: str = "", note: str = "", event: str = ""
) -> None:
    """Audit a new object as `event`, by default `<model>.create`."""
    record(
        event or AuditAction.CREATE,
        actor=actor,
        actor_name=actor_name,
        instance=instance,
        changes=created(instance),
        note=note,
    )


def log_update(
    instance: models.Model,
    before: Mapping[str, Any],
    actor: AuditActor = None,
    actor_name: str = "",
    note: str = "",
    event: str = "",
) -> dict[str, list[Any]]:
    """Audit the changed fields as `event`, by default `<model>.update`; nothing when nothing changed."""
    changes = diff(before, snapshot(instance))
    if changes:
        record(
            event or AuditAction.UPDATE,
            actor=actor,
            actor_name=actor_name,
            instance=instance,
            changes=changes,
            note=note,
        )
    return changes


def log_delete(
    instance: models.Model, actor: AuditActor = None, actor_name: str = "", note: str = "", event: str = ""
) -> None:
    record(event or AuditAction.DELETE, actor=actor, actor_name=actor_name, instance=instance, note=note)


# --- the checkpoint --------------------------------------------------------------------------------------------
# After each committed write, the chain's length and last hash (and its genesis hash) are written to a file under
# the var directory and to the log. Precisely: a checkpoint (n, h) says "the first n entries, in id order, end
# with the entry whose hash is h". Writers run their on-commit step in any order, so the file only moves forward
# (a checkpoint with fewer entries than the file's is not written, under an exclusive file lock); a slightly
# older checkpoint is still true of a chain that has grown since. `verify` accepts a chain that extends the
# checkpoint and fails when it is shorter or when its n-th entry is not h. Only `restore` moves it back.
logger = logging.getLogger("dangjian.audit")


@dataclass(frozen=True)
class Checkpoint:
    entries: int
    head: str
    genesis: str

    def as_json(self) -> dict[str, Any]:
        return {"entries": self.entries, "head": self.head}


def checkpoint_path() -> Path:
    return Path(settings.DANGJIAN_AUDIT_CHECKPOINT)


def read_checkpoint() -> Checkpoint | None:
    try:
        data = json.loads(checkpoint_path().read_text(encoding="utf-8"))
        return Checkpoint(int(data["entries"]), str(data["head"]), str(data.get("genesis", "")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # An unreadable checkpoint is reported by `verify` as an empty one would be misleading.
        return Checkpoint(-1, f"检查点文件无法读取：{exc}", "")


def save_checkpoint(cp: Checkpoint, *, force: bool = False) -> bool:
    """Write `cp` atomically (temp file + rename) unless the file already holds a later checkpoint of the same
    chain; `force` (restore) writes it whatever the file holds. A failure is logged, never raised: the write it
    follows has committed."""
    path = checkpoint_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = read_checkpoint()
            if current is not None and not force:
                if current.genesis and current.genesis != cp.genesis:
                    logger.error(
                        "审计检查点属于另一条审计链（创世记录 %s，本次 %s）：未覆盖，请核查",
                        current.genesis,
                        cp.genesis,
                    )
                    return False
                if current.entries >= cp.entries:
                    return False
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            data = {**cp.as_json(), "genesis": cp.genesis, "at": timezone.now().isoformat()}
            tmp.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
            os.replace(tmp, path)
    except OSError:
        logger.exception("审计检查点写入失败：%s", path)
        return False
    logger.info("审计检查点：共 %d 条，链头 %s，创世记录 %s", cp.entries, cp.head, cp.genesis)
    return True


def _checkpoint_after_commit() -> None:
    # The head as committed now: ours, or a later one (the chain is linear, so either is a true checkpoint).
    save_checkpoint(current_checkpoint())


def _schedule_checkpoint() -> None:
    """One checkpoint per committed transaction, however many entries it wrote (an import writes thousands)."""
    if not any(item[1] is _checkpoint_after_commit for item in connection.run_on_commit):
        transaction.on_commit(_checkpoint_after_commit)


def current_checkpoint() -> Checkpoint:
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        return Checkpoint(0, "", "")
    return Checkpoint(head.count, head.last_hash, head.genesis_hash)


# --- verification ------------------------------------------------------------------------------------------------
@dataclass
class ChainProblem:
    entry_id: int | None
    message: str


@dataclass
class Verification:
    entries: int
    checkpoint: Checkpoint | None
    problem: ChainProblem | None
    notes: list[str]

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def reason(self) -> str:
        if self.problem is not None:
            return self.problem.message
        return "；".join(["审计日志完整", *self.notes])

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "checkpoint": self.checkpoint.as_json() if self.checkpoint else None,
            "first_broken": self.problem.entry_id if self.problem else None,
            "reason": self.reason,
        }


def entry_hash_ok(entry: AuditEntry, genesis_id: int | None) -> bool:
    """Whether one entry's hash matches its content: keyed from the genesis entry on, unkeyed before it."""
    if genesis_id is not None and entry.id >= genesis_id:
        return _mac(audit_key(), entry.prev_hash, _hashed_fields(entry)) == entry.hash
    old = legacy_action(entry.action, entry.model)
    return old is not None and _hash(entry.prev_hash, _hashed_fields(entry, old)) == entry.hash


def genesis_id(using: str = "default") -> int | None:
    return (
        AuditEntry.objects.using(using)
        .filter(action=GENESIS)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )


def _orm_entries(batch: int) -> Iterator[AuditEntry]:
    last_id = 0
    qs = AuditEntry.objects.order_by("id")
    while chunk := list(qs.filter(id__gt=last_id)[:batch]):
        yield from chunk
        last_id = chunk[-1].id


def _sqlite_entries(db: sqlite3.Connection, batch: int) -> Iterator[AuditEntry]:
    """The entries of another SQLite database file (a backup), as the ORM would give them back."""
    cols = [
        "id",
        "at",
        "actor_id",
        "actor_name",
        "action",
        "model",
        "object_id",
        "object_repr",
        "changes",
        "ip",
    ]
    cols += ["note", "prev_hash", "hash"]
    last_id = 0
    while rows := db.execute(
        f"SELECT {', '.join(cols)} FROM core_auditentry WHERE id > ? ORDER BY id LIMIT ?", (last_id, batch)
    ).fetchall():
        for row in rows:
            values = dict(zip(cols, row, strict=True))
            values["at"] = datetime.fromisoformat(values["at"]).replace(tzinfo=UTC)
            values["changes"] = json.loads(values["changes"])
            yield AuditEntry(**values)
        last_id = rows[-1][0]


def verify_sqlite_file(path: Path, batch: int = 2000) -> Verification:
    """A backup's own chain (SQLite file), with this server's key and without a checkpoint."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        total = db.execute("SELECT COUNT(*) FROM core_auditentry").fetchone()[0]
        head = db.execute("SELECT last_hash FROM core_auditchainhead WHERE id = 1").fetchone()
        return _verify(_sqlite_entries(db, batch), total, head[0] if head else None, None, False)
    finally:
        db.close()


def verify(*, checkpoint: Checkpoint | None | bool = True, batch: int = 2000) -> Verification:
    """Walk the chain in id order from its first entry and check it against the key and the checkpoint.

    The chain is an optional old segment (written before the key: unkeyed SHA-256, first entry chained to "",
    `action` renamed by migration 0004 in a way `legacy_action` undoes), then one genesis entry whose keyed hash
    seals that segment (its length and last hash), then keyed entries only. `checkpoint=True` reads the file,
    a Checkpoint checks against that one, False/None skips the check (restore checks a backup's own chain)."""
    cp = read_checkpoint() if checkpoint is True else (checkpoint or None)
    head = AuditChainHead.objects.filter(pk=1).values_list("last_hash", flat=True).first()
    return _verify(_orm_entries(batch), AuditEntry.objects.count(), head, cp, checkpoint is True)


def _verify(
    entries: Iterable[AuditEntry], total: int, head: str | None, cp: Checkpoint | None, from_file: bool
) -> Verification:
    key = audit_key()
    notes: list[str] = []

    def broken(entry_id: int | None, message: str) -> Verification:
        return Verification(total, cp, ChainProblem(entry_id, message), notes)

    if cp is not None and cp.entries < 0:
        return broken(None, cp.head)
    prev, n, genesis = "", 0, ""
    for e in entries:
        n += 1
        if e.prev_hash != prev:
            if n == 1:
                return broken(e.id, f"第 {e.id} 条是现存第一条，但其前序哈希不为空：链首有记录被删除")
            return broken(e.id, f"第 {e.id} 条的前序哈希与上一条不符：其前有记录被删除或篡改")
        if genesis:
            if e.action == GENESIS:
                return broken(e.id, f"第 {e.id} 条是第二条创世记录：审计链被截断后重建")
            if _mac(key, prev, _hashed_fields(e)) != e.hash:
                return broken(e.id, f"第 {e.id} 条的内容与其密钥哈希不符：该条已被篡改（或密钥与写入时不同）")
        elif e.action == GENESIS:
            sealed = e.changes if isinstance(e.changes, dict) else {}
            if _mac(key, prev, _hashed_fields(e)) != e.hash:
                return broken(e.id, f"第 {e.id} 条创世记录与其密钥哈希不符：已被篡改（或密钥与写入时不同）")
            if sealed.get("sealed_entries") != n - 1 or sealed.get("sealed_head") != prev:
                return broken(e.id, f"第 {e.id} 条创世记录封存的旧链段与现存记录不符：旧记录被删除或改写")
            genesis = e.hash
        else:
            old = legacy_action(e.action, e.model)
            if old is None or _hash(prev, _hashed_fields(e, old)) != e.hash:
                return broken(e.id, f"第 {e.id} 条的内容与其哈希不符：该条已被篡改")
        if cp is not None and n == cp.entries and e.hash != cp.head:
            return broken(
                e.id,
                f"第 {e.id} 条（第 {n} 条记录）与检查点的链头不符：检查点之前的记录被删除、插入或改写",
            )
        prev = e.hash
    if cp is not None:
        if cp.genesis and cp.genesis != genesis:
            return broken(None, "审计链的创世记录与检查点不符：审计链被删除后重建，或数据库被替换")
        if n < cp.entries:
            return broken(None, f"检查点记录共 {cp.entries} 条，现仅 {n} 条：末尾有记录被删除")
    elif genesis and from_file:
        notes.append(f"未找到检查点文件（{checkpoint_path()}），无法检查末尾是否有记录被删除")
    if head is not None and n and head != prev:
        return broken(None, "最后一条记录与链头不符：末尾有记录被删除")
    if head and not n:
        return broken(None, "审计日志为空，但链头显示曾有记录：记录已被删除")
    if not genesis and n:
        notes.append(f"共 {n} 条旧记录（未加密钥），尚无创世记录：下一次写入时封存")
    return Verification(total, cp, None, notes)


def verify_chain(batch: int = 2000) -> ChainProblem | None:
    """The first problem `verify` finds (key, genesis and checkpoint), or None."""
    return verify(batch=batch).problem
