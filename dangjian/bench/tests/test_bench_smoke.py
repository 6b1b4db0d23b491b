"""`dangjian bench --scale small --json` runs end to end on its own scratch database and reports every key of
design §4 / issue 7 (the figures themselves are not asserted: they depend on the machine)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection

KEYS = {
    "compliance_s",
    "compliance_floor_s",
    "compliance_cold_s",
    "dashboard_cold_ms",
    "members_cold_ms",
    "remind_cold_s",
    "report_cold_s",
    "import_rows_per_s",
    "import_floor_rows_per_s",
    "import_peak_rss_mb",
    "ledger_rows_per_s",
    "ledger_floor_rows_per_s",
    "ledger_peak_rss_mb",
    "dashboard_p95_ms",
    "dashboard_queries",
    "members_p95_ms",
    "remind_s",
    "report_s",
    "load",
    "scale",
    "database",
    "machine",
}


def test_bench_small_reports_every_key_and_leaves_the_users_database_alone():
    user_db = Path(settings.DATABASES["default"]["NAME"])
    before = user_db.stat().st_mtime if user_db.exists() else None
    out = io.StringIO()
    call_command("bench", scale="small", json=True, stdout=out)
    data = json.loads(out.getvalue())  # exactly one JSON document
    assert KEYS <= set(data)
    engine = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    assert data["scale"] == "small" and data["database"] == engine
    for key in KEYS - {"load", "scale", "database", "machine"}:
        assert isinstance(data[key], (int, float)) and data[key] > 0, key
    assert data["load"] is None  # only with --load
    assert data["data"]["organizations"] > 40 and data["data"]["attendance"] > 0
    assert (user_db.stat().st_mtime if user_db.exists() else None) == before


def test_keep_names_are_checked_before_anything_is_created():
    import pytest
    from django.core.management.base import CommandError

    for bad in ("Bad-Name", "1abc", "x" * 60, "a;drop"):
        with pytest.raises(CommandError) as exc:
            call_command("bench", scale="small", keep=bad, stdout=io.StringIO())
        assert exc.value.returncode == 2 and "--keep" in str(exc.value)


def test_the_workers_resident_size_is_read_from_the_masters_children():
    import os
    import subprocess
    import sys

    from dangjian.bench.measure import _workers_rss_mb

    # The child says when its 64 MB are in place: a fixed sleep was too short on a loaded machine.
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; b = bytearray(64 << 20); print('ready', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        assert _workers_rss_mb(os.getpid()) >= 64  # the child holds 64 MB
    finally:
        child.kill()
        child.wait()
    assert _workers_rss_mb(2**22 + 12345) is None  # no such process
