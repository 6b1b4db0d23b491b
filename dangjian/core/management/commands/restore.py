"""`dangjian restore DIR` — put back a backup made by `dangjian backup` (design §4).

Every file's size and SHA-256 is checked against the manifest before anything is touched; a backup with a missing,
altered or unlisted file is refused with exit 1. Stop the web service before restoring: the database and the
uploaded files are replaced as a whole.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from dangjian.core import audit, stamps
from dangjian.core.commands import EXIT_REJECTED, EXIT_USAGE

from .backup import (
    DB_FILES,
    FORMAT,
    MANIFEST,
    BackupError,
    engine_name,
    never_backed_up,
    pg_env,
    run_tool,
    sha256_of,
)


def load_manifest(src: Path) -> dict[str, Any]:
    path = src / MANIFEST
    if not path.is_file():
        raise BackupError(f"{src} 中没有 {MANIFEST}：这不是 dangjian backup 生成的备份目录")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{MANIFEST} 无法解析（{exc}）：清单已损坏或被改动")
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), list)
    ):
        raise BackupError(f"{MANIFEST} 的格式不符（应为第 {FORMAT} 版备份清单）")
    return manifest


def _safe_relative(name: object) -> bool:
    if not isinstance(name, str) or not name or "\\" in name:
        return False
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts


def verify_backup(src: Path, manifest: dict[str, Any]) -> list[str]:
    """Every problem with the backup's files, in Chinese; empty when all sizes and checksums agree."""
    problems: list[str] = []
    listed: set[str] = set()
    for entry in manifest["files"]:
        name = entry.get("path") if isinstance(entry, dict) else None
        if name is None or not _safe_relative(name):
            problems.append(f"清单中的路径不合法：{name!r}")
            continue
        listed.add(name)
        path = src / name
        if not path.is_file():
            problems.append(f"缺少文件：{name}")
        elif path.stat().st_size != entry.get("size"):
            problems.append(
                f"文件大小不符：{name}（清单 {entry.get('size')} 字节，实际 {path.stat().st_size} 字节）"
            )
        elif sha256_of(path) != entry.get("sha256"):
            problems.append(f"校验值不符：{name}（文件已被改动或损坏）")
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        name = path.relative_to(src).as_posix()
        if name != MANIFEST and name not in listed:
            problems.append(f"清单之外多出的文件：{name}")
    database = manifest.get("database") or {}
    if database.get("file") not in listed:
        problems.append("清单中没有数据库文件")
    return problems


def unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    """Migrations the backup's database has but this version of the program does not know."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = (manifest.get("database") or {}).get("migrations") or {}
    return [f"{app}.{name}" for app, name in sorted(applied.items()) if (app, name) not in known]


CHAIN_MIGRATION = "0004_named_events_keyed_chain"


def has_keyed_chain(manifest: dict[str, Any]) -> bool:
    """Whether the backup's database already has the named events and the keyed chain (core 0004)."""
    applied = ((manifest.get("database") or {}).get("migrations") or {}).get("core", "")
    return applied >= CHAIN_MIGRATION


def chain_refused(result: audit.Verification) -> str:
    return (
        f"备份中的审计日志未通过校验（{result.reason}）：备份被改动，或本服务器的审计密钥"
        "（DANGJIAN_AUDIT_KEY / 密钥文件）与备份时不同"
    )


def restore_database(file: Path, engine: str) -> None:
    if engine == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(file)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    settings_dict = dict(connection.settings_dict)
    connections.close_all()
    run_tool(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--dbname",
            settings_dict["NAME"],
            str(file),
        ],
        pg_env(settings_dict),
    )


def restore_media(src: Path, media_root: Path) -> int:
    """Replace the contents of MEDIA_ROOT (not the directory itself: it may be a mount point)."""
    media_root.mkdir(parents=True, exist_ok=True)
    keep = never_backed_up()
    for child in media_root.iterdir():
        if child.resolve() in keep:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if not src.is_dir():
        return 0
    shutil.copytree(src, media_root, dirs_exist_ok=True)
    return sum(1 for p in media_root.rglob("*") if p.is_file())


class Command(BaseCommand):
    help = "从 dangjian backup 生成的目录恢复数据库和上传文件（先逐一核对校验值，不符则拒绝恢复）"

    def add_arguments(self, parser):
        parser.add_argument("dir", metavar="DIR", help="备份目录")
        parser.add_argument("--no-input", action="store_true", help="在终端运行时也不再询问确认")

    def handle(self, *args, **options):
        src = Path(options["dir"]).expanduser().resolve()
        if not src.is_dir():
            raise CommandError(f"找不到备份目录：{src}", returncode=EXIT_USAGE)
        try:
            manifest = load_manifest(src)
            problems = verify_backup(src, manifest)
            if problems:
                raise BackupError(
                    "备份未通过校验，未做任何改动：\n" + "\n".join(f"  - {p}" for p in problems)
                )
            engine = engine_name()
            if manifest["database"].get("engine") != engine:
                raise BackupError(
                    f"备份的数据库类型为 {manifest['database'].get('engine')}，当前配置为 {engine}：请在同类数据库上恢复"
                )
            if manifest["database"]["file"] != DB_FILES[engine]:
                raise BackupError(f"清单中的数据库文件名不符：{manifest['database']['file']}")
            newer = unknown_migrations(manifest)
            if newer:
                raise BackupError(
                    "备份来自更新版本的程序（含本程序不认识的数据库迁移："
                    + "、".join(newer[:5])
                    + "）：请先升级程序再恢复"
                )
            checked = engine == "sqlite" and has_keyed_chain(manifest)
            if checked:
                # The backup's own chain, with this server's key, before anything is touched (its checkpoint
                # is not this server's, so none is compared).
                result = audit.verify_sqlite_file(src / manifest["database"]["file"])
                if not result.ok:
                    raise BackupError("未做任何改动：" + chain_refused(result))
        except BackupError as exc:
            raise CommandError(str(exc), returncode=exc.code)
        if sys.stdin.isatty() and not options["no_input"]:
            answer = input(
                f"将用 {manifest['created_at']} 的备份覆盖当前全部数据和上传文件。确认请输入 yes："
            )
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，未做任何改动。", returncode=EXIT_USAGE)
        try:
            restore_database(src / manifest["database"]["file"], engine)
        except BackupError as exc:
            raise CommandError(f"{exc}\n数据库未恢复（事务已回滚），上传文件未改动。", returncode=exc.code)
        # Cached results in running processes were keyed by versions this database may now reach again with
        # other data; a backup from before the triggers existed brings none.
        stamps.install_triggers()
        stamps.new_epoch()
        if engine != "sqlite" and has_keyed_chain(manifest):
            # pg_restore cannot be checked beforehand without a second database: check what it restored.
            result = audit.verify(checkpoint=False)
            if not result.ok:
                raise CommandError(
                    "数据库已恢复，但" + chain_refused(result) + "。审计检查点未重置：请核查后重新恢复。",
                    returncode=EXIT_REJECTED,
                )
            checked = True
        files = restore_media(src / manifest.get("media_dir", "media"), Path(settings.MEDIA_ROOT))
        # The checkpoint described the replaced chain: it now starts again from the restored one (the only place
        # it moves back), and the restore's own entry below extends it.
        before = audit.read_checkpoint()
        after = audit.current_checkpoint()
        audit.save_checkpoint(after, force=True)
        audit.record(
            "system.restore",
            actor_name="restore",
            object_repr="从备份恢复数据库和上传文件",
            changes={
                "from": str(src),
                "created_at": manifest["created_at"],
                "files": files,
                "chain_verified": checked,
                "checkpoint": [before.as_json() if before else None, after.as_json()],
            },
            note=f"从备份恢复：{src}（备份时间 {manifest['created_at']}，程序版本 {manifest.get('app_version')}）；"
            "审计检查点已重置为恢复后的审计链",
        )
        self.stdout.write(f"恢复完成：数据库和 {files} 个上传文件已恢复为 {manifest['created_at']} 的备份。")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("本程序比备份新，还有数据库迁移未执行：请接着运行 dangjian migrate。")
