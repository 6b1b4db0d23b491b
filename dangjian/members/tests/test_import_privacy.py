"""Issue 14 item 15: an import neither tells an org admin who is on another branch's roll, nor keeps the
uploaded roster (ID numbers, phones) once it has waited a day without being confirmed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command

from dangjian.core.importing import run_import
from dangjian.members.roster import RosterImporter

from .factories import roster_row, write_roster

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_the_message_does_not_name_or_confirm_the_other_branch(cast, tmp_path):
    in_b = cast["members_b"][0]
    row = roster_row(
        "A", 公民身份号码=in_b.id_number, 姓名=in_b.name, 入党日期=in_b.join_date, 转正日期=in_b.full_date
    )
    report = run_import(
        RosterImporter(actor=cast["admin_a"], scope_user=cast["admin_a"]),
        write_roster(tmp_path / "r.xlsx", [row]),
        dry_run=True,
    )
    (error,) = report.errors
    for leak in (
        cast["b"].name,
        cast["b"].short_name or cast["b"].name,
        "第二",
        "已在",
        "登记",
        "管理范围以外",
    ):
        assert leak not in error.message, leak
    assert "局党建管理员" in error.message


def _upload(client, tmp_path, name: str = "r.xlsx") -> str:
    path = write_roster(tmp_path / name, [roster_row("A", 姓名="新党员甲")])
    with path.open("rb") as fh:
        r = client.post("/members/import/", {"step": "upload", "file": fh})
    assert r.status_code == 302 and "preview=" in r["Location"]
    return r["Location"]


@pytest.mark.django_db
def test_unconfirmed_uploads_are_deleted_after_a_day_on_the_next_visit(cast, login, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    kept = tmp_path / "media" / "imports"
    with time_machine.travel(T0, tick=False):
        client = login(cast["admin_a"])
        preview = _upload(client, tmp_path)
        assert len(list(kept.glob("*.xlsx"))) == 1
        assert client.get(preview).status_code == 200
    # new sessions below: the idle timeout has ended the first one long before
    with time_machine.travel(T0 + timedelta(hours=23), tick=False):
        assert login(cast["admin_b"]).get("/members/import/").status_code == 200
        assert len(list(kept.glob("*.xlsx"))) == 1  # still kept within the day
    with time_machine.travel(T0 + timedelta(hours=24, minutes=1), tick=False):
        assert (
            login(cast["admin_b"]).get("/members/import/").status_code == 200
        )  # any import page visit purges
        assert list(kept.glob("*.xlsx")) == []


@pytest.mark.django_db
def test_the_purge_command_deletes_only_what_is_older_than_a_day(cast, login, settings, tmp_path, capsys):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    kept = tmp_path / "media" / "imports"
    with time_machine.travel(T0, tick=False):
        _upload(login(cast["admin_a"]), tmp_path, "old.xlsx")
    with time_machine.travel(T0 + timedelta(hours=20), tick=False):
        _upload(login(cast["admin_a"]), tmp_path, "new.xlsx")
    with time_machine.travel(T0 + timedelta(hours=25), tick=False):
        call_command("purge_uploads", "--json")
    assert capsys.readouterr().out.strip() == '{"deleted": 1}'
    assert len(list(kept.glob("*.xlsx"))) == 1
    with time_machine.travel(T0 + timedelta(hours=45), tick=False):
        call_command("purge_uploads")
    assert "已删除 1 个" in capsys.readouterr().out
    assert list(kept.glob("*.xlsx")) == []


def test_the_purge_runs_from_cron():
    from pathlib import Path

    cron = (Path(__file__).resolve().parents[3] / "docs" / "deploy" / "cron").read_text()
    assert "purge_uploads" in cron
