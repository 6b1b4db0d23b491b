"""Jobs: the upload page's import, the yearly report, 月提醒 and the warm-up run as jobs of their owner; the page
shows their progress, their error or their result; nobody sees another's job; the database queue's worker runs
what the web queued."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.core.management import call_command
from django.test import override_settings

from dangjian.jobs import services
from dangjian.jobs.models import Job, JobKind, JobStatus
from dangjian.members.models import Member
from dangjian.members.tests.factories import roster_row, write_roster

pytestmark = pytest.mark.django_db


def _upload(client, tmp_path, rows) -> str:
    path = write_roster(tmp_path / "名册.xlsx", rows)
    with path.open("rb") as fh:
        r = client.post("/members/import/", {"step": "upload", "file": fh})
    assert r.status_code == 302
    return r["Location"].split("preview=")[1]


def test_an_import_confirmed_on_the_upload_page_runs_as_a_job_with_its_progress_and_result(
    cast, login, tmp_path
):
    c = login(cast["admin_a"])
    token = _upload(c, tmp_path, [roster_row("A", 姓名="新党员甲"), roster_row("A", 姓名="新党员乙")])
    r = c.post("/members/import/", {"step": "confirm", "token": token})
    job = Job.objects.get()
    assert r["Location"] == f"/jobs/{job.pk}/"
    assert (job.owner, job.kind, job.status) == (cast["admin_a"], JobKind.IMPORT, JobStatus.DONE)
    assert (job.done, job.total, job.stage) == (2, 2, "完成")
    assert Member.objects.filter(name__in=["新党员甲", "新党员乙"]).count() == 2
    page = c.get(r["Location"]).content.decode()
    assert "完成" in page and "导入完成：共 2 行" in page and 'href="/members/"' in page
    assert "hx-get" not in page  # a finished job is not polled any more
    assert job.title in c.get("/jobs/").content.decode()


def test_a_failed_import_job_shows_its_error_and_the_way_back_to_the_preview(cast, login, tmp_path):
    c = login(cast["admin_a"])
    token = _upload(c, tmp_path, [roster_row("A", 姓名="新党员甲"), roster_row("B", 姓名="新党员乙")])
    r = c.post("/members/import/", {"step": "confirm", "token": token})
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and "文件中仍有错误，未导入任何数据" in job.error
    assert "管理范围" in job.error  # the row's own message
    page = c.get(r["Location"]).content.decode()
    assert 'role="alert"' in page and "未导入任何数据" in page
    assert f"/members/import/?preview={token}" in page
    assert not Member.objects.filter(name="新党员甲").exists()


def test_a_user_sees_only_their_own_jobs(cast, login):
    job = services.enqueue(cast["admin_a"], JobKind.WARM, "甲的任务")
    services.enqueue(cast["admin_b"], JobKind.WARM, "乙的任务")
    for who in ("admin_b", "bureau", "inspector"):
        c = login(cast[who])
        for url in (f"/jobs/{job.pk}/", f"/jobs/{job.pk}/progress/", f"/jobs/{job.pk}/download/"):
            assert c.get(url).status_code == 404, (who, url)
        assert "甲的任务" not in c.get("/jobs/").content.decode()
    assert "乙的任务" in login(cast["admin_b"]).get("/jobs/").content.decode()


def test_the_progress_fragment_shows_the_stage_and_rows_while_running_and_keeps_polling(cast, login):
    job = Job.objects.create(
        owner=cast["admin_a"], kind=JobKind.IMPORT, title="导入", status=JobStatus.RUNNING
    )
    recorder = services._Recorder(job.pk)
    recorder("写入党员", 30, 120)
    recorder("写入党员", 31, 120)  # throttled: the page still shows 30 until the next write
    html = login(cast["admin_a"]).get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "写入党员" in html and "已处理 30 / 120 行（25%）" in html
    assert f'hx-get="/jobs/{job.pk}/progress/"' in html and 'value="25"' in html


def test_the_yearly_report_job_leaves_a_docx_for_its_owner_to_download(cast, login):
    c = login(cast["admin_a"])
    r = c.post("/jobs/new/report/", {"year": "2025"})
    job = Job.objects.get()
    assert r["Location"] == f"/jobs/{job.pk}/" and job.status == JobStatus.DONE, job.error
    assert job.result_file is not None and job.result_file.uploaded_by == cast["admin_a"]
    d = c.get(f"/jobs/{job.pk}/download/")
    assert d.status_code == 200 and b"".join(d.streaming_content)[:2] == b"PK"
    assert "2025" in d["Content-Disposition"] and ".docx" in d["Content-Disposition"]
    assert login(cast["admin_b"]).get(f"/jobs/{job.pk}/download/").status_code == 404
    assert c.post("/jobs/new/report/", {"year": "20x5"}).status_code == 400


def test_remind_and_warm_run_as_jobs_for_the_bureau(cast, login):
    c = login(cast["bureau"])
    c.post("/jobs/new/remind/", {"month": "2026-01"})
    c.post("/jobs/new/warm/")
    remind, warm = Job.objects.order_by("pk")
    assert remind.status == JobStatus.DONE and "2026年1月提醒" in remind.summary, remind.error
    assert warm.status == JobStatus.DONE and warm.total >= 1 and warm.done == warm.total
    assert c.post("/jobs/new/remind/", {"month": "2026"}).status_code == 400


def test_an_unexpected_error_fails_the_job_with_a_chinese_message_and_a_log_entry(cast, monkeypatch, caplog):
    def broken(job):
        raise RuntimeError("boom")

    monkeypatch.setitem(services.RUNNERS, JobKind.WARM, broken)
    with caplog.at_level(logging.ERROR):
        job = services.enqueue(cast["bureau"], JobKind.WARM, "预热")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == services.INTERNAL_ERROR
    assert "boom" in caplog.text and job.finished_at is not None


def test_warm_command_keeps_its_output_plain_and_json(cast):
    out = io.StringIO()
    call_command("warm", "--json", stdout=out)
    assert json.loads(out.getvalue())["warmed"] >= 1 and out.getvalue().count("\n") == 1
    out = io.StringIO()
    call_command("warm", stdout=out)
    assert out.getvalue().startswith("已预热")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_commands_draw_a_bar_on_a_terminal_but_never_with_json(cast, tmp_path, capsys):
    out = _Terminal()
    call_command("report", "--year", "2025", "--out", str(tmp_path / "r.docx"), stdout=out)
    assert "统计数据" in capsys.readouterr().err or "生成文件" in capsys.readouterr().err
    assert "已生成" in out.getvalue() and "统计数据" not in out.getvalue()
    out = _Terminal()
    call_command("report", "--year", "2025", "--json", stdout=out)
    assert capsys.readouterr().err == ""
    json.loads(out.getvalue())
    call_command("report", "--year", "2025", "--json", stdout=io.StringIO())  # not a terminal: no bar
    assert capsys.readouterr().err == ""


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_worker_runs_what_the_web_queued(cast, login):
    """The web only queues (the job survives the web process); `dangjian worker` runs it from the database."""
    with override_settings(
        DANGJIAN_JOBS_EAGER=False,
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
    ):
        c = login(cast["bureau"])
        r = c.post("/jobs/new/warm/")
        job = Job.objects.get()
        assert r["Location"] == f"/jobs/{job.pk}/" and job.status == JobStatus.QUEUED and job.task_id
        assert "等待后台任务进程处理" in c.get(r["Location"]).content.decode()
        call_command("worker", "--batch", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done == job.total >= 1, job.error
    assert "已预热" in c.get(f"/jobs/{job.pk}/").content.decode()


def test_the_annual_report_page_offers_the_report_as_a_job_for_its_scope(cast, login):
    c = login(cast["admin_a"])
    html = c.get("/reports/annual/?year=2025").content.decode()
    assert 'action="/jobs/new/report/"' in html and 'id="report-as-job"' in html
    r = c.post("/jobs/new/report/", {"year": "2025", "org": str(cast["b"].pk)})
    assert r.status_code == 404 and not Job.objects.exists()  # another branch: nothing queued


def test_an_export_over_the_threshold_runs_as_a_job_with_the_same_filters_and_scope(cast, login, settings):
    import openpyxl

    settings.DANGJIAN_EXPORT_JOB_ROWS = 2
    c = login(cast["admin_a"])
    small = c.get("/members/?export=xlsx&q=甲支部党员1")  # under the threshold: downloaded at once
    assert small.status_code == 200 and not Job.objects.exists()
    r = c.get("/members/?export=xlsx")
    job = Job.objects.get()
    assert r["Location"] == f"/jobs/{job.pk}/" and job.kind == JobKind.EXPORT
    assert job.status == JobStatus.DONE and job.done == job.total == 3, job.error
    d = c.get(f"/jobs/{job.pk}/download/")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(d.streaming_content))).worksheets[0]
    from dangjian.members.roster import HEADER

    names = {row[HEADER.index("姓名")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"甲支部党员0", "甲支部党员1", "甲支部党员2"}  # branch A only: the owner's scope


def test_queuing_a_job_is_audited_without_the_upload_token(cast):
    from dangjian.core.models import AuditEntry

    job = services.enqueue(cast["bureau"], JobKind.WARM, "缓存预热", {"token": "secret-token", "x": 1})
    entry = AuditEntry.objects.get(action="job.create")
    assert (entry.actor_id, entry.object_id, entry.note) == (cast["bureau"].pk, str(job.pk), "缓存预热")
    assert "secret-token" not in json.dumps(entry.changes, ensure_ascii=False)
    assert entry.changes["params"][1] == {"token": "***", "x": 1}


def _stuck(cast, *, attempts: int, minutes: int) -> Job:
    from datetime import timedelta

    from django.utils import timezone

    at = timezone.now() - timedelta(minutes=minutes)
    return Job.objects.create(
        owner=cast["bureau"],
        kind=JobKind.WARM,
        title="缓存预热",
        status=JobStatus.RUNNING,
        started_at=at,
        heartbeat_at=at,
        attempts=attempts,
    )


def test_a_job_whose_worker_died_is_queued_again_and_runs(cast, login):
    from dangjian.core.models import AuditEntry

    quiet = _stuck(cast, attempts=1, minutes=1)  # its worker still beats: left alone
    dead = _stuck(cast, attempts=1, minutes=6)
    page = login(cast["bureau"]).get(f"/jobs/{dead.pk}/")  # opening it notices (as the worker's start does)
    assert page.status_code == 200
    dead.refresh_from_db()
    quiet.refresh_from_db()
    assert quiet.status == JobStatus.RUNNING
    # queued again and (eager in tests) run at once by a worker: a second attempt, done
    assert (dead.status, dead.attempts) == (JobStatus.DONE, 2)
    assert AuditEntry.objects.filter(action="job.reclaim", object_id=str(dead.pk)).exists()


def test_a_job_that_keeps_losing_its_worker_fails_with_a_message_instead_of_running_forever(cast):
    job = _stuck(cast, attempts=services.MAX_ATTEMPTS, minutes=10)
    assert services.reclaim_stale() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "请重新提交" in job.error and job.finished_at


def test_a_job_delivered_twice_runs_once(cast, monkeypatch):
    job = services.enqueue(cast["bureau"], JobKind.WARM, "缓存预热")
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)
    ran = []
    monkeypatch.setitem(services.RUNNERS, JobKind.WARM, lambda j: ran.append(j) or services.Outcome())
    services.run(job.pk)
    assert ran == []


@pytest.mark.django_db(transaction=True)
def test_a_running_job_beats_while_its_work_holds_a_transaction_open(monkeypatch):
    import time as _time

    from django.db import transaction

    from dangjian.factories import cast as build_cast

    monkeypatch.setattr(services, "HEARTBEAT_SECONDS", 0.05)
    cast = build_cast()
    seen = []

    def slow(job):
        with transaction.atomic():  # as an import's write phase
            Member.objects.filter(pk__lt=0).update(name="x")  # holds the write lock on SQLite
            _time.sleep(0.4)
            seen.append(services.last_beat(Job.objects.get(pk=job.pk)))
        return services.Outcome()

    monkeypatch.setitem(services.RUNNERS, JobKind.WARM, slow)
    job = Job.objects.create(owner=cast["bureau"], kind=JobKind.WARM, title="缓存预热")
    services.run(job.pk)
    job.refresh_from_db()
    # it beat while the work ran (after the claim), and a reclaim at that moment would have left it alone
    assert job.status == JobStatus.DONE and seen[0] > job.started_at


def test_a_big_ledger_workbook_is_made_as_a_job_of_its_owner_in_their_scope(cast, login, settings):
    from datetime import date

    import openpyxl

    from dangjian.activities.models import Activity
    from dangjian.core.models import AuditEntry

    for i in range(3):
        Activity.objects.create(organization=cast["a"], date=date(2026, 3, i + 1), topic=f"甲支部会议{i}")
    Activity.objects.create(organization=cast["b"], date=date(2026, 3, 1), topic="乙支部会议")
    settings.DANGJIAN_EXPORT_JOB_ROWS = 3
    c = login(cast["admin_a"])
    r = c.get(f"/reports/ledgers/?org={cast['a'].pk}&year=2026&download=ledger")
    assert r.status_code == 200 and not Job.objects.exists()  # three records: downloaded at once
    Activity.objects.create(organization=cast["a"], date=date(2026, 4, 1), topic="甲支部会议3")
    r = c.get(f"/reports/ledgers/?org={cast['a'].pk}&year=2026&download=ledger")
    job = Job.objects.get()
    assert r["Location"] == f"/jobs/{job.pk}/" and job.kind == JobKind.EXPORT
    assert job.status == JobStatus.DONE and (job.done, job.total) == (4, 4), job.error
    d = c.get(f"/jobs/{job.pk}/download/")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(d.streaming_content))).worksheets[0]
    topics = {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert topics == {"甲支部会议0", "甲支部会议1", "甲支部会议2", "甲支部会议3"}
    assert AuditEntry.objects.filter(action="ledger.export", actor=cast["admin_a"]).count() == 2
    # another branch's 台账 is out of scope, as a job too
    assert c.get(f"/reports/ledgers/?org={cast['b'].pk}&year=2026&download=ledger").status_code == 404
    assert login(cast["admin_b"]).get(f"/jobs/{job.pk}/download/").status_code == 404
