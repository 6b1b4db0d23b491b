"""`dangjian import_dues` and `dangjian dues_stats` (design §4–§5): JSON shapes, exit codes, atomicity,
--skip-invalid, --errors-out, --dry-run, re-import adds nothing, and the statistics against the hand count."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian import factories
from dangjian.core.models import AuditEntry
from dangjian.core.xlsx import Sheet, iter_rows, write_workbook
from dangjian.dues.models import DuesBase, DuesPayment

from . import scenario
from .scenario import HAND, TODAY

pytestmark = pytest.mark.django_db
D = Decimal

BASE_HEADER = ["公民身份号码", "年度", "月收入", "生效月份", "减免", "减免原因"]
PAY_HEADER = ["公民身份号码", "所属月份", "金额", "缴纳日期", "方式"]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def workbook(path: Path, header: list[str], rows: list[list]) -> Path:
    write_workbook(path, [Sheet("Sheet1", header, rows, text_columns=[0])])
    return path


def run(name: str, *args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code)
    return code, out.getvalue(), err.getvalue()


def import_json(path: Path, *flags) -> tuple[int, dict]:
    code, out, _ = run("import_dues", str(path), "--json", *flags)
    return code, json.loads(out)  # exactly one JSON document on stdout


def payments_file(tmp_path, cast, name="p.xlsx") -> Path:
    a0, a1 = cast["members_a"][:2]
    return workbook(
        tmp_path / name,
        PAY_HEADER,
        [
            [a0.id_number, "2026-01", 45, "2026-01-10", "现金"],
            [a0.id_number, "2026-02", 45, date(2026, 2, 9), "转账"],
            [a0.id_number, "2026年3月", "22.50", "2026/3/8", "现金"],
            [a0.id_number, "2026-03", "22.50", "2026/3/20", "现金"],  # several payments for one month
            [a1.id_number, date(2026, 4, 1), 30, "2026-04-02", "代交"],
            [a1.id_number, "2026-12", 30, "2026-11-20", "银行转账"],  # 预交 (the branch's ledger: agreed)
        ],
    )


REPORT_KEYS = {"rows", "created", "updated", "unchanged", "rejected", "errors"}


def test_payments_import_then_reimport_adds_nothing(cast, tmp_path):
    path = payments_file(tmp_path, cast)
    code, report = import_json(path)
    assert code == 0
    assert report == {"rows": 6, "created": 6, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    a0, a1 = cast["members_a"][:2]
    assert DuesPayment.objects.filter(member=a0, month=date(2026, 3, 1)).count() == 2
    advance = DuesPayment.objects.get(member=a1, month=date(2026, 12, 1))
    assert advance.kind == "预交" and advance.method.name == "转账" and advance.source == "import"
    assert AuditEntry.objects.filter(action="duespayment.create").count() == 6
    code, report = import_json(path)
    assert code == 0 and report["unchanged"] == 6 and report["created"] == 0
    assert DuesPayment.objects.count() == 6


def test_bases_import_keys_update_and_reimport(cast, tmp_path):
    a0, a1, a2 = cast["members_a"]
    rows = [
        [a0.id_number, 2026, 4500, None, None, None],
        [a0.id_number, 2026, "5200.00", "2026-07", "否", None],
        [a1.id_number, "2026", 3000, "2026-01", "是", "领取最低生活保障金"],
    ]
    path = workbook(tmp_path / "b.xlsx", BASE_HEADER, rows)
    code, report = import_json(path)
    assert (code, report["created"], report["rejected"]) == (0, 3, 0)
    assert DuesBase.objects.get(member=a0, effective_month=7).income == D("5200.00")
    assert DuesBase.objects.get(member=a1).relief
    code, report = import_json(path)
    assert (code, report["unchanged"], report["created"]) == (0, 3, 0)
    rows[0][2] = 4800
    code, report = import_json(workbook(tmp_path / "b2.xlsx", BASE_HEADER, rows))
    assert (code, report["updated"], report["unchanged"]) == (0, 1, 2)
    updated = DuesBase.objects.get(member=a0, effective_month=1)
    assert updated.income == D("4800.00") and updated.version == 2  # a stale copy of it is refused now
    assert DuesBase.objects.get(member=a0, effective_month=7).version == 1
    assert DuesBase.objects.count() == 3


def test_import_tells_the_kinds_apart_by_header_and_synonyms(cast, tmp_path):
    a0 = cast["members_a"][0]
    path = workbook(
        tmp_path / "s.xlsx", ["身份证号", "核定年度", "月收入（元）"], [[a0.id_number, 2026, 2800]]
    )
    code, out, _ = run("import_dues", str(path))
    assert code == 0 and "党费基数" in out
    path = workbook(tmp_path / "u.xlsx", ["公民身份号码", "姓名", "金额"], [[a0.id_number, "甲", 1]])
    code, report = import_json(path)
    assert code == 1 and report["rows"] == 0 and "无法识别表格类型" in report["errors"][0]["message"]


def test_atomic_by_default_reports_what_would_happen(cast, tmp_path):
    a0 = cast["members_a"][0]
    path = workbook(
        tmp_path / "p.xlsx",
        PAY_HEADER,
        [
            [a0.id_number, "2026-01", 45, "2026-01-10", "现金"],
            [a0.id_number, "2026-02", "45.123", "2026-02-10", "现金"],
            ["110105194912310021", "2026-02", 45, "2026-02-10", "现金"],
            [a0.id_number, "2027-05", 45, "2026-11-01", "现金"],  # 预交 beyond a quarter
            [a0.id_number, "2026-03", 45, "2026-12-01", "微信支付"],
        ],
    )
    code, report = import_json(path)
    assert code == 1 and set(report) == REPORT_KEYS
    assert (report["rows"], report["created"], report["rejected"]) == (5, 1, 4)
    by_row = {}
    for e in report["errors"]:
        by_row.setdefault(e["row"], []).append(e)
        assert set(e) == {"row", "column", "value", "message"}
    assert by_row[3][0]["column"] == "金额" and "两位小数" in by_row[3][0]["message"]
    assert by_row[4][0]["column"] == "公民身份号码"
    assert by_row[5][0]["column"] == "所属月份" and "预交" in by_row[5][0]["message"]
    assert {e["column"] for e in by_row[6]} == {"缴纳日期", "方式"}  # a row may have several errors
    assert DuesPayment.objects.count() == 0


def test_skip_invalid_writes_the_valid_rows_and_errors_out(cast, tmp_path):
    a0 = cast["members_a"][0]
    path = workbook(
        tmp_path / "p.xlsx",
        PAY_HEADER,
        [
            [a0.id_number, "2026-01", 45, "2026-01-10", "现金"],
            [a0.id_number, "2026-13", 45, "2026-02-10", "现金"],
        ],
    )
    out = tmp_path / "errors.xlsx"
    code, report = import_json(path, "--skip-invalid", "--errors-out", str(out))
    assert code == 1 and (report["created"], report["rejected"]) == (1, 1)
    assert DuesPayment.objects.count() == 1
    rows = list(iter_rows(out))
    assert rows[0] == [*PAY_HEADER, "错误原因"] and len(rows) == 2
    assert rows[1][1] == "2026-13" and "第3行【所属月份】" in rows[1][-1]


def test_dry_run_reports_exactly_and_writes_nothing(cast, tmp_path):
    path = payments_file(tmp_path, cast)
    code, report = import_json(path, "--dry-run")
    assert code == 0 and report["created"] == 6
    assert (
        DuesPayment.objects.count() == 0
        and not AuditEntry.objects.filter(action="duespayment.create").exists()
    )
    code, out, _ = run("import_dues", str(path), "--dry-run")
    assert "试运行" in out and "未写入" in out


def test_rows_are_checked_against_the_roster(cast, tmp_path):
    a0 = cast["members_a"][0]
    newcomer = factories.member(cast["a"], "新党员", join_date=date(2026, 5, 15), full_date=None)
    path = workbook(
        tmp_path / "p.xlsx",
        PAY_HEADER,
        [
            [newcomer.id_number, "2026-04", 15, "2026-05-20", "现金"],  # before the 支部大会
            [a0.id_number, "2026-04", 0, "2026-04-20", "现金"],
        ],
    )
    code, report = import_json(path)
    assert code == 1 and report["rejected"] == 2
    assert "不在党员名册上" in report["errors"][0]["message"]
    bases = workbook(
        tmp_path / "b.xlsx",
        BASE_HEADER,
        [
            [a0.id_number, 2026, None, None, None, None],  # 在职 without an income
            [a0.id_number, 2026, 3000, "2025-07", None, None],  # 生效月份 outside the year
            [a0.id_number, 2026, 3000, "2026-03", "是", None],  # 减免 without a reason
        ],
    )
    code, report = import_json(bases)
    assert code == 1 and report["rejected"] == 3
    messages = " ".join(e["message"] for e in report["errors"])
    assert "须填写月收入" in messages and "生效月份应在 2026 年度之内" in messages and "减免原因" in messages


def test_two_identical_rows_are_both_rejected(cast, tmp_path):
    a0 = cast["members_a"][0]
    row = [a0.id_number, "2026-01", 45, "2026-01-10", "现金"]
    code, report = import_json(workbook(tmp_path / "p.xlsx", PAY_HEADER, [row, list(row)]))
    assert code == 1 and report["rejected"] == 2 and "重复" in report["errors"][0]["message"]


def test_usage_errors_exit_2(cast, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("import_dues", str(tmp_path / "missing.xlsx"))
    assert exc.value.returncode == 2
    with pytest.raises(CommandError) as exc:
        call_command("dues_stats", "--year", "2026", "--org", "NOPE", "--json")
    assert exc.value.returncode == 2
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    code, report = import_json(bad)
    assert code == 1 and report["rows"] == 0 and ".xlsx" in report["errors"][0]["message"]


def test_dues_stats_json_matches_the_hand_count(cast):
    built = scenario.build(cast)
    code, out, _ = run("dues_stats", "--year", "2026", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"year", "orgs", "members"} and data["year"] == 2026
    assert {o["org"]: {k: o[k] for k in ("due", "paid", "arrears")} for o in data["orgs"]} == {
        code: {k: float(v) for k, v in want.items()} for code, want in HAND["orgs"].items()
    }
    ids = {m.id_number: name for name, m in [(m.name, m) for m in built.values()]}
    ids.update({m.id_number: m.name for m in cast["members_b"]})
    for row in data["members"]:
        assert set(row) == {
            "id_number",
            "category",
            "monthly_due",
            "months_due",
            "months_paid",
            "arrears_months",
        }
        monthly, months_due, months_paid, arrears_months = HAND["members"][ids[row["id_number"]]]
        assert row["monthly_due"] == (float(monthly) if monthly else None)
        assert (row["months_due"], row["months_paid"], row["arrears_months"]) == (
            months_due,
            months_paid,
            arrears_months,
        )
    code, out, _ = run("dues_stats", "--year", "2026", "--org", "B", "--json")
    data = json.loads(out)
    assert [o["org"] for o in data["orgs"]] == ["B"] and len(data["members"]) == 3
    code, out, _ = run("dues_stats", "--year", "2026")
    assert code == 0 and "应交 1242.00 元" in out and "尚未核定党费基数的党员 3 名" in out


def test_the_console_entry_point_exits_2_on_usage():
    """argparse's own usage error, as `dangjian dues_stats` prints it (no database needed)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dangjian.settings_test"}
    r = subprocess.run(
        [sys.executable, "-m", "dangjian.manage", "dues_stats", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 2 and "--year" in r.stderr and r.stdout == ""


def test_remind_carries_the_dues_items(cast):
    """design §4 `remind`: `{"type": "dues", "member": "姓名", "arrears_months": 3}` as of the month's first day."""
    scenario.build(cast)
    code, out, _ = run("remind", "--month", "2026-11", "--dry-run", "--json")
    assert code == 0
    items = {o["org"]: [i for i in o["items"] if i["type"] == "dues"] for o in json.loads(out)["orgs"]}
    assert items["A"] == [{"type": "dues", "member": "甲支部党员1", "arrears_months": 10}]
    assert [i["member"] for i in items["B"]] == ["乙支部党员0", "乙支部党员1"]
    assert items["JG"] == [] and items["ROOT"] == []
    code, out, _ = run("remind", "--month", "2026-11", "--dry-run")
    assert "甲支部党员1 已连续 10 个月未交纳党费" in out and "党章第九条" in out
