"""`dangjian import_activities` and the browser wizard (design §4–§5)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from dangjian.activities import services
from dangjian.activities.importer import COLUMNS, ActivityImporter
from dangjian.activities.models import Activity
from dangjian.core.importing import run_import
from dangjian.core.models import AuditEntry
from dangjian.core.xlsx import Sheet, iter_rows, workbook_bytes

pytestmark = pytest.mark.django_db

HEADER = [
    "党组织",
    "活动类型",
    "日期",
    "主题",
    "主持人",
    "应到人数",
    "实到人数",
    "缺席人员及原因",
    "内容摘要",
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 5, 20), tick=False):
        yield


def book(tmp_path: Path, *rows, header=HEADER, name="台账.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(workbook_bytes([Sheet("台账", header, rows)]))
    return path


def run(path: Path, *args: str) -> tuple[int, dict]:
    out = io.StringIO()
    code = 0
    try:
        call_command("import_activities", str(path), "--json", *args, stdout=out)
    except SystemExit as exc:
        code = int(exc.code)
    text = out.getvalue()
    assert text.count("\n") == 1, "exactly one JSON document"
    return code, json.loads(text)


def good_rows(cast):
    return [
        [
            "A",
            "主题党日、党员大会；党课",
            date(2025, 3, 15),
            "学习全会精神",
            "张书记",
            3,
            2,
            "甲支部党员1（因病）",
            "传达学习全会精神。",
        ],
        ["测试第二党支部", "支委会", "2025/4/2", "研究发展党员工作", "李书记", 2, 2, None, None],
        [
            "A",
            "主题党日活动,民主评议",
            "2025年12月20日",
            "年度民主评议党员",
            "张书记",
            "3人",
            3,
            "无",
            "个人自评、党员互评。",
        ],
    ]


def test_import_creates_then_reimport_changes_nothing(cast, tmp_path):
    path = book(tmp_path, *good_rows(cast))
    code, data = run(path)
    assert code == 0
    assert data == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    first = Activity.objects.get(topic="学习全会精神")
    assert first.organization == cast["a"] and first.source == "import" and len(first.import_key) == 64
    assert sorted(first.kinds.values_list("key", flat=True)) == [
        "branch_assembly",
        "party_lecture",
        "theme_day",
    ]
    assert (first.expected, first.present, first.host, first.minutes) == (
        3,
        2,
        "张书记",
        "传达学习全会精神。",
    )
    # the roll on that day has exactly 3 members: a full attendance list, the named one absent
    assert first.attendance.count() == 3
    assert first.attendance.get(present=False).member == cast["members_a"][1]
    assert first.quorum_met is True  # 2 of 3
    appraisal = Activity.objects.get(topic="年度民主评议党员")
    assert sorted(appraisal.kinds.values_list("key", flat=True)) == ["member_appraisal", "theme_day"]
    assert Activity.objects.get(topic="研究发展党员工作").quorum_met is None

    code, data = run(path)
    assert (code, data["created"], data["unchanged"]) == (0, 0, 3)
    assert Activity.objects.count() == 3
    assert (
        AuditEntry.objects.filter(action="system.import").count() == 1
    )  # the unchanged re-import wrote nothing


def test_reimport_with_a_corrected_count_updates(cast, tmp_path):
    rows = good_rows(cast)
    run(book(tmp_path, *rows))
    rows[1][6] = 1
    rows[1][7] = "乙支部党员1（事假）"
    code, data = run(book(tmp_path, *rows, name="改.xlsx"))
    assert (code, data["updated"], data["unchanged"], data["created"]) == (0, 1, 2, 0)
    a = Activity.objects.get(topic="研究发展党员工作")
    assert (a.present, a.absence_note) == (1, "乙支部党员1（事假）")
    assert a.attendance.get(present=False).absence_reason == "事假"


def test_locked_and_voided_records_are_not_touched(cast, tmp_path):
    rows = good_rows(cast)
    run(book(tmp_path, *rows))
    # imported by the command line (which acts for the bureau): approved at entry, so they keep counting
    assert set(Activity.objects.values_list("status", flat=True)) == {"approved"}
    locked = Activity.objects.get(topic="研究发展党员工作")
    voided = Activity.objects.get(topic="学习全会精神")
    services.void_activity(voided, actor=cast["bureau"], reason="日期有误")
    rows[1][6] = 1
    # a branch's own import may not change an approved record (it needs its reviewer's consent)
    importer = ActivityImporter(actor=cast["admin_b"], allowed_org_ids={cast["a"].pk, cast["b"].pk})
    report = run_import(importer, book(tmp_path, *rows, name="再.xlsx"))
    messages = " ".join(e.message for e in report.errors)
    assert "已审核通过并锁定" in messages and "已作废" in messages and "日期有误" in messages
    locked.refresh_from_db()
    assert locked.present == 2
    # the command line may (it acts for the bureau); the voided record stays refused
    code, data = run(book(tmp_path, *rows, name="再.xlsx"))
    assert code == 1 and data["rejected"] == 1 and "日期有误" in data["errors"][0]["message"]


def test_row_errors_are_atomic_and_name_row_and_column(cast, tmp_path):
    rows = good_rows(cast) + [
        ["A", "主题党日", date(2026, 5, 21), "明天的活动", "张", 3, 3, None, None],
        ["A", "主题党日", date(2025, 5, 1), "人数不对", "张", 3, 4, None, None],
        ["A", "座谈会", date(2025, 5, 2), "类型不对", "张", 3, 3, None, None],
        ["不存在的支部", "党课", date(2025, 5, 3), "组织不对", "张", 3, 3, None, None],
        ["A", "党课", date(2025, 5, 4), "缺席的人不在册", "张", 3, 2, "路人甲（因公）", None],
        ["A", "党课", date(2025, 5, 5), "人数不是整数", "张", "三", 3, None, None],
        [
            "A",
            "党课",
            date(2025, 5, 6),
            "缺席太多",
            "张",
            3,
            2,
            "甲支部党员1（因公）、甲支部党员2（因病）",
            None,
        ],
    ]
    code, data = run(book(tmp_path, *rows))
    assert code == 1
    assert (data["rows"], data["created"], data["rejected"]) == (10, 3, 7)
    assert Activity.objects.count() == 0
    by_row = {e["row"]: e for e in data["errors"]}
    assert by_row[5]["column"] == "日期" and "晚于今天" in by_row[5]["message"]
    assert by_row[6]["column"] == "实到人数" and "不能多于应到人数" in by_row[6]["message"]
    assert by_row[7]["column"] == "活动类型" and "座谈会" in by_row[7]["message"]
    assert by_row[8]["column"] == "党组织" and by_row[8]["value"] == "不存在的支部"
    assert by_row[9]["column"] == "缺席人员及原因" and "路人甲" in by_row[9]["message"]
    assert by_row[10]["column"] == "应到人数"
    assert by_row[11]["column"] == "缺席人员及原因" and "多于应到与实到之差" in by_row[11]["message"]
    assert set(data) == {"rows", "created", "updated", "unchanged", "rejected", "errors"}


def test_skip_invalid_with_errors_out_and_dry_run(cast, tmp_path):
    rows = good_rows(cast) + [["A", "主题党日", date(2026, 6, 1), "未来", "张", 3, 3, None, None]]
    path = book(tmp_path, *rows)
    code, data = run(path, "--dry-run")
    assert (code, data["created"], data["rejected"]) == (1, 3, 1)
    assert Activity.objects.count() == 0
    out = tmp_path / "错误.xlsx"
    code, data = run(path, "--skip-invalid", "--errors-out", str(out))
    assert code == 1 and data["created"] == 3
    assert Activity.objects.count() == 3
    got = list(iter_rows(out))
    assert got[0][-1] == "错误原因" and len(got) == 2 and "晚于今天" in got[1][-1]


def test_quorum_of_an_imported_assembly(cast, tmp_path):
    code, _ = run(
        book(
            tmp_path,
            ["A", "党员大会", date(2025, 6, 1), "半数到会", "张", 10, 5, None, None],
            ["A", "党员大会", date(2025, 6, 2), "过半到会", "张", 10, 6, None, None],
        )
    )
    assert code == 0
    half = Activity.objects.get(topic="半数到会")
    assert half.quorum_met is False and not half.counts
    assert half.attendance.count() == 0  # the 台账 gives counts that do not match the roll
    assert Activity.objects.get(topic="过半到会").quorum_met is True


def test_duplicate_rows_in_one_file_are_both_rejected(cast, tmp_path):
    row = ["A", "主题党日", date(2025, 6, 1), "同一活动", "张", 3, 3, None, None]
    code, data = run(book(tmp_path, row, [*row[:3], " 同一 活动", *row[4:]]))
    assert code == 1 and data["rejected"] == 2 and {e["row"] for e in data["errors"]} == {2, 3}


def test_missing_column_and_synonym_headers(cast, tmp_path):
    code, data = run(book(tmp_path, ["A", "党课"], header=["党组织", "活动类型"]))
    assert code == 1 and data["errors"][0]["row"] == 1 and "缺少必需的列" in data["errors"][0]["message"]
    header = [
        "党组织名称",
        "活动形式",
        "活动日期",
        "活动主题",
        "主持",
        "应到",
        "实到",
        "缺席情况",
        "会议内容",
        "备注",
    ]
    code, data = run(
        book(
            tmp_path,
            ["A", "党课", "2025.7.1", "七一党课", "张", 3, 3, None, "讲党课", "x"],
            header=header,
            name="b.xlsx",
        )
    )
    assert (code, data["created"]) == (0, 1)


def test_kind_synonyms_from_the_kind_table(cast, tmp_path):
    from dangjian.activities.models import ActivityKind

    ActivityKind.objects.filter(key="site_teaching").update(synonyms="红色教育、参观学习")
    code, data = run(
        book(tmp_path, ["A", "参观学习", date(2025, 7, 1), "参观纪念馆", "张", 3, 3, None, None])
    )
    assert code == 0, data
    assert Activity.objects.get().kinds.get().key == "site_teaching"


# --- browser -----------------------------------------------------------------------------------------------
def test_template_download(cast, login):
    r = login(cast["admin_a"]).get("/activities/import/?template=1")
    assert r.status_code == 200
    rows = list(iter_rows(b"".join(r.streaming_content) if r.streaming else r.content))
    assert rows[0] == [c.name for c in COLUMNS]


def test_wizard_imports_only_into_the_write_scope(cast, login, tmp_path):
    client = login(cast["admin_a"])
    path = book(tmp_path, *good_rows(cast))
    with path.open("rb") as fh:
        r = client.post("/activities/import/", {"step": "upload", "file": fh})
    assert r.status_code == 302
    preview = client.get(r["Location"])
    html = preview.content.decode()
    assert "不在您的管理范围内" in html and "测试第二党支部" in html
    token = r["Location"].split("preview=")[1]
    r = client.post("/activities/import/", {"step": "confirm", "token": token})
    assert Activity.objects.count() == 0  # atomic: one row is out of scope
    assert r.status_code == 302 and r["Location"].startswith("/jobs/")  # the import ran as a job
    assert "不在您的管理范围内" in client.get(r["Location"]).content.decode()  # which failed, saying why
    r = client.post("/activities/import/", {"step": "confirm", "token": token, "skip_invalid": "1"})
    assert r.status_code == 302 and r["Location"].startswith("/jobs/")
    page = client.get(r["Location"]).content.decode()
    assert "导入完成" in page and 'href="/activities/"' in page
    assert set(Activity.objects.values_list("organization__code", flat=True)) == {"A"}
    assert Activity.objects.count() == 2
    assert all(a.created_by == cast["admin_a"] for a in Activity.objects.all())


def test_plain_output_and_usage_error(cast, tmp_path):
    out = io.StringIO()
    call_command("import_activities", str(book(tmp_path, *good_rows(cast))), "--dry-run", stdout=out)
    assert "【试运行】共 3 行：新增 3" in out.getvalue()
    assert Activity.objects.count() == 0
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as e:
        call_command("import_activities", str(tmp_path / "没有这个文件.xlsx"))
    assert e.value.returncode == 2
