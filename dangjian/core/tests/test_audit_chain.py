"""The keyed audit chain (issue 14 items 4 and 6): each attack of the probe reproduced, now detected.

An attacker here has the database (raw SQL) but not the key, which lives outside it."""

from __future__ import annotations

import importlib
import io
import json
import logging

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dangjian import factories
from dangjian.core import audit, audit_events
from dangjian.core.models import AuditAction, AuditChainHead, AuditEntry

pytestmark = pytest.mark.django_db


def write(n: int, start: int = 0) -> None:
    audit.record_many(
        [
            audit.Entry(AuditAction.OTHER, actor_name="测试", object_repr=f"对象{i}")
            for i in range(start, start + n)
        ]
    )


@pytest.fixture
def committed():
    """write(n), then run and clear its on-commit steps (the checkpoint) as a real commit would: the test's own
    transaction never commits."""

    def _write(n: int, start: int = 0) -> None:
        first = len(connection.run_on_commit)
        write(n, start)
        pending = connection.run_on_commit[first:]
        del connection.run_on_commit[first:]
        assert len(pending) == 1  # one checkpoint per transaction, however many entries
        for _, callback, _ in pending:
            callback()

    return _write


def verify_json() -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command("verify_audit", "--json", stdout=out)
    except SystemExit as exc:
        return int(exc.code), json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params or [])


def rechain_unkeyed(rows: list[AuditEntry], prev: str) -> str:
    """What the attacker can compute without the key: SHA-256 over the same fields (the old scheme)."""
    for e in rows:
        digest = audit._hash(prev, audit._hashed_fields(e))
        sql("UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, e.id])
        prev = digest
    sql("UPDATE core_auditchainhead SET last_hash = %s, count = %s WHERE id = 1", [prev, len(rows)])
    return prev


# --- the three attacks of item 6 --------------------------------------------------------------------------------
def test_deleting_the_oldest_entries_is_detected():
    write(50)
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    sql("DELETE FROM core_auditentry WHERE id <= %s", [ids[39]])
    code, data = verify_json()
    assert code == 1 and data["ok"] is False
    assert data["first_broken"] == ids[40] and "链首有记录被删除" in data["reason"]


def test_a_rewrite_with_recomputed_unkeyed_hashes_is_detected():
    write(10)
    rows = list(AuditEntry.objects.order_by("id"))
    sql("UPDATE core_auditentry SET note = %s WHERE id = %s", ["改写过的说明", rows[4].id])
    rows[4].note = "改写过的说明"
    rechain_unkeyed(rows[4:], rows[3].hash)
    code, data = verify_json()
    assert code == 1 and data["first_broken"] == rows[4].id and "密钥哈希不符" in data["reason"]


def test_a_rewrite_of_the_whole_chain_as_an_unkeyed_one_is_caught_by_the_checkpoint(committed):
    committed(5)
    rows = list(AuditEntry.objects.order_by("id"))
    # The genesis entry turned into an ordinary old-style entry, and every hash recomputed from "".
    sql("UPDATE core_auditentry SET action = %s WHERE id = %s", ["system.other", rows[0].id])
    rows[0].action = "system.other"
    old_form = [audit._hashed_fields(e, "other") for e in rows]
    prev = ""
    for e, fields in zip(rows, old_form, strict=True):
        digest = audit._hash(prev, fields)
        sql("UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, e.id])
        prev = digest
    sql("UPDATE core_auditchainhead SET last_hash = %s, genesis_hash = '' WHERE id = 1", [prev])
    code, data = verify_json()
    assert code == 1 and data["ok"] is False and "检查点" in data["reason"]


def test_deleting_the_newest_entries_is_caught_by_the_checkpoint(committed):
    committed(3)
    committed(3, start=3)
    rows = list(AuditEntry.objects.order_by("id"))
    assert len(rows) == 7
    # The attacker deletes the two newest and makes the head row agree with what is left.
    sql("DELETE FROM core_auditentry WHERE id >= %s", [rows[5].id])
    sql("UPDATE core_auditchainhead SET last_hash = %s, count = 5 WHERE id = 1", [rows[4].hash])
    code, data = verify_json()
    assert code == 1 and data["first_broken"] is None
    assert data["checkpoint"] == {"entries": 7, "head": rows[6].hash}
    assert "末尾有记录被删除" in data["reason"] and data["entries"] == 5


# --- the checkpoint ------------------------------------------------------------------------------------------------
def test_checkpoint_is_written_after_commit_moves_only_forward_and_is_logged(committed, caplog):
    with caplog.at_level(logging.INFO, logger="dangjian.audit"):
        committed(3)
    cp = audit.read_checkpoint()
    last = AuditEntry.objects.latest("id")
    assert cp == audit.Checkpoint(4, last.hash, AuditChainHead.objects.get().genesis_hash)
    assert f"共 4 条，链头 {last.hash}" in caplog.text
    # Written by replacing the file: no temporary file is left beside it.
    assert sorted(p.name for p in audit.checkpoint_path().parent.iterdir()) == [
        "audit-checkpoint.json",
        "audit-checkpoint.json.lock",
    ]
    # A late on-commit step of an earlier transaction does not move it back …
    assert audit.save_checkpoint(audit.Checkpoint(2, "older", cp.genesis)) is False
    # … nor does a write of another chain (a database replaced without `restore`) overwrite it.
    assert audit.save_checkpoint(audit.Checkpoint(9, "other", "another-genesis")) is False
    assert audit.read_checkpoint() == cp
    # Entries written after the checkpoint extend it: still intact.
    write(2)
    code, data = verify_json()
    assert code == 0 and data["entries"] == 6 and data["checkpoint"] == {"entries": 4, "head": last.hash}


def test_an_entry_up_to_the_checkpoint_replaced_is_detected(committed):
    committed(3)
    rows = list(AuditEntry.objects.order_by("id"))
    # Replace the newest with a validly keyed entry is impossible without the key; dropping it and writing a
    # new one through the application gives a chain that is internally sound but does not reach the checkpoint.
    sql("DELETE FROM core_auditentry WHERE id = %s", [rows[-1].id])
    sql("UPDATE core_auditchainhead SET last_hash = %s, count = 3 WHERE id = 1", [rows[-2].hash])
    write(1)
    code, data = verify_json()
    assert code == 1 and data["first_broken"] == AuditEntry.objects.latest("id").id
    assert "检查点" in data["reason"]


# --- the JSON contract (design §4) ---------------------------------------------------------------------------------
def test_verify_audit_json_contract(committed):
    committed(2)
    last = AuditEntry.objects.latest("id")
    code, data = verify_json()
    assert code == 0
    assert list(data) == ["ok", "entries", "checkpoint", "first_broken", "reason"]
    assert data["ok"] is True and data["entries"] == 3 and data["first_broken"] is None
    assert data["checkpoint"] == {"entries": 3, "head": last.hash} and data["reason"]
    sql("UPDATE core_auditentry SET object_repr = %s WHERE id = %s", ["x", last.id])
    code, data = verify_json()
    assert (
        code == 1
        and data["ok"] is False
        and data["first_broken"] == last.id
        and isinstance(data["reason"], str)
    )


# --- personal fields (item 4) ----------------------------------------------------------------------------------------
def test_a_member_create_diff_stores_no_id_number_phone_or_birth_date():
    org = factories.org("第一党支部")
    m = factories.member(org, phone="13912345678")
    audit.log_create(m)
    entry = AuditEntry.objects.get(action="member.create")
    stored = json.dumps(entry.changes, ensure_ascii=False)
    assert (
        m.id_number not in stored and "13912345678" not in stored and m.birth_date.isoformat() not in stored
    )
    after = entry.changes["id_number"][1]
    assert after.startswith(m.id_number[:4] + "*" * 10 + m.id_number[-4:] + " #")
    assert entry.changes["phone"][1].startswith("139****5678 #")
    assert entry.changes["birth_date"][1].startswith(f"{m.birth_date.year}-**-** #")
    assert entry.changes["name"] == [None, m.name]  # other fields as they were

    # A change stays visible: the keyed tag differs even where the mask would not.
    before = audit.snapshot(m)
    m.phone = "13900005678"  # the same mask, 139****5678
    m.save()
    audit.log_update(m, before)
    update = AuditEntry.objects.get(action="member.update")
    old, new = update.changes["phone"]
    assert old == entry.changes["phone"][1] and old != new
    assert audit.verify_chain() is None


# --- the old, unkeyed segment --------------------------------------------------------------------------------------
MIGRATION = importlib.import_module("dangjian.core.migrations.0004_named_events_keyed_chain")


def test_the_migration_names_old_entries_by_the_rule_legacy_action_inverts():
    for verb in audit_events.VERB_LABELS:
        for model in ("members.member", "accounts.user", ""):
            name = MIGRATION.named(verb, model)
            assert name == audit_events.default_name(verb, model)
            assert audit_events.legacy_action(name, model) == verb
    assert MIGRATION.LEGACY_VERBS == set(audit_events.VERB_LABELS)


@pytest.fixture
def legacy_chain(db):
    """Four entries as written before the key (old action values, unkeyed hashes), then migration 0004's
    renaming run on them as `migrate` would."""
    specs = [
        ("create", "members.member"),
        ("login", "accounts.user"),
        ("update", "members.member"),
        ("other", ""),
    ]
    prev, rows = "", []
    for i, (verb, model) in enumerate(specs):
        e = AuditEntry(
            at=audit.timezone.now(), actor_name="旧记录", action=verb, model=model, object_id=str(i),
            object_repr=f"旧对象{i}", changes={"n": [None, i]}, note="",
        )  # fmt: skip
        e.prev_hash, e.hash = prev, audit._hash(prev, audit._hashed_fields(e))
        prev = e.hash
        rows.append(e)
    AuditEntry.objects.bulk_create(rows)
    AuditChainHead.objects.create(pk=1, last_hash=prev, count=len(rows))
    state = MigrationExecutor(connection).loader.project_state(
        ("core", MIGRATION.__name__.rsplit(".", 1)[-1])
    )
    MIGRATION.rename_actions(state.apps, None)
    return list(AuditEntry.objects.order_by("id"))


def test_old_entries_keep_verifying_after_renaming_and_are_sealed_by_the_genesis(legacy_chain):
    assert [e.action for e in legacy_chain] == [
        "member.create",
        "account.login",
        "member.update",
        "system.other",
    ]
    result = audit.verify()
    assert result.ok and "尚无创世记录" in result.reason
    write(2)
    genesis = AuditEntry.objects.get(action=audit.GENESIS)
    assert genesis.prev_hash == legacy_chain[-1].hash
    assert genesis.changes == {"sealed_entries": 4, "sealed_head": legacy_chain[-1].hash}
    assert audit.verify().ok and AuditEntry.objects.count() == 7


def test_an_old_entry_renamed_to_another_event_is_detected(legacy_chain):
    write(1)
    sql("UPDATE core_auditentry SET action = %s WHERE id = %s", ["member.delete", legacy_chain[2].id])
    problem = audit.verify_chain()
    assert problem is not None and problem.entry_id == legacy_chain[2].id


def test_the_old_segment_cut_at_its_head_and_rechained_is_detected_by_the_genesis(legacy_chain):
    write(1)
    sql("DELETE FROM core_auditentry WHERE id = %s", [legacy_chain[0].id])
    kept = legacy_chain[1:]
    prev = ""
    for e in kept:  # the attacker rebuilds a valid old chain from "" (possible: it has no key)
        digest = audit._hash(prev, audit._hashed_fields(e, audit_events.legacy_action(e.action, e.model)))
        sql("UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, e.id])
        prev = digest
    genesis = AuditEntry.objects.get(action=audit.GENESIS)
    problem = audit.verify_chain()
    assert problem is not None and problem.entry_id == genesis.id
