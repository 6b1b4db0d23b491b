"""`dangjian compliance` exactly per design §4."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.management import execute_from_command_line

from dangjian import factories as f

from . import factories as cf

pytestmark = pytest.mark.django_db
PROJECT = Path(__file__).resolve().parents[3]


def cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run the command as the console entry point does (argv, exit status), in-process on the test database."""
    # run_from_argv closes every connection when it is done, which would end the test's transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    code = 0
    try:
        execute_from_command_line(["dangjian", "compliance", *args])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(cast):
    a = cast["a"]
    cast["assembly"] = cf.activity(a, date(2025, 8, 5), "branch_assembly", "theme_day", quorum_met=True)
    cast["deleted"] = cf.activity(a, date(2025, 9, 5), "theme_day", is_deleted=True)
    return cast


def rows_of(out: str) -> list[dict]:
    doc = json.loads(out)
    return doc["results"]


@time_machine.travel(date(2026, 3, 15), tick=False)
def test_year_json(data, monkeypatch, capsys):
    code, out, err = cli(monkeypatch, capsys, "--year", "2025", "--org", "A", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["range"] == "2025"
    rows = doc["results"]
    count = {k: sum(1 for r in rows if r["requirement"] == k) for k in {r["requirement"] for r in rows}}
    assert count == {
        "branch_assembly": 4,
        "branch_committee": 12,
        "group_meeting": 12,
        "party_lecture": 4,
        "theme_day": 12,
        "org_life_meeting": 1,
        "member_appraisal": 1,
        "heart_talk": 1,
    }
    assert all(
        set(r) == {"org", "requirement", "kind", "period", "required", "done", "status", "activities"}
        for r in rows
    )
    q3 = next(r for r in rows if r["requirement"] == "branch_assembly" and r["period"] == "2025Q3")
    assert q3 == {
        "org": "A",
        "requirement": "branch_assembly",
        "kind": "支部党员大会",
        "period": "2025Q3",
        "required": 1,
        "done": 1,
        "status": "达标",
        "activities": [data["assembly"].pk],
    }
    sept = next(r for r in rows if r["requirement"] == "theme_day" and r["period"] == "2025-09")
    assert (sept["status"], sept["done"], sept["activities"]) == ("未达标", 0, [])
    year = next(r for r in rows if r["requirement"] == "heart_talk")
    assert (year["period"], year["required"], year["done"], year["kind"]) == ("2025", 3, 0, "谈心谈话")


@time_machine.travel(date(2025, 8, 20), tick=False)
def test_quarter_and_month_ranges(data, monkeypatch, capsys):
    _, out, _ = cli(monkeypatch, capsys, "--year", "2025", "--quarter", "3", "--org", "A", "--json")
    doc = json.loads(out)
    assert doc["range"] == "2025Q3"
    periods = {(r["requirement"], r["period"]): r["status"] for r in doc["results"]}
    assert [p for (k, p) in periods if k == "theme_day"] == ["2025-07", "2025-08", "2025-09"]
    assert periods[("theme_day", "2025-07")] == "未达标"
    assert periods[("theme_day", "2025-08")] == "达标"
    assert periods[("theme_day", "2025-09")] == "进行中"
    assert periods[("org_life_meeting", "2025")] == "进行中"  # a yearly requirement gives its enclosing year
    _, out, _ = cli(monkeypatch, capsys, "--year", "2025", "--month", "8", "--org", "A", "--json")
    doc = json.loads(out)
    assert doc["range"] == "2025-08"
    assert {(r["requirement"], r["period"]) for r in doc["results"]} >= {
        ("theme_day", "2025-08"),
        ("branch_assembly", "2025Q3"),
        ("heart_talk", "2025"),
    }
    assert len([r for r in doc["results"] if r["requirement"] == "theme_day"]) == 1


@time_machine.travel(date(2026, 3, 15), tick=False)
def test_org_includes_the_subtree(data, monkeypatch, capsys):
    _, out, _ = cli(monkeypatch, capsys, "--year", "2025", "--month", "8", "--org", "JG", "--json")
    assert {r["org"] for r in rows_of(out)} == {"A", "B"}
    _, out, _ = cli(monkeypatch, capsys, "--year", "2025", "--month", "8", "--org", "B", "--json")
    assert {r["org"] for r in rows_of(out)} == {"B"}
    f.org("新支部", parent=data["organ"], code="NEW", founded_on=date(2025, 7, 15))
    _, out, _ = cli(monkeypatch, capsys, "--year", "2025", "--month", "7", "--json")
    new = [r for r in rows_of(out) if r["org"] == "NEW" and r["requirement"] == "theme_day"]
    assert new[0]["status"] == "不适用" and new[0]["required"] == 0
    _, out, _ = cli(monkeypatch, capsys, "--year", "2025", "--month", "8", "--json")
    new = [r for r in rows_of(out) if r["org"] == "NEW" and r["requirement"] == "theme_day"]
    assert new[0]["status"] == "未达标"


@time_machine.travel(date(2026, 3, 15), tick=False)
def test_json_is_exactly_one_document(data, monkeypatch, capsys):
    code, out, _ = cli(monkeypatch, capsys, "--year", "2025", "--json")
    assert code == 0
    json.loads(out)  # raises on anything but one document
    assert "支部党员大会" in out  # ensure_ascii=False


@time_machine.travel(date(2026, 3, 15), tick=False)
def test_text_output_in_chinese(data, monkeypatch, capsys):
    code, out, _ = cli(monkeypatch, capsys, "--year", "2025", "--quarter", "3", "--org", "A")
    assert code == 0
    assert "达标情况：2025年第三季度（2025Q3）" in out
    assert f"A\t测试第一党支部\t支部党员大会\t2025Q3\t1\t1\t达标\t{data['assembly'].pk}" in out
    assert "合计：达标" in out


@pytest.mark.parametrize(
    "args,message",
    [
        (["--year", "2025", "--month", "13"], "--month 应为 1–12"),
        (["--year", "2025", "--month", "0"], "--month 应为 1–12"),
        (["--year", "2025", "--quarter", "5"], "--quarter 应为 1–4"),
        (["--year", "25"], "--year 应为"),
        (["--year", "2025", "--org", "NOPE"], "未找到组织代码为“NOPE”"),
        (["--year", "2025", "--quarter", "1", "--month", "2"], "not allowed"),
        (["--year", "abc"], "invalid int"),
        ([], "required"),
    ],
)
def test_usage_errors_exit_2(cast, monkeypatch, capsys, args, message):
    code, out, err = cli(monkeypatch, capsys, *args)
    assert code == 2
    assert message in err
    assert out == ""


def test_console_exit_status_for_a_bad_month():
    proc = subprocess.run(
        [sys.executable, "manage.py", "compliance", "--year", "2025", "--month", "13", "--json"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
