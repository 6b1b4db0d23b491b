"""The 台账 import writes set-based (issue 20 part 2): batches of bulk inserts that leave the same records,
attendance, review steps and audit entries as the form's service, a valid audit chain, bumped data versions and
progress reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.activities.importer import ActivityImporter
from dangjian.activities.models import Activity, Attendance, ReviewStep
from dangjian.activities.tests.test_import import HEADER, book, good_rows
from dangjian.core import audit, progress, stamps
from dangjian.core.importing import run_import
from dangjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 5, 20), tick=False):
        yield


def many_rows(n: int) -> list[list]:
    return [
        ["A", "主题党日", date(2025, 1 + i % 12, 1 + i % 28), f"主题{i}", "张书记", 3, 3, None, None]
        for i in range(n)
    ]


def test_bulk_import_leaves_what_the_service_leaves(cast, tmp_path: Path):
    report = run_import(ActivityImporter(actor_name="台账导入"), book(tmp_path, *good_rows(cast)))
    assert report.written and report.created == 3
    first = Activity.objects.get(topic="学习全会精神")
    assert first.status == "approved" and first.reviewed_at is not None and first.version == 1
    assert first.attendance.count() == 3 and first.attendance.filter(present=False).count() == 1
    step = ReviewStep.objects.get(activity=first)
    assert (step.from_status, step.to_status, step.action) == ("draft", "approved", "approve")
    creates = AuditEntry.objects.filter(model="activities.activity", action="activity.create")
    assert creates.count() == 3
    entry = creates.get(object_id=str(first.pk))
    assert entry.changes["topic"] == [None, "学习全会精神"] and "应到 3 人，实到 2 人" in entry.note
    assert AuditEntry.objects.filter(action="system.import").count() == 1
    assert audit.verify(checkpoint=False).ok


def test_queries_do_not_grow_with_rows_and_the_chain_and_stamps_follow(cast, tmp_path: Path):
    topic = stamps.month_topic(Activity, 2025, 3)
    before = stamps.versions([topic])[1]
    counts = []
    for n, name in ((20, "a.xlsx"), (200, "b.xlsx")):
        rows = [[*r[:3], f"{r[3]}-{name}", *r[4:]] for r in many_rows(n)]
        with CaptureQueriesContext(connection) as ctx:
            report = run_import(ActivityImporter(actor_name="台账导入"), book(tmp_path, *rows, name=name))
        assert report.created == n and not report.errors
        counts.append(len(ctx.captured_queries))
    assert counts[1] <= counts[0] + 10, (
        counts
    )  # batched: not one activity, attendance and audit entry per row
    assert Activity.objects.count() == 220
    assert Attendance.objects.filter(activity__topic__endswith="b.xlsx").count() > 0
    assert stamps.versions([topic])[1] > before  # memoised figures of that month recompute
    assert audit.verify(checkpoint=False).ok


def test_progress_is_reported_by_stage(cast, tmp_path: Path):
    seen: list[tuple[str, int, int]] = []
    with progress.listening(lambda stage, done, total: seen.append((stage, done, total))):
        run_import(ActivityImporter(actor_name="台账导入"), book(tmp_path, *many_rows(1200)))
    stages = {s for s, _d, _t in seen}
    assert {"校验", "核对", "写入"} <= stages
    assert ("写入", 1200, 1200) in seen and ("核对", 1200, 1200) in seen


def test_header_is_the_shared_one():
    assert HEADER[0] == "党组织"


def test_the_bulk_audit_entry_is_the_snapshot_an_instance_would_give(cast, tmp_path: Path):
    """The import audits plain rows without building instances: each entry's diff must be exactly what
    `audit.created(instance)` gives for the stored record (every field, ids, dates and the times)."""
    import json

    run_import(ActivityImporter(actor_name="台账导入"), book(tmp_path, *good_rows(cast)))
    key = audit.audit_key()
    for a in Activity.objects.all():
        entry = AuditEntry.objects.get(model="activities.activity", object_id=str(a.pk))
        expected = audit.mask_changes(json.loads(json.dumps(audit.created(a), default=str)), key)
        assert entry.changes == expected
        assert entry.object_repr == str(a)
