"""`dangjian bench [--scale small|city] [--json] [--load]` — the benchmark of issue 7 (design §4).

It never touches the user's data: the command re-runs itself in a child process whose DATABASE_URL names a
scratch database — a temporary SQLite file, or a fresh PostgreSQL database `dangjian_bench_<pid>` on the same
server when the current DATABASE_URL is PostgreSQL — which it migrates, fills with `gen_scale`, measures and
then removes.

`--keep NAME` names the scratch database instead (a PostgreSQL database on the same server, or a SQLite file in
the var directory) and keeps it afterwards; a later run with the same name and scale finds the data there and
skips the generation. It exists for the 10× city scale, whose generation takes longer than its measurements.
A name that is the configured database itself is refused.
"""

from __future__ import annotations

import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from dangjian.bench.measure import SCALES, run_all
from dangjian.core.commands import EXIT_USAGE, print_json

CHILD_FLAG = "DANGJIAN_BENCH_CHILD"


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


class Command(BaseCommand):
    help = "性能基准：在临时数据库中生成指定规模的数据并测量合规计算、名册导入、页面、提醒和报告（不影响现有数据）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", choices=sorted(SCALES), default="small", help="数据规模：small 或 city"
        )
        parser.add_argument("--json", action="store_true", help="以一个 JSON 文档输出结果")
        parser.add_argument(
            "--load", action="store_true", help="另行启动 gunicorn 做 20 并发 30 秒的负载测试"
        )
        parser.add_argument(
            "--keep",
            metavar="NAME",
            help="使用并保留指定名称的测试数据库（已有同规模数据时跳过生成），用于大规模的重复测量",
        )

    def handle(self, *args, **o):
        if os.environ.get(CHILD_FLAG):
            return self._child(o)
        return self._parent(o)

    # -- the parent: make the scratch database, run the child, clean up ------------------------------------
    def _parent(self, o: dict[str, Any]) -> None:
        db = settings.DATABASES["default"]
        tmp = Path(tempfile.mkdtemp(prefix="dangjian-bench-"))
        pg_name = None
        keep = o.get("keep")
        if keep is not None and not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", keep):
            raise CommandError(
                "--keep 的名称只能用小写字母、数字和下划线，且以字母开头", returncode=EXIT_USAGE
            )
        if keep is not None and keep == str(db.get("NAME", "")).rsplit("/", 1)[-1].removesuffix(".sqlite3"):
            raise CommandError("--keep 不能是当前配置的数据库本身", returncode=EXIT_USAGE)
        try:
            if db["ENGINE"] == "django.db.backends.postgresql":
                pg_name = keep or f"dangjian_bench_{os.getpid()}"
                if keep is None or not self._pg_exists(db, pg_name):
                    self._pg_admin(db, f'CREATE DATABASE "{pg_name}"')
                user = db.get("USER") or "postgres"
                auth = f"{user}:{db['PASSWORD']}" if db.get("PASSWORD") else user
                url = f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{pg_name}"
                database = "postgresql"
            else:
                path = Path(settings.VAR_DIR) / f"{keep}.sqlite3" if keep else tmp / "bench.sqlite3"
                url = f"sqlite:///{path}"
                database = "sqlite"
            env = dict(
                os.environ,
                DATABASE_URL=url,
                **{CHILD_FLAG: "1"},
                DANGJIAN_VAR_DIR=str(tmp),
                DANGJIAN_MEDIA_ROOT=str(tmp / "media"),
                DANGJIAN_BENCH_DATABASE=database,
                DANGJIAN_TLS="0",
            )
            argv = [sys.executable, "-m", "dangjian.manage", "bench", "--scale", o["scale"]]
            argv += ["--json"] * o["json"] + ["--load"] * o["load"] + (["--keep", keep] if keep else [])
            proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, text=True, check=False)
            self.stdout.write(proc.stdout, ending="")
            if proc.returncode:
                raise CommandError("基准测试未能完成（详见上方错误信息）", returncode=proc.returncode)
        finally:
            if pg_name and not keep:
                self._pg_admin(db, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def _pg_exists(cls, db: dict[str, Any], name: str) -> bool:
        return bool(cls._pg_admin(db, "SELECT 1 FROM pg_database WHERE datname = %s", [name]))

    @staticmethod
    def _pg_admin(db: dict[str, Any], sql: str, params: list[Any] | None = None) -> list[tuple]:
        import psycopg

        with psycopg.connect(
            dbname="postgres",
            user=db.get("USER") or "postgres",
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or "127.0.0.1",
            port=db.get("PORT") or 5432,
            autocommit=True,
        ) as conn:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else []

    # -- the child: runs on the scratch database ------------------------------------------------------------
    def _child(self, o: dict[str, Any]) -> None:
        log = (lambda msg: sys.stderr.write(msg + "\n")) if o["json"] else self.stdout.write
        cfg = SCALES[o["scale"]]
        started = time.monotonic()
        call_command("migrate", verbosity=0, stdout=io.StringIO())
        log(f"[{time.monotonic() - started:6.1f}s] 数据库已建好")
        # pages render with the production (manifest) static storage, as served: it needs its manifest
        if "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]:
            call_command("collectstatic", interactive=False, verbosity=0, stdout=io.StringIO())
        gen_s = _generated_before(o["scale"]) if o.get("keep") else None
        if gen_s is None:
            log(f"生成数据：{o['scale']}（党组织 {cfg['orgs']}，党员 {cfg['members']}，{cfg['years']} 年）……")
            t = time.monotonic()
            call_command(
                "gen_scale",
                orgs=cfg["orgs"],
                members=cfg["members"],
                years=cfg["years"],
                stdout=io.StringIO(),
            )
            gen_s = round(time.monotonic() - t, 1)
            if o.get("keep"):
                _mark_generated(o["scale"], gen_s)
        else:
            log(f"沿用已生成的 {o['scale']} 规模数据（生成用时 {gen_s} 秒）")
        result = run_all(o["scale"], o["load"], log)
        data = {
            "scale": o["scale"],
            "database": os.environ.get("DANGJIAN_BENCH_DATABASE", "sqlite"),
            "machine": machine(),
            **result,
            "gen_scale_s": gen_s,
            "total_s": round(time.monotonic() - started, 1),
            "data": _counts(),
        }
        if o["json"]:
            print_json(self, data)
            return
        for key, value in data.items():
            self.stdout.write(f"{key}: {json.dumps(value, ensure_ascii=False)}")


MARK_TOPIC = "bench:generated:{scale}"


def _generated_before(scale: str) -> float | None:
    """The generation time recorded in a kept scratch database that already holds this scale's data."""
    from dangjian.core.models import DataStamp

    row = DataStamp.objects.filter(topic=MARK_TOPIC.format(scale=scale), txn=-1).first()
    return row.n / 10 if row is not None else None


def _mark_generated(scale: str, seconds: float) -> None:
    from dangjian.core.models import DataStamp

    DataStamp.objects.create(topic=MARK_TOPIC.format(scale=scale), txn=-1, n=round(seconds * 10))


def _counts() -> dict[str, int]:
    from dangjian.activities.models import Activity, Attendance
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization

    return {
        "organizations": Organization.objects.count(),
        "members": Member.objects.count(),
        "activities": Activity.objects.count(),
        "attendance": Attendance.objects.count(),
    }


__all__ = ["Command", "EXIT_USAGE"]
