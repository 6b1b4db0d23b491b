"""`dangjian backup --out DIR` — the database and the uploaded files, with a checksum manifest (design §4).

DIR/manifest.json lists every file with its size and SHA-256, the database engine, when and by which version of
the application the backup was made. SQLite is copied through the online backup API (a consistent snapshot while
the service runs); PostgreSQL through `pg_dump --format=custom`. `dangjian restore DIR` checks it all first.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

import dangjian
from dangjian.core import audit
from dangjian.core.commands import EXIT_REJECTED, EXIT_USAGE

MANIFEST = "manifest.json"
MEDIA_DIR = "media"
FORMAT = 1
DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}


class BackupError(Exception):
    """A Chinese message naming what is wrong and what to do; `code` is the command's exit status."""

    def __init__(self, message: str, code: int = EXIT_REJECTED) -> None:
        super().__init__(message)
        self.code = code


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def engine_name(settings_dict: dict[str, Any] | None = None) -> str:
    engine = (settings_dict or connection.settings_dict)["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"不支持备份此类数据库：{engine}（仅支持 SQLite 和 PostgreSQL）")


def pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's environment for pg_dump / pg_restore; the password never appears on a command line."""
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[name] = str(settings_dict[key])
    env["PGDATABASE"] = settings_dict["NAME"]
    return env


def run_tool(args: list[str], env: dict[str, str]) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(f"找不到 {args[0]}：请安装 PostgreSQL 客户端（apt-get install postgresql-client）")
    result = subprocess.run([tool, *args[1:]], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{args[0]} 执行失败：{result.stderr.strip()[-2000:]}")


def never_backed_up() -> set[Path]:
    """The audit key and checkpoint stay on this server, even when configured inside the media root: a backup
    that carried the key would let whoever holds it rewrite the chain."""
    paths = {Path(settings.DANGJIAN_AUDIT_KEY_FILE), Path(settings.DANGJIAN_AUDIT_CHECKPOINT)}
    out = set()
    for p in paths:
        out |= {p.resolve(), p.with_name(p.name + ".lock").resolve()}
    return out


def media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    skip = never_backed_up()
    return sorted(p for p in root.rglob("*") if p.is_file() and p.resolve() not in skip)


@dataclass
class BackupResult:
    out: Path
    files: int
    bytes: int


def applied_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def dump_database(target: Path) -> None:
    engine = engine_name()
    if engine == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as dst:
            connection.connection.backup(dst)
        dst.close()
    else:
        run_tool(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)],
            pg_env(connection.settings_dict),
        )


def make_backup(out: Path, *, now: datetime | None = None) -> BackupResult:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"目标目录 {out} 已存在且不为空：请指定一个新的目录，以免覆盖旧备份", EXIT_USAGE)
    engine = engine_name()
    out.mkdir(parents=True, exist_ok=True)
    db_file = out / DB_FILES[engine]
    dump_database(db_file)
    media_root = Path(settings.MEDIA_ROOT)
    entries = [db_file]
    for src in media_files(media_root):
        dst = out / MEDIA_DIR / src.relative_to(media_root)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        entries.append(dst)
    files: list[dict[str, Any]] = [
        {"path": p.relative_to(out).as_posix(), "size": p.stat().st_size, "sha256": sha256_of(p)}
        for p in entries
    ]
    manifest = {
        "format": FORMAT,
        "app": "dangjian",
        "app_version": dangjian.__version__,
        "created_at": (now or timezone.now()).isoformat(),
        "database": {"engine": engine, "file": db_file.name, "migrations": applied_migrations()},
        "media_dir": MEDIA_DIR,
        "files": files,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return BackupResult(out, len(files), sum(f["size"] for f in files))


class Command(BaseCommand):
    help = "备份数据库和上传的文件到指定目录（含校验清单 manifest.json）"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, metavar="DIR", help="备份目录（新目录或空目录）")

    def handle(self, *args, **options):
        out = Path(options["out"]).expanduser().resolve()
        try:
            result = make_backup(out)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=exc.code)
        audit.record(
            "system.backup",
            actor_name="backup",
            object_repr="数据库和上传文件备份",
            changes={"out": str(out), "files": result.files, "bytes": result.bytes},
            note=f"备份到 {out}",
        )
        self.stdout.write(
            f"备份完成：{out}（{result.files} 个文件，共 {result.bytes / 1024 / 1024:.1f} MB，清单见 {MANIFEST}）"
        )
