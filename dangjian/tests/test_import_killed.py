"""Issue 8 part 7: an import killed mid-way leaves the database as it was.

`dangjian import_roster` runs in its own process against a file SQLite database (the production settings, WAL);
once its write transaction is open and it has been writing for a moment, it gets SIGKILL — no handler, no
rollback code, no `finally` runs. The database must then hold exactly what it held before: no member, no audit
line of the import, and the audit chain still verifies."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from dangjian.demo.roster_gen import write_roster_workbook

ROOT = Path(__file__).resolve().parents[2]
ROWS = 10_000


def _env(db: Path, tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        DJANGO_SETTINGS_MODULE="dangjian.settings",
        DATABASE_URL=f"sqlite:///{db}",
        DEBUG="1",
        MEDIA_ROOT=str(tmp / "media"),
        PYTHONPATH=str(ROOT),
    )
    return env


def _manage(env: dict[str, str], *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names


def _writer_active(db: Path) -> bool:
    """True while another connection holds the write lock (its BEGIN IMMEDIATE transaction is open)."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def test_sigkill_during_the_write_leaves_the_database_unchanged(tmp_path):
    db = tmp_path / "dangjian.sqlite3"
    env = _env(db, tmp_path)
    done = _manage(env, "migrate", "--noinput")
    assert done.returncode == 0, done.stderr[-2000:]
    seed = _manage(
        env,
        "shell",
        "-c",
        "from dangjian import factories as f; from dangjian.orgs.models import OrgKind;"
        "root = f.org('中共测试局党组', kind=OrgKind.DANGZU, code='ROOT');"
        "f.org('测试第一党支部', parent=root, code='A')",
    )
    assert seed.returncode == 0, seed.stderr[-2000:]
    book = tmp_path / "名册.xlsx"
    write_roster_workbook(book, ROWS, ["测试第一党支部"], seed=3)
    members, audit = _count(db, "members_member"), _count(db, "core_auditentry")

    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "import_roster", str(book), "--json"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 300
        while not _writer_active(db):
            assert proc.poll() is None, "导入在写入开始前就结束了：" + proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(0.3)  # well into the write
        assert proc.poll() is None, "导入结束得太快，没能在写入中途终止它；请增大 ROWS"
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()

    assert _count(db, "members_member") == members == 0
    assert _count(db, "core_auditentry") == audit
    verify = _manage(env, "verify_audit", "--json")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # and the kill left no lock behind: the next writer gets in at once
    assert not _writer_active(db)
