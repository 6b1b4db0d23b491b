"""`dangjian bench [--scale small|city] [--json] [--load]` — the benchmark of issue 7 (design §4).

It never touches the user's data: the command re-runs itself in a child process whose DATABASE_URL names a
scratch database — a temporary SQLite file, or a fresh PostgreSQL database `dangjian_bench_<pid>` on the same
server when the current DATABASE_URL is PostgreSQL — which it migrates, fills with `gen_scale`, measures and
then removes.
"""

from __future__ import annotations

import io
import json
import os
import platform
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

    def handle(self, *args, **o):
        if os.environ.get(CHILD_FLAG):
            return self._child(o)
        return self._parent(o)

    # -- the parent: make the scratch database, run the child, clean up ------------------------------------
    def _parent(self, o: dict[str, Any]) -> None:
        db = settings.DATABASES["default"]
        tmp = Path(tempfile.mkdtemp(prefix="dangjian-bench-"))
        pg_name = None
        try:
            if db["ENGINE"] == "django.db.backends.postgresql":
                pg_name = f"dangjian_bench_{os.getpid()}"
                self._pg_admin(db, f'CREATE DATABASE "{pg_name}"')
                user = db.get("USER") or "postgres"
                auth = f"{user}:{db['PASSWORD']}" if db.get("PASSWORD") else user
                url = f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{pg_name}"
                database = "postgresql"
            else:
                url = f"sqlite:///{tmp / 'bench.sqlite3'}"
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
            argv += ["--json"] * o["json"] + ["--load"] * o["load"]
            proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, text=True, check=False)
            self.stdout.write(proc.stdout, ending="")
            if proc.returncode:
                raise CommandError("基准测试未能完成（详见上方错误信息）", returncode=proc.returncode)
        finally:
            if pg_name:
                self._pg_admin(db, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            shutil.rmtree(tmp, ignore_errors=True)

    @staticmethod
    def _pg_admin(db: dict[str, Any], sql: str) -> None:
        import psycopg

        with psycopg.connect(
            dbname="postgres",
            user=db.get("USER") or "postgres",
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or "127.0.0.1",
            port=db.get("PORT") or 5432,
            autocommit=True,
        ) as conn:
            conn.execute(sql)

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
        log(f"生成数据：{o['scale']}（党组织 {cfg['orgs']}，党员 {cfg['members']}，{cfg['years']} 年）……")
        t = time.monotonic()
        out = io.StringIO()
        call_command("gen_scale", orgs=cfg["orgs"], members=cfg["members"], years=cfg["years"], stdout=out)
        gen_s = time.monotonic() - t
        result = run_all(o["scale"], o["load"], log)
        data = {
            "scale": o["scale"],
            "database": os.environ.get("DANGJIAN_BENCH_DATABASE", "sqlite"),
            "machine": machine(),
            **result,
            "gen_scale_s": round(gen_s, 1),
            "total_s": round(time.monotonic() - started, 1),
            "data": _counts(),
        }
        if o["json"]:
            print_json(self, data)
            return
        for key, value in data.items():
            self.stdout.write(f"{key}: {json.dumps(value, ensure_ascii=False)}")


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
