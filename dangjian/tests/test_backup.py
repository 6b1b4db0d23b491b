"""`dangjian backup` / `dangjian restore`: every record and every file comes back; a tampered backup is refused.

Runs on the configured database: SQLite by default, PostgreSQL when DATABASE_URL says so (CI runs both)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dangjian.core import audit
from dangjian.core.audit import verify_chain
from dangjian.core.models import AuditAction, AuditEntry
from dangjian.members.models import Member

pytestmark = pytest.mark.django_db(transaction=True)

FILES = {
    "activities/2026/11/第三季度支部党员大会记录.pdf": os.urandom(70_000),
    "activities/2026/11/会议照片.jpg": os.urandom(12_345),
    "imports/花名册.xlsx": b"PK\x03\x04" + os.urandom(2048),
    "empty.txt": b"",
}


@pytest.fixture
def media(settings, tmp_path):
    # A media root of this test's own: other tests' uploads must not leak into the comparison.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    root = Path(settings.MEDIA_ROOT)
    root.mkdir()
    for name, data in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    yield root
    for child in root.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()


def _dump() -> dict[str, list[dict]]:
    out = StringIO()
    call_command("dumpdata", "--format", "json", "--indent", "0", stdout=out)
    by_model: dict[str, list[dict]] = {}
    for obj in json.loads(out.getvalue()):
        by_model.setdefault(obj["model"], []).append(obj)
    return by_model


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _backup(out: Path) -> str:
    stdout = StringIO()
    call_command("backup", "--out", str(out), stdout=stdout)
    return stdout.getvalue()


def _restore(src: Path) -> str:
    stdout = StringIO()
    call_command("restore", str(src), stdout=stdout)
    return stdout.getvalue()


def test_backup_wipe_restore_gives_everything_back(cast, media, tmp_path):
    audit.record(AuditAction.OTHER, actor_name="test", object_repr="备份前的一条审计记录")
    before = _dump()
    assert len(before["members.member"]) == 5 and len(before["core.auditentry"]) >= 1
    out = tmp_path / "backup-1"
    assert "备份完成" in _backup(out)

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    engine = "sqlite" if connection.vendor == "sqlite" else "postgresql"
    assert manifest["database"]["engine"] == engine
    assert manifest["app_version"] == "0.1.0" and manifest["created_at"]
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == {manifest["database"]["file"]} | {f"media/{n}" for n in FILES}
    assert listed["media/empty.txt"]["size"] == 0 and len(listed["media/imports/花名册.xlsx"]["sha256"]) == 64
    assert AuditEntry.objects.filter(actor_name="backup", action="system.backup").count() == 1

    # Wipe: every table emptied, every file deleted.
    call_command("flush", "--no-input")
    for p in sorted(media.rglob("*"), reverse=True):
        p.rmdir() if p.is_dir() else p.unlink()
    assert not Member.objects.exists() and not _files(media)

    assert "恢复完成" in _restore(out)
    after = _dump()
    restore_entries = [e for e in after["core.auditentry"] if e["fields"]["actor_name"] == "restore"]
    assert len(restore_entries) == 1
    after["core.auditentry"] = [e for e in after["core.auditentry"] if e not in restore_entries]
    for dump in (before, after):
        dump.pop("core.auditchainhead", None)
        # Data versions are bookkeeping, not data: the restore's own writes count, and a new epoch is drawn.
        dump.pop("core.datastamp", None)
    assert after == before
    assert _files(media) == FILES
    assert verify_chain() is None  # the restored log and the restore's own entry form one chain


def test_backup_refuses_a_non_empty_directory(cast, tmp_path):
    out = tmp_path / "used"
    out.mkdir()
    (out / "old.txt").write_text("x")
    with pytest.raises(CommandError) as exc:
        _backup(out)
    assert exc.value.returncode == 2 and "不为空" in str(exc.value)


def _tamper_cases():
    def change_a_byte(out: Path) -> None:
        path = out / "media" / "activities/2026/11/会议照片.jpg"
        data = bytearray(path.read_bytes())
        data[100] ^= 0xFF
        path.write_bytes(bytes(data))

    def truncate_database(out: Path) -> None:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        path = out / manifest["database"]["file"]
        path.write_bytes(path.read_bytes()[:-10])

    def remove_a_file(out: Path) -> None:
        (out / "media" / "empty.txt").unlink()

    def add_a_file(out: Path) -> None:
        (out / "media" / "extra.php").write_text("<?php ?>")

    def break_the_manifest(out: Path) -> None:
        (out / "manifest.json").write_text("{not json", encoding="utf-8")

    def escape_the_directory(out: Path) -> None:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        manifest["files"][0]["path"] = "../../etc/passwd"
        (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    return [
        ("校验值不符", change_a_byte),
        ("文件大小不符", truncate_database),
        ("缺少文件", remove_a_file),
        ("清单之外多出的文件", add_a_file),
        ("无法解析", break_the_manifest),
        ("路径不合法", escape_the_directory),
    ]


@pytest.mark.parametrize("message,tamper", _tamper_cases(), ids=[c[1].__name__ for c in _tamper_cases()])
def test_restore_refuses_a_tampered_backup_and_touches_nothing(cast, media, tmp_path, message, tamper):
    out = tmp_path / "backup"
    _backup(out)
    tamper(out)
    Member.objects.filter(name="甲支部党员0").update(name="备份后改名")
    (media / "after-backup.txt").write_text("新文件")
    with pytest.raises(CommandError) as exc:
        _restore(out)
    assert exc.value.returncode == 1
    assert message in str(exc.value)
    assert Member.objects.filter(name="备份后改名").exists()
    assert (media / "after-backup.txt").exists() and _files(media)["empty.txt"] == b""


def test_restore_refuses_another_engine_or_a_newer_program(cast, tmp_path):
    out = tmp_path / "backup"
    _backup(out)
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    other = dict(manifest, database=dict(manifest["database"], engine="oracle"))
    manifest_path.write_text(json.dumps(other), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        _restore(out)
    assert exc.value.returncode == 1 and "数据库类型" in str(exc.value)
    migrations = dict(manifest["database"]["migrations"], members="9999_from_the_future")
    newer = dict(manifest, database=dict(manifest["database"], migrations=migrations))
    manifest_path.write_text(json.dumps(newer), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        _restore(out)
    assert exc.value.returncode == 1 and "更新版本" in str(exc.value)


def test_restore_of_a_missing_directory_is_a_usage_error(db, tmp_path):
    with pytest.raises(CommandError) as exc:
        _restore(tmp_path / "nowhere")
    assert exc.value.returncode == 2


# --- the audit chain across backup and restore (issue 14 item 6) ----------------------------------------------
def test_restore_verifies_the_chain_and_resets_the_checkpoint_audited(cast, media, tmp_path):
    audit.record(AuditAction.OTHER, actor_name="test", object_repr="备份前")
    out = tmp_path / "backup"
    backed_up = AuditEntry.objects.count()  # the backup's own entry is written after its snapshot
    _backup(out)
    for i in range(3):  # written after the backup: the checkpoint moves past what the backup holds
        audit.record(AuditAction.OTHER, actor_name="test", object_repr=f"备份后{i}")
    assert audit.read_checkpoint().entries == backed_up + 4

    _restore(out)
    entry = AuditEntry.objects.get(action="system.restore")
    before, after = entry.changes["checkpoint"]
    assert before["entries"] == backed_up + 4 and after["entries"] == backed_up
    assert entry.changes["chain_verified"] is True and "检查点已重置" in entry.note
    cp = audit.read_checkpoint()
    assert cp.entries == backed_up + 1 and cp.head == entry.hash  # the restore's own entry extends it
    assert audit.verify().ok


def test_restore_refuses_a_backup_whose_audit_chain_was_altered(cast, media, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL backups are checked after pg_restore (no second database to check them in)")
    audit.record(AuditAction.OTHER, actor_name="test", object_repr="备份前")
    out = tmp_path / "backup"
    _backup(out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    db_file = out / manifest["database"]["file"]
    # Whoever holds the backup edits an entry and the manifest's checksum, but cannot recompute the keyed hash.
    with sqlite3.connect(db_file) as db:
        db.execute(
            "UPDATE core_auditentry SET note = '改过' WHERE id = (SELECT MAX(id) FROM core_auditentry)"
        )
    db.close()
    for f in manifest["files"]:
        if f["path"] == db_file.name:
            f["size"], f["sha256"] = db_file.stat().st_size, hashlib.sha256(db_file.read_bytes()).hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    Member.objects.filter(name="甲支部党员0").update(name="备份后改名")
    with pytest.raises(CommandError) as exc:
        _restore(out)
    assert (
        exc.value.returncode == 1
        and "审计日志未通过校验" in str(exc.value)
        and "未做任何改动" in str(exc.value)
    )
    assert Member.objects.filter(name="备份后改名").exists()


def test_the_audit_key_is_never_in_a_backup(cast, media, tmp_path, settings):
    # Even when misconfigured inside the media root, the key file stays out of the backup.
    settings.DANGJIAN_AUDIT_KEY = ""
    settings.DANGJIAN_AUDIT_KEY_FILE = media / "audit.key"
    audit.record(AuditAction.OTHER, actor_name="test", object_repr="用密钥文件写入")
    key = (media / "audit.key").read_text().strip()
    assert len(key) == 64 and (media / "audit.key").stat().st_mode & 0o777 == 0o600
    out = tmp_path / "backup"
    _backup(out)
    listed = [f["path"] for f in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]]
    assert "media/audit.key" not in listed and not (out / "media" / "audit.key").exists()
    assert all(key.encode() not in p.read_bytes() for p in out.rglob("*") if p.is_file())
