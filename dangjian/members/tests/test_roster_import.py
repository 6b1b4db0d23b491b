"""`dangjian import_roster` / `dangjian export_roster` (design §4–§5)."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from dangjian.core.importing import run_import
from dangjian.core.models import AuditEntry
from dangjian.core.xlsx import iter_rows
from dangjian.demo.roster_gen import write_roster_workbook
from dangjian.members import services
from dangjian.members.choices import EventKind
from dangjian.members.models import Member, MembershipEvent
from dangjian.members.roster import HEADER, RosterImporter

from .factories import roster_row, write_roster

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel(date(2026, 11, 27), tick=False):
        yield


def run_cmd(name, *args):
    """(exit code, stdout, stderr) of a dangjian command."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def import_json(path, *flags):
    code, out, _ = run_cmd("import_roster", str(path), "--json", *flags)
    return code, json.loads(out)  # exactly one JSON document, nothing else


def test_import_creates_members_events_and_initials(cast, tmp_path):
    rows = [
        roster_row("A", 姓名="张三", 联系电话="0394-1234567"),
        roster_row("测试第二党支部", 姓名="曾小红", male=False, 转正日期=None, 学历="硕士", 人员类别="退休"),
    ]
    code, report = import_json(write_roster(tmp_path / "r.xlsx", rows))
    assert code == 0
    assert report == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    zhang = Member.objects.get(name="张三")
    zeng = Member.objects.get(name="曾小红")
    assert zhang.organization == cast["a"] and zeng.organization == cast["b"]
    assert (zhang.initials, zeng.initials) == ("ZS", "ZXH")
    assert (zeng.education, zeng.category, zeng.is_probationary, zeng.gender) == (
        "研究生",
        "离退休",
        True,
        "女",
    )
    assert [e.kind for e in zhang.events.all()] == [EventKind.JOINED, EventKind.FULL]
    assert [e.kind for e in zeng.events.all()] == [EventKind.JOINED]
    assert zhang.events.first().to_org == cast["a"]
    created = AuditEntry.objects.filter(action="member.create", model="members.member")
    assert set(created.values_list("object_id", flat=True)) == {str(zhang.pk), str(zeng.pk)}
    assert AuditEntry.objects.filter(action="system.import").count() == 1


def test_reimport_reports_all_unchanged_and_writes_nothing(cast, tmp_path):
    path = write_roster(tmp_path / "r.xlsx", [roster_row("A"), roster_row("B", 转正日期=None)])
    assert import_json(path)[1]["created"] == 2
    events = MembershipEvent.objects.count()
    code, report = import_json(path)
    assert code == 0 and (report["created"], report["updated"], report["unchanged"]) == (0, 0, 2)
    assert MembershipEvent.objects.count() == events


def test_atomic_by_default_reports_what_would_happen(cast, tmp_path):
    existing = cast["members_a"][1]
    rows = [
        roster_row("A"),
        roster_row("A", 公民身份号码=existing.id_number, 姓名=existing.name, 出生日期=existing.birth_date,
                   入党日期=existing.join_date, 转正日期=existing.full_date, 联系电话="13900000000"),
        roster_row("A", 民族="火星族"),
    ]  # fmt: skip
    code, report = import_json(write_roster(tmp_path / "r.xlsx", rows))
    assert code == 1
    assert (report["rows"], report["created"], report["updated"], report["rejected"]) == (3, 1, 1, 1)
    assert report["errors"] == [
        {"row": 4, "column": "民族", "value": "火星族", "message": report["errors"][0]["message"]}
    ]
    assert "GB/T 3304" in report["errors"][0]["message"]
    assert Member.objects.count() == 5  # the cast's only
    existing.refresh_from_db()
    assert existing.phone == ""


def test_skip_invalid_writes_valid_rows_and_errors_out(cast, tmp_path):
    rows = [roster_row("A", 姓名="甲"), roster_row("A", 姓名="王五"), roster_row("NOPE", 姓名="赵六")]
    out = tmp_path / "errors.xlsx"
    code, report = import_json(
        write_roster(tmp_path / "r.xlsx", rows), "--skip-invalid", "--errors-out", str(out)
    )
    assert code == 1 and (report["created"], report["rejected"]) == (1, 2)
    assert Member.objects.filter(name="王五").exists()
    assert not Member.objects.filter(name="赵六").exists()
    written = list(iter_rows(out))
    assert written[0] == [*HEADER, "错误原因"]
    assert [r[0] for r in written[1:]] == ["甲", "赵六"]
    assert "姓名" in written[1][-1] and "第2行" in written[1][-1]
    assert "NOPE" in written[2][-1] and "所在党支部" in written[2][-1]


def test_dry_run_reports_exactly_and_writes_nothing(cast, tmp_path):
    path = write_roster(tmp_path / "r.xlsx", [roster_row("A"), roster_row("B")])
    code, report = import_json(path, "--dry-run")
    assert code == 0 and report["created"] == 2
    assert Member.objects.count() == 5
    assert not AuditEntry.objects.filter(action="system.import").exists()
    code, text, _ = run_cmd("import_roster", str(path), "--dry-run")
    assert "试运行" in text and "新增 2" in text


def test_numeric_id_cell_rejected_with_format_hint(cast, tmp_path):
    row = roster_row("A")
    header_row = [row[h] for h in HEADER]
    header_row[HEADER.index("公民身份号码")] = 411402198503040011
    code, report = import_json(write_roster(tmp_path / "r.xlsx", [header_row], text_ids=False))
    assert code == 1 and report["rejected"] == 1
    error = report["errors"][0]
    assert error["column"] == "公民身份号码" and "文本" in error["message"]


def test_two_rows_with_the_same_id_are_both_rejected(cast, tmp_path):
    a = roster_row("A", 姓名="王一")
    b = dict(a, 姓名="王二")
    c = dict(a, 姓名="王三", 民族="火星族")  # also invalid otherwise: it still counts as a duplicate
    code, report = import_json(write_roster(tmp_path / "r.xlsx", [a, b, roster_row("A"), c]))
    assert code == 1 and report["rejected"] == 3 and report["created"] == 1
    dup = [e for e in report["errors"] if e["column"] == "公民身份号码"]
    assert {e["row"] for e in dup} == {2, 3}
    assert all("2、3" in e["message"] or "2、3、5" in e["message"] for e in dup)


def test_duplicate_of_an_otherwise_invalid_row(cast, tmp_path):
    a = roster_row("A", 姓名="王一")
    bad = dict(a, 姓名="王", 民族="火星族")
    code, report = import_json(write_roster(tmp_path / "r.xlsx", [a, bad]))
    assert code == 1 and report["rejected"] == 2 and report["created"] == 0
    assert any(e["row"] == 2 and "重复" in e["message"] for e in report["errors"])


def test_header_synonyms_unknown_columns_and_missing_columns(cast, tmp_path):
    header = [
        "姓名",
        "身份证号",
        "加入党组织日期",
        "转为正式党员日期",
        "党员类别",
        "所在党组织",
        "手机号码",
        "备注",
    ]
    row = roster_row("A")
    body = [
        [row["姓名"], row["公民身份号码"], row["入党日期"], row["转正日期"], "离休", "A", "13812345678", "x"]
    ]
    code, text, err = run_cmd("import_roster", str(write_roster(tmp_path / "s.xlsx", body, header)))
    assert code == 0 and "新增 1" in text and "备注" in err
    assert Member.objects.get(id_number=row["公民身份号码"]).category == "离退休"

    code, report = import_json(write_roster(tmp_path / "m.xlsx", [["王五", "A"]], ["姓名", "所在党支部"]))
    assert code == 1 and report["rows"] == 0 and len(report["errors"]) == 1
    assert "缺少必需的列：公民身份号码、入党日期" in report["errors"][0]["message"]


def test_organisation_by_name_or_code_and_the_rules(cast, tmp_path):
    dissolved = cast["b"]
    rows = [roster_row("测试第一党支部"), roster_row(" a "), roster_row("测试第三党支部"), roster_row("")]
    code, report = import_json(write_roster(tmp_path / "r.xlsx", rows))
    assert (report["created"], report["rejected"]) == (2, 2)
    messages = {e["row"]: e["message"] for e in report["errors"]}
    assert "没有名称或代码为“测试第三党支部”" in messages[4] and "不能为空" in messages[5]
    dissolved.dissolved_on = date(2026, 1, 1)
    dissolved.save()
    code, report = import_json(write_roster(tmp_path / "d.xlsx", [roster_row("B")]))
    assert "已撤销" in report["errors"][0]["message"]
    # a member still recorded there re-imports unchanged (the export of today's roll stays importable)
    still = cast["members_b"][0]
    row = roster_row("B", 公民身份号码=still.id_number, 姓名=still.name, 入党日期=still.join_date,
                     转正日期=still.full_date, 联系电话="")  # fmt: skip
    code, report = import_json(write_roster(tmp_path / "s.xlsx", [row]))
    assert code == 0 and report["unchanged"] == 1


def test_update_moves_and_full_date_record_events(cast, tmp_path):
    first = roster_row("A", 转正日期=None)
    import_json(write_roster(tmp_path / "1.xlsx", [first]))
    member = Member.objects.get(id_number=first["公民身份号码"])
    version = member.version
    moved = dict(first, 所在党支部="B", 转正日期=date(2011, 7, 1), 联系电话="0394-7654321")
    code, report = import_json(write_roster(tmp_path / "2.xlsx", [moved]))
    assert code == 0 and report["updated"] == 1
    member.refresh_from_db()
    assert member.organization == cast["b"] and member.full_date == date(2011, 7, 1)
    assert member.version == version + 1 and member.phone == "0394-7654321"
    kinds = list(member.events.values_list("kind", "from_org", "to_org"))
    assert (EventKind.MOVED, cast["a"].pk, cast["b"].pk) in kinds
    assert (EventKind.FULL, None, None) in kinds
    update = AuditEntry.objects.filter(action="member.update", object_id=str(member.pk)).get()
    assert update.changes["organization"] == [cast["a"].pk, cast["b"].pk]


def test_departed_members_are_not_changed_by_an_import(cast, tmp_path):
    member = cast["members_a"][2]
    services.end_membership(member, EventKind.DECEASED, date(2026, 1, 1), expected_version=member.version)
    row = roster_row("A", 公民身份号码=member.id_number, 姓名=member.name, 入党日期=member.join_date,
                     转正日期=member.full_date, 联系电话="")  # fmt: skip
    code, report = import_json(write_roster(tmp_path / "same.xlsx", [row]))
    assert code == 0 and report["unchanged"] == 1
    code, report = import_json(write_roster(tmp_path / "new.xlsx", [dict(row, 联系电话="13800000000")]))
    assert code == 1 and "死亡" in report["errors"][0]["message"]


def test_browser_import_is_bound_to_the_write_scope(cast, tmp_path):
    in_b = cast["members_b"][0]
    rows = [
        roster_row("A"),
        roster_row("B"),
        roster_row(
            "A", 公民身份号码=in_b.id_number, 姓名=in_b.name, 入党日期=in_b.join_date, 转正日期=in_b.full_date
        ),
    ]
    path = write_roster(tmp_path / "r.xlsx", rows)
    report = run_import(RosterImporter(actor=cast["admin_a"], scope_user=cast["admin_a"]), path)
    assert (report.created, report.rejected) == (1, 2)
    by_row = {e.row: e for e in report.errors}
    assert by_row[3].column == "所在党支部" and "管理范围" in by_row[3].message
    assert by_row[4].column == "公民身份号码" and "不能由您导入或修改" in by_row[4].message
    # the same file from the command line (no user scope) is accepted
    assert run_import(RosterImporter(), path, dry_run=True).rejected == 0


def test_export_then_import_reports_all_unchanged(cast, tmp_path):
    write_roster_workbook(tmp_path / "gen.xlsx", 40, ["A", "B"], today=date(2026, 11, 27))
    assert import_json(tmp_path / "gen.xlsx")[1]["created"] == 40
    Member.objects.filter(pk=cast["members_a"][0].pk).update(
        phone="0394-1234567-88", workplace="某单位 科长", arrived_on=date(2020, 1, 1)
    )
    out = tmp_path / "export.xlsx"
    code, text, _ = run_cmd("export_roster", "--out", str(out))
    assert code == 0 and "45" in text
    rows = list(iter_rows(out))
    assert rows[0] == HEADER and len(rows) == 46
    assert date(2020, 1, 1) in [r[HEADER.index("转入本组织日期")] for r in rows[1:]] or "2020-01-01" in [
        str(r[HEADER.index("转入本组织日期")])[:10] for r in rows[1:]
    ]
    code, report = import_json(out)
    assert code == 0 and report["unchanged"] == 45 and report["rows"] == 45
    entry = AuditEntry.objects.filter(action="member.export").get()
    assert "45" in entry.note and entry.actor_name == "命令行 export_roster"


def test_the_categories_design_5_added_import_and_export_unchanged(cast, tmp_path):
    """学生, 农牧渔民 and 其他 (design §5): imported (农民 → 农牧渔民), exported, re-imported unchanged."""
    rows = [
        roster_row("A", 姓名="林学生", birth=date(2002, 3, 4), 入党日期=date(2023, 6, 1), 转正日期=date(2024, 6, 1),
                   人员类别="学生"),
        roster_row("A", 姓名="田农民", birth=date(1970, 3, 4), 人员类别="农民"),
        roster_row("A", 姓名="袁其他", birth=date(1960, 3, 4), 人员类别="其他"),
    ]  # fmt: skip
    code, report = import_json(write_roster(tmp_path / "r.xlsx", rows))
    assert code == 0 and report["created"] == 3
    cats = dict(
        Member.objects.filter(name__in=["林学生", "田农民", "袁其他"]).values_list("name", "category")
    )
    assert cats == {"林学生": "学生", "田农民": "农牧渔民", "袁其他": "其他"}
    out = tmp_path / "export.xlsx"
    assert run_cmd("export_roster", "--out", str(out))[0] == 0
    code, report = import_json(out)
    assert code == 0 and report["unchanged"] == report["rows"] == 8  # the cast's 5 and these 3


def test_export_by_org_subtree_and_current_members_only(cast, tmp_path):
    gone = cast["members_a"][2]
    services.end_membership(gone, EventKind.TRANSFER_OUT, date(2026, 1, 1), destination="外县某党支部",
                            expected_version=gone.version)  # fmt: skip
    out = tmp_path / "a.xlsx"
    code, _, _ = run_cmd("export_roster", "--org", "A", "--out", str(out))
    names = [r[0] for r in list(iter_rows(out))[1:]]
    assert code == 0 and sorted(names) == ["甲支部党员0", "甲支部党员1"]
    code, _, _ = run_cmd("export_roster", "--org", "JG", "--out", str(out))
    assert len(list(iter_rows(out))) == 5
    code, _, err = run_cmd("export_roster", "--org", "NOPE", "--out", str(out))
    assert code == 1 and "NOPE" in err


def test_exit_codes_and_usage(cast, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as exc:
        call_command("import_roster", str(tmp_path / "missing.xlsx"))
    assert exc.value.returncode == 2
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    code, report = import_json(bad)
    assert code == 1 and report["rows"] == 0 and ".xlsx" in report["errors"][0]["message"]


def test_text_report_names_row_column_and_fix(cast, tmp_path):
    path = write_roster(tmp_path / "r.xlsx", [roster_row("A", 联系电话="12345")])
    code, text, _ = run_cmd("import_roster", str(path))
    assert code == 1
    assert "第2行【联系电话】" in text and "0394-1234567" in text and "未写入" in text


def _import_queries(path, *, keep=True):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        report = run_import(RosterImporter(actor_name="测试"), path)
        transaction.set_rollback(not keep)
    return report, len(ctx.captured_queries)


def test_import_queries_do_not_grow_with_rows(cast, tmp_path):
    """Set-wise: the lookups, member and event INSERTs (COPY on PostgreSQL) and the audit entries are
    batched, so 20 rows and 200 rows cost the same number of queries, for a first import (all created) and
    for a re-import (all unchanged)."""
    small, large = tmp_path / "s.xlsx", tmp_path / "l.xlsx"
    write_roster_workbook(small, 20, ["A", "B"], seed=3)
    write_roster_workbook(large, 200, ["A", "B"], seed=3)  # its first 20 rows are the small file's
    first_small, q_small = _import_queries(small, keep=False)
    first_large, q_large = _import_queries(large)
    assert (first_small.created, first_large.created) == (20, 200)
    assert q_large == q_small
    again_small, r_small = _import_queries(small)
    again_large, r_large = _import_queries(large)
    assert (again_small.unchanged, again_large.unchanged) == (20, 200)
    assert r_large == r_small < q_small


def test_bulk_import_rows_events_and_audit_agree(cast, tmp_path):
    """Every created member has its 入党 event (and 转正 when dated) and one audit entry naming it, and
    the audit chain still verifies."""
    from dangjian.core.audit import verify_chain

    path = tmp_path / "r.xlsx"
    write_roster_workbook(path, 120, ["A", "B"], seed=5)
    report = run_import(RosterImporter(actor_name="测试"), path)
    assert report.created == 120 and report.written
    members = {m.pk: m for m in Member.objects.filter(events__note="名册导入").distinct()}
    assert len(members) == 120
    for m in members.values():
        kinds = {(e.kind, e.date) for e in m.events.all()}
        assert (EventKind.JOINED, m.join_date) in kinds
        assert ((EventKind.FULL, m.full_date) in kinds) == (m.full_date is not None)
        assert m.initials and m.initials == m.initials.upper()
    audited = AuditEntry.objects.filter(action="member.create", model="members.member")
    by_object = {int(e.object_id): e for e in audited}
    assert set(by_object) >= set(members)
    some = next(iter(members.values()))
    assert by_object[some.pk].object_repr == some.name
    assert by_object[some.pk].changes == {
        "organization": [None, some.organization_id],
        "join_date": [None, some.join_date.isoformat()],
    }
    assert verify_chain() is None
