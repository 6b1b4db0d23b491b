"""A read replica (issue 20 part 3): the dashboard, the report and exports read from it; the data versions come
from the primary, and a memoised figure is computed on the primary while the replica lags behind — proven in a
child process whose primary and replica are two SQLite files, the replica a copy taken before a write."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.core.checks import Warning
from django.test import override_settings

from dangjian.core import checks

CHILD = r"""
import sqlite3, sys
import django
django.setup()
from django.db import connections
from django.test import Client
from dangjian.core import memo, replica
from dangjian.factories import cast
from dangjian.members.models import Member

primary, copy = sys.argv[1], sys.argv[2]

def sync():
    connections["replica"].close()
    src, dst = sqlite3.connect(primary), sqlite3.connect(copy)
    src.backup(dst)
    src.close(); dst.close()

people = cast()
sync()
from dangjian import factories
factories.member(people["a"], "新党员")
count = lambda: Member.objects.count()
print("primary", count())
with replica.reads():
    print("routed", count())  # the ORM reads the replica: one member fewer
    print("memo", memo.memoized("t", (), ["members_member"], count))  # the replica lags: on the primary
sync()
with replica.reads():
    print("caught-up", memo.memoized("t", (), ["members_member"], count))
c = Client()
c.force_login(people["bureau"])
print("dashboard", c.get("/reports/dashboard/").status_code)
"""


def test_reads_go_to_the_replica_and_a_lagging_replica_never_feeds_the_memo(tmp_path: Path):
    primary, copy = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dangjian.settings",
        "DATABASE_URL": f"sqlite:///{primary}",
        "DATABASE_REPLICA_URL": f"sqlite:///{copy}",
        "DANGJIAN_VAR_DIR": str(tmp_path),
        "DANGJIAN_MEDIA_ROOT": str(tmp_path / "media"),
        "DANGJIAN_TLS": "0",
        "DANGJIAN_PLAIN_STATIC": "1",
    }
    env.pop("REDIS_URL", None)
    run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, *a], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    migrated = run("-m", "dangjian.manage", "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    out = run("-c", CHILD, str(primary), str(copy))
    assert out.returncode == 0, out.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in out.stdout.split("\n") if line.strip())
    total = int(lines["primary"])
    assert int(lines["routed"]) == total - 1
    assert int(lines["memo"]) == total and int(lines["caught-up"]) == total
    assert lines["dashboard"] == "200"


def test_deploy_check_warns_about_state_kept_on_one_machine_with_several_nodes(settings):
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    with override_settings(DANGJIAN_NODES=1, CACHES={"default": local, "memo": local}):
        assert checks.shared_state_with_several_nodes(None) == []
    with override_settings(DANGJIAN_NODES=2, CACHES={"default": local, "memo": local}):
        found = checks.shared_state_with_several_nodes(None)
    assert all(isinstance(w, Warning) for w in found)
    ids = [w.id for w in found]
    assert ids.count("dangjian.W010") == 2 and "dangjian.W011" in ids
    redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/13",
    }
    with override_settings(DANGJIAN_NODES=2, CACHES={"default": redis, "memo": redis}):
        assert "dangjian.W010" not in [w.id for w in checks.shared_state_with_several_nodes(None)]
