"""With REDIS_URL set, jobs queue on Redis through RQ and `dangjian worker` runs RQ's worker (issue 20 part 1):
proven end to end in child processes with production settings against the Redis that runs beside the database
(CI has it; elsewhere the test is skipped when no Redis answers)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of its own, emptied before and after

SETUP = """
from dangjian.accounts.roles import Role
from dangjian.factories import user
from dangjian.jobs import services
from dangjian.jobs.models import JobKind
owner = user("rq_bureau", Role.BUREAU_ADMIN)
job = services.enqueue(owner, JobKind.WARM, "缓存预热")
print(job.pk, job.status)
"""

CACHES = """
from django.core.cache import caches
from dangjian.core import memo
caches["memo"].set("probe", 1)
caches["default"].set("probe", 1)
memo.clear()  # the memo's own keys only: the queue and the other cache stay
print(type(caches["default"]).__name__, type(caches["memo"]).__name__, caches["memo"].get("probe"), caches["default"].get("probe"))
"""

STATUS = """
from dangjian.jobs.models import Job
job = Job.objects.get()
print(job.status, job.attempts, job.summary)
"""


def _redis():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379")
    return client


def _manage(env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "dangjian.manage", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""


def test_a_job_queued_on_redis_is_run_by_the_rq_worker_and_the_caches_live_there_too(tmp_path: Path):
    client = _redis()
    client.flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dangjian.settings",
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DANGJIAN_VAR_DIR": str(tmp_path),
        "DANGJIAN_MEDIA_ROOT": str(tmp_path / "media"),
        "DANGJIAN_TLS": "0",
    }
    try:
        _manage(env, "migrate", "-v0")
        pk, status = _manage(env, "shell", "--no-imports", "-c", SETUP).split()[-2:]
        assert status == "queued"
        # on Redis, not in the database queue: RQ's queue holds it until a worker takes it
        assert client.llen("rq:queue:default") == 1
        # both caches on the same Redis, shared by every process and node (issue 20 part 3)
        assert _manage(env, "shell", "--no-imports", "-c", CACHES) == "RedisCache RedisCache None 1"
        assert client.llen("rq:queue:default") == 1
        assert _manage(env, "shell", "--no-imports", "-c", STATUS).startswith("queued 0")
        _manage(env, "worker", "--batch")
        done, attempts, *summary = _manage(env, "shell", "--no-imports", "-c", STATUS).split()
        assert (done, attempts) == ("done", "1") and "已预热" in " ".join(summary)
        assert client.llen("rq:queue:default") == 0
    finally:
        client.flushdb()
