"""In chromium at phone width: an import confirmed on the upload page becomes a job; its page shows it queued,
and — without a reload — its progress bar reaches 完成 once the worker has run it, with the link to the result."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from dangjian.jobs.models import Job, JobStatus
from dangjian.members.models import Member
from dangjian.members.tests.factories import roster_row, write_roster

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_page_import_runs_as_a_job_whose_page_updates_to_done(
    cast, live_server, phone_page, browser_login, horizontal_overflow, tmp_path
):
    roster = write_roster(
        tmp_path / "名册.xlsx", [roster_row("A", 姓名="周新民"), roster_row("A", 姓名="吴晓燕")]
    )
    p = phone_page
    with override_settings(
        DANGJIAN_JOBS_EAGER=False,
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
    ):
        browser_login(p, cast["admin_a"].username)
        p.goto(f"{live_server.url}/members/import/")
        p.set_input_files("#id_file", str(roster))
        with p.expect_navigation():
            p.click("text=上传并预览")
        with p.expect_navigation():
            p.click("#confirm-import")
        assert "/jobs/" in p.url
        status = p.locator("#job-progress [data-status]")
        assert status.get_attribute("data-status") == JobStatus.QUEUED
        assert p.locator("#job-progress progress").count() == 1
        assert horizontal_overflow(p) == 0
        # the worker, as `dangjian worker --batch` (in this thread: it installs signal handlers); the browser
        # keeps polling meanwhile
        call_command("worker", "--batch", stdout=io.StringIO())
        # htmx polls the fragment: the page turns to 完成 by itself
        p.wait_for_selector('#job-progress [data-status="done"]', timeout=15_000)
    assert "完成" in p.locator("#job-progress").inner_text()
    assert "导入完成：共 2 行" in p.locator("#job-progress").inner_text()
    assert p.locator("#job-progress progress").get_attribute("value") == "100"
    assert Job.objects.get().status == JobStatus.DONE
    with p.expect_navigation():
        p.click("#job-result-page")
    assert p.url == f"{live_server.url}/members/"
    assert Member.objects.filter(name__in=["周新民", "吴晓燕"]).count() == 2
