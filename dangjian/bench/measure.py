"""The measurements of `dangjian bench` (issue 7), each beside its floor, run inside the scratch database.

Every figure is the median (or the p50/p95) of several runs. The import runs in a fresh child process (its peak
RSS is that process's own) inside a transaction that is rolled back, so that each run imports the same rows.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.core.periods import Period

SCALES: dict[str, dict[str, int]] = {
    "small": {
        "orgs": 40,
        "members": 1000,
        "years": 1,
        "import_rows": 1000,
        "ledger_rows": 1000,
        "runs": 3,
        "page_runs": 5,
    },
    "city": {
        "orgs": 2000,
        "members": 60000,
        "years": 3,
        "import_rows": 60000,
        "ledger_rows": 160000,
        "runs": 3,
        "page_runs": 20,
        "import_runs": 2,
    },
    "city10": {
        "orgs": 20000,
        "members": 600000,
        "years": 3,
        "import_rows": 60000,
        "ledger_rows": 160000,
        "runs": 2,
        "page_runs": 20,
    },
}


def timed(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# --- compliance --------------------------------------------------------------------------------------------
def compliance_floor_sql() -> str:
    month = "strftime('%%m', a.date)" if connection.vendor == "sqlite" else "EXTRACT(MONTH FROM a.date)"
    return (
        f"SELECT a.organization_id, ak.activitykind_id, {month}, COUNT(*) "
        "FROM activities_activity a JOIN activities_activity_kinds ak ON ak.activity_id = a.id "
        "WHERE a.is_deleted = %s AND a.date >= %s AND a.date <= %s AND (a.quorum_met IS NULL OR a.quorum_met = %s) "
        f"GROUP BY a.organization_id, ak.activitykind_id, {month}"
    )


def measure_compliance(year: int, runs: int) -> tuple[float, float, float]:
    """(median, floor median, first run). The first run computes every period afresh (nothing memoised yet,
    `compliance.periodcache`); later runs reuse the ended periods, as the pages and commands of a running
    system do. The first run is reported too (`compliance_cold_s`)."""
    from dangjian.compliance.services import evaluate
    from dangjian.core import memo

    period = Period.whole_year(year)

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(compliance_floor_sql(), [False, period.start, period.end, True])
            cursor.fetchall()

    memo.clear(shared=False)
    cold = timed(lambda: evaluate(period), 1)
    return timed(lambda: evaluate(period), runs), timed(floor, runs), cold


# --- roster import -----------------------------------------------------------------------------------------
def _import_child(path: str, conn: Any) -> None:
    import resource

    import django

    django.setup()
    from dangjian.core.importing import run_import
    from dangjian.members.roster import RosterImporter

    t = time.perf_counter()
    with transaction.atomic():
        report = run_import(RosterImporter(actor_name="bench"), path)
        transaction.set_rollback(True)
    elapsed = time.perf_counter() - t
    rss_mb = _peak_rss_mb(resource)
    conn.send(
        {
            "elapsed": elapsed,
            "rss_mb": rss_mb,
            "rows": report.rows,
            "rejected": report.rejected,
            "errors": [e.message for e in report.errors[:3]],
        }
    )
    conn.close()


def _status_mb(pid: int | str, field: str) -> float | None:
    """A size from Linux's /proc/<pid>/status (VmHWM, VmRSS, …) in MB; None where there is no /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _peak_rss_mb(resource: Any) -> float:
    """This process's own peak RSS. Linux keeps `ru_maxrss` across exec, so a child spawned from a large
    parent would report the parent's size; VmHWM belongs to the new address space."""
    peak = _status_mb("self", "VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_import(rows: int, runs: int, work: Path) -> tuple[float, float, float]:
    from python_calamine import CalamineWorkbook

    from dangjian.demo.roster_gen import write_roster_workbook
    from dangjian.orgs.models import BRANCH_KINDS, Organization

    codes = list(
        Organization.objects.filter(kind__in=BRANCH_KINDS).order_by("path").values_list("code", flat=True)
    )
    path = work / "roster.xlsx"
    write_roster_workbook(path, rows, codes, seed=7)

    def floor() -> None:
        CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()

    floor_s = timed(floor, runs)
    connections.close_all()  # the child opens its own; SQLite must not see an open transaction here
    ctx = multiprocessing.get_context("spawn")
    elapsed, peaks = [], []
    for _ in range(runs):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_import_child, args=(str(path), child))
        proc.start()
        result = parent.recv()
        proc.join()
        if result["rejected"] or result["rows"] != rows:
            raise RuntimeError(f"导入测试未全部通过校验：{result}")
        elapsed.append(result["elapsed"])
        peaks.append(result["rss_mb"])
    return rows / statistics.median(elapsed), rows / floor_s, max(peaks)


# --- 台账 import --------------------------------------------------------------------------------------------
def _ledger_child(path: str, conn: Any) -> None:
    import resource

    import django

    django.setup()
    from dangjian.activities.importer import ActivityImporter
    from dangjian.core.importing import run_import

    t = time.perf_counter()
    with transaction.atomic():
        report = run_import(ActivityImporter(actor_name="bench"), path)
        transaction.set_rollback(True)
    elapsed = time.perf_counter() - t
    conn.send(
        {
            "elapsed": elapsed,
            "rss_mb": _peak_rss_mb(resource),
            "rows": report.rows,
            "rejected": report.rejected,
            "errors": [e.message for e in report.errors[:3]],
        }
    )
    conn.close()


def measure_ledger_import(rows: int, years: int, runs: int, work: Path) -> tuple[float, float, float]:
    """(rows/s, bare-read rows/s, peak RSS MB) of `import_activities` over a generated 台账 of `rows` rows,
    each run in a fresh child process inside a transaction that is rolled back."""
    from python_calamine import CalamineWorkbook

    from dangjian.demo.ledger_gen import branches_of_database, write_ledger_workbook

    path = work / "ledger.xlsx"
    write_ledger_workbook(path, rows, branches_of_database(years), seed=11)

    def floor() -> None:
        CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()

    floor_s = timed(floor, runs)
    connections.close_all()
    ctx = multiprocessing.get_context("spawn")
    elapsed, peaks = [], []
    for _ in range(runs):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_ledger_child, args=(str(path), child))
        proc.start()
        result = parent.recv()
        proc.join()
        if result["rejected"] or result["rows"] != rows:
            raise RuntimeError(f"台账导入测试未全部通过校验：{result}")
        elapsed.append(result["elapsed"])
        peaks.append(result["rss_mb"])
    return rows / statistics.median(elapsed), rows / floor_s, max(peaks)


# --- pages -------------------------------------------------------------------------------------------------
def bureau_user() -> Any:
    from dangjian.accounts.models import User

    return User.objects.get(username="dangjianban")


def measure_page(client: Client, url: str, runs: int) -> tuple[float, float, int, float]:
    """(p50, p95, queries, first render). The first render fills the memoised data (`core.memo`)."""
    t = time.perf_counter()
    client.get(url)  # warm-up: templates, memoised data
    cold = (time.perf_counter() - t) * 1000
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"{url} 返回 {r.status_code}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return pct(times, 0.5), pct(times, 0.95), len(ctx.captured_queries), cold


# --- batch work --------------------------------------------------------------------------------------------
def measure_remind(runs: int) -> tuple[float, float]:
    from dangjian.notify import monthly, services

    today = timezone.localdate()
    month = Period.month(today.year, today.month)

    def once() -> None:
        items = monthly.build(month)  # read-only, as the command runs it: outside the delivery's transaction
        with transaction.atomic():
            services.deliver(month, items)
            transaction.set_rollback(True)

    first = first_run(once)
    return timed(once, runs), first


def measure_report(year: int, runs: int) -> tuple[float, float]:
    from dangjian.reports import annual

    def once() -> None:
        annual.build(year).to_document()

    first = first_run(once)
    return timed(once, runs), first


def first_run(fn: Callable[[], Any]) -> float:
    """The time of a run that finds nothing memoised (`core.memo`): a worst case reported beside the median."""
    from dangjian.core import memo

    memo.clear(shared=False)
    return timed(fn, 1)


# --- load --------------------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workers_rss_mb(master: int) -> float | None:
    """The largest resident size among the gunicorn workers after the load: what the memoised data costs each
    worker process (Linux /proc; None elsewhere)."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return None
    sizes = [size for pid in children if (size := _status_mb(pid, "VmRSS")) is not None]
    return round(max(sizes), 1) if sizes else None


def measure_load(
    urls: list[str], session_cookie: str, seconds: float = 30, clients: int = 20
) -> dict[str, Any]:
    port = _free_port()
    env = dict(os.environ, DANGJIAN_TLS="0", DEBUG="0", ALLOWED_HOSTS="127.0.0.1")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "dangjian.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "3",
            "--threads",
            "4",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        latencies: list[float] = []
        errors = [0]
        lock = threading.Lock()
        stop = time.monotonic() + seconds
        headers = {"Cookie": f"sessionid={session_cookie}", "Host": "127.0.0.1"}

        def worker(i: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            n = i
            while time.monotonic() < stop:
                url = urls[n % len(urls)]
                n += 1
                t = time.perf_counter()
                try:
                    conn.request("GET", url, headers=headers)
                    r = conn.getresponse()
                    r.read()
                    ok = r.status == 200
                except (OSError, http.client.HTTPException):
                    ok = False
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    latencies.append(ms)
                    errors[0] += 0 if ok else 1
            conn.close()

        started = time.monotonic()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.monotonic() - started
        return {
            "rps": round(len(latencies) / wall, 1),
            "p95_ms": round(pct(latencies, 0.95), 1) if latencies else None,
            "errors": errors[0],
            "requests": len(latencies),
            "clients": clients,
            "seconds": seconds,
            "worker_rss_mb": _workers_rss_mb(proc.pid),
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_all(scale: str, load: bool, log: Callable[[str], None]) -> dict[str, Any]:
    from dangjian.orgs.models import BRANCH_KINDS, Organization

    cfg = SCALES[scale]
    t0 = time.monotonic()
    inner = log

    def log(msg: str) -> None:
        inner(f"[{time.monotonic() - t0:6.1f}s] {msg}")

    year = timezone.localdate().year
    out: dict[str, Any] = {}
    log("测量：合规计算……")
    out["compliance_s"], out["compliance_floor_s"], out["compliance_cold_s"] = measure_compliance(
        year, cfg["runs"]
    )
    with tempfile.TemporaryDirectory(prefix="dangjian-bench-") as tmp:
        log("测量：名册导入……")
        out["import_rows_per_s"], out["import_floor_rows_per_s"], out["import_peak_rss_mb"] = measure_import(
            cfg["import_rows"], cfg.get("import_runs", cfg["runs"]), Path(tmp)
        )
        log("测量：台账导入……")
        out["ledger_rows_per_s"], out["ledger_floor_rows_per_s"], out["ledger_peak_rss_mb"] = (
            measure_ledger_import(
                cfg["ledger_rows"], cfg["years"], cfg.get("import_runs", cfg["runs"]), Path(tmp)
            )
        )
    client = Client()
    client.force_login(bureau_user())
    log("测量：页面……")
    p50, p95, q, cold = measure_page(client, "/reports/dashboard/", cfg["page_runs"])
    out.update(dashboard_p50_ms=p50, dashboard_p95_ms=p95, dashboard_queries=q, dashboard_cold_ms=cold)
    p50, p95, q, cold = measure_page(client, "/members/", cfg["page_runs"])
    out.update(members_p50_ms=p50, members_p95_ms=p95, members_queries=q, members_cold_ms=cold)
    log("测量：月度提醒与年度报告……")
    out["remind_s"], out["remind_cold_s"] = measure_remind(cfg["runs"])
    out["report_s"], out["report_cold_s"] = measure_report(year, cfg["runs"])
    if load:
        log("测量：并发负载（20 个客户端，30 秒）……")
        branch = Organization.objects.filter(kind__in=BRANCH_KINDS).order_by("-path").first()
        urls = ["/reports/dashboard/", "/members/", f"/orgs/{branch.pk}/"]
        for url in urls:  # as a running system is: the pages' shared results exist (core.memo)
            client.get(url)
        out["load"] = measure_load(urls, client.cookies["sessionid"].value)
    else:
        out["load"] = None
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}
