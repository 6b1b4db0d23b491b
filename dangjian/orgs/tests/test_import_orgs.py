"""`dangjian import_orgs` (design §4–§5): JSON shape, atomicity, dry run, idempotence, any row order."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import openpyxl
import pytest
import time_machine
from django.core.management import call_command

from dangjian import factories as f
from dangjian.core.models import AuditEntry
from dangjian.orgs.models import Organization, OrgKind, RenewalStep, Term, Unit, UnitKind

from .factories import ORG_HEADER, workbook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
NOW = "2026-06-15 10:00 +0800"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def run(path, *flags) -> tuple[int, dict | str]:
    out = StringIO()
    code = 0
    try:
        call_command("import_orgs", str(path), *flags, stdout=out, stderr=StringIO())
    except SystemExit as exc:
        code = exc.code
    text = out.getvalue()
    return code, json.loads(text) if "--json" in flags else text


BUREAU = [
    # children first: rows may come in any order
    ["第一党支部", "A1", "党支部", "JG", "某局机关", "局机关", "2015-07-01", "2024-03-15", ""],
    [
        "联合党支部",
        "",
        "联合党支部",
        "机关党委",
        "甲公司、乙公司，丙公司",
        "非公企业",
        "2019/7/1",
        "2023.06.01",
        "3",
    ],
    ["机关党委", "JG", "机关党委", "ROOT", "某局机关", "", "2010-01-01", "2022-01-10", ""],
    ["某局党组", "ROOT", "党组", "", "某局机关", "局机关", "2009-01-01", "", ""],
]


def test_out_of_order_rows_build_the_tree(tmp_path):
    code, report = run(workbook(tmp_path / "o.xlsx", BUREAU), "--json")
    assert code == 0
    assert report == {"rows": 4, "created": 4, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    root = Organization.objects.get(code="ROOT")
    jg = Organization.objects.get(code="JG")
    joint = Organization.objects.get(name="联合党支部")
    assert root.depth == 1 and jg.depth == 2 and Organization.objects.get(code="A1").path.startswith(jg.path)
    assert joint.code.startswith("ORG") and joint.path.startswith(jg.path)
    assert sorted(joint.units.values_list("name", flat=True)) == ["丙公司", "乙公司", "甲公司"]
    assert Unit.objects.get(name="甲公司").kind == UnitKind.PRIVATE
    assert Unit.objects.get(name="某局机关").kind == UnitKind.BUREAU  # declared on another row
    jg_term = Term.objects.get(committee__organization=jg)
    assert (jg_term.years, jg_term.expires_on) == (5, date(2027, 1, 10))  # default for 机关党委
    assert Term.objects.get(committee__organization__code="A1").years == 3
    assert not Term.objects.filter(committee__organization=root).exists()
    assert AuditEntry.objects.filter(model="orgs.organization", actor_name="import_orgs").count() == 4


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = workbook(tmp_path / "o.xlsx", BUREAU)
    run(path, "--json")
    audit_count = AuditEntry.objects.count()
    code, report = run(path, "--json")
    assert code == 0
    assert report == {"rows": 4, "created": 0, "updated": 0, "unchanged": 4, "rejected": 0, "errors": []}
    assert AuditEntry.objects.count() == audit_count
    assert Organization.objects.count() == 4


def test_dry_run_reports_exactly_and_writes_nothing(tmp_path):
    code, report = run(workbook(tmp_path / "o.xlsx", BUREAU), "--dry-run", "--json")
    assert code == 0 and report["created"] == 4 and report["rejected"] == 0
    assert not Organization.objects.exists() and not Unit.objects.exists() and not AuditEntry.objects.exists()
    code, text = run(workbook(tmp_path / "o.xlsx", BUREAU), "--dry-run")
    assert "【试运行】" in text and "新增 4" in text and not Organization.objects.exists()


def test_atomic_by_default_one_bad_row_writes_nothing(tmp_path):
    rows = [*BUREAU, ["坏支部", "BAD", "党小组", "JG", "", "", "", "", ""]]
    code, report = run(workbook(tmp_path / "o.xlsx", rows), "--json")
    assert code == 1
    assert (report["created"], report["rejected"]) == (4, 1)  # what would have happened
    assert report["errors"] == [
        {"row": 6, "column": "组织类别", "value": "党小组",
         "message": "组织类别无法识别；应为：党组、机关党委、党委、党总支、党支部、联合党支部、临时党支部"}
    ]  # fmt: skip
    assert not Organization.objects.exists() and not Unit.objects.exists()


def test_skip_invalid_writes_the_valid_rows_and_the_errors_workbook(tmp_path):
    rows = [*BUREAU, ["坏支部", "BAD", "党支部", "JG", "", "", "2019-02-30", "", ""]]
    errors = tmp_path / "errors.xlsx"
    code, report = run(
        workbook(tmp_path / "o.xlsx", rows), "--skip-invalid", "--errors-out", str(errors), "--json"
    )
    assert code == 1 and report["created"] == 4 and report["rejected"] == 1
    assert Organization.objects.count() == 4 and not Organization.objects.filter(code="BAD").exists()
    sheet = openpyxl.load_workbook(errors).worksheets[0]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][-1] == "错误原因" and values[1][0] == "坏支部"
    assert "成立日期" in values[1][-1] and "不是有效日期" in values[1][-1]


def test_bad_date_and_future_date(tmp_path):
    rows = [
        ["甲支部", "X1", "党支部", "", "", "", "2019年13月1日", "", ""],
        ["乙支部", "X2", "党支部", "", "", "", "2026-07-01", "", ""],
        ["丙支部", "X3", "党支部", "", "", "", "去年", "", ""],
    ]
    code, report = run(workbook(tmp_path / "o.xlsx", rows), "--json")
    assert code == 1 and report["rejected"] == 3
    by_row = {e["row"]: e for e in report["errors"]}
    assert by_row[2]["column"] == "成立日期" and "月份或日期超出范围" in by_row[2]["message"]
    assert "不能晚于今天" in by_row[3]["message"]
    assert "2019-07-01、2019/7/1" in by_row[4]["message"] and by_row[4]["value"] == "去年"


def test_unknown_parent_names_the_row_and_the_fix(tmp_path):
    rows = [["甲支部", "X1", "党支部", "不存在的党委", "", "", "", "", ""]]
    code, report = run(workbook(tmp_path / "o.xlsx", rows), "--json")
    assert code == 1
    (err,) = report["errors"]
    assert (err["row"], err["column"], err["value"]) == (2, "上级党组织", "不存在的党委")
    assert "在文件和系统中都找不到" in err["message"] and "补充该上级组织" in err["message"]


def test_parent_in_a_rejected_row_is_named(tmp_path):
    rows = [
        ["子支部", "C1", "党支部", "P1", "", "", "", "", ""],
        ["父党委", "P1", "党小组", "", "", "", "", "", ""],
    ]
    code, report = run(workbook(tmp_path / "o.xlsx", rows), "--skip-invalid", "--json")
    assert code == 1 and report["rejected"] == 2 and not Organization.objects.exists()
    by_row = {e["row"]: e for e in report["errors"]}
    assert "在第 3 行，但该行有错误" in by_row[2]["message"]


def test_cycles_are_row_errors(tmp_path):
    rows = [
        ["甲党委", "P1", "党委", "P2", "", "", "", "", ""],
        ["乙党委", "P2", "党委", "P3", "", "", "", "", ""],
        ["丙党委", "P3", "党委", "P1", "", "", "", "", ""],
        ["丁支部", "P4", "党支部", "P3", "", "", "", "", ""],
        ["自指党委", "P5", "党委", "P5", "", "", "", "", ""],
    ]
    code, report = run(workbook(tmp_path / "o.xlsx", rows), "--json")
    assert code == 1 and report["rejected"] == 5
    by_row = {e["row"]: e["message"] for e in report["errors"]}
    for r in (2, 3, 4):
        assert "上级关系形成循环（第 2、3、4 行互为上下级）" in by_row[r]
    assert "上级党组织所在的第 4 行有错误" in by_row[5]
    assert "不能是本组织自己" in by_row[6]


def test_cycle_through_the_database_is_caught(tmp_path):
    top = f.org("顶层党委", kind=OrgKind.COMMITTEE, code="T")
    f.org("下层党委", kind=OrgKind.COMMITTEE, parent=top, code="L")
    rows = [["顶层党委", "T", "党委", "L", "", "", "", "", ""]]  # put the top under its own child
    code, report = run(workbook(tmp_path / "o.xlsx", rows), "--json")
    assert code == 1 and "循环" in report["errors"][0]["message"]


def test_branch_cannot_be_a_parent(tmp_path):
    f.org("已有支部", code="S")
    rows = [["新支部", "N", "党支部", "S", "", "", "", "", ""]]
    code, report = run(workbook(tmp_path / "o.xlsx", rows), "--json")
    assert code == 1 and "党支部下只设党小组" in report["errors"][0]["message"]


def test_updates_move_rename_and_new_term(tmp_path):
    run(workbook(tmp_path / "o.xlsx", BUREAU), "--json")
    changed = [
        ["某局党组", "ROOT", "党组", "", "某局机关", "", "2009-01-01", "", ""],
        ["机关党委", "JG", "机关党委", "ROOT", "某局机关", "", "2010-01-01", "2022-01-10", ""],
        ["第二总支", "G2", "党总支", "ROOT", "", "", "", "", ""],
        # A1 renamed, moved under the new general branch, and re-elected
        ["第一党支部（更名）", "A1", "党支部", "第二总支", "某局机关", "", "2015-07-01", "2026-06-01", ""],
    ]
    code, report = run(workbook(tmp_path / "p.xlsx", changed), "--json")
    assert code == 0 and (report["created"], report["updated"], report["unchanged"]) == (1, 1, 2)
    a1 = Organization.objects.get(code="A1")
    assert a1.name == "第一党支部（更名）" and a1.path.startswith(Organization.objects.get(code="G2").path)
    terms = list(Term.objects.filter(committee__organization=a1).order_by("elected_on"))
    assert [(t.number, t.is_current) for t in terms] == [(1, False), (2, True)]
    assert terms[1].previous == terms[0] and terms[0].ended_on == date(2026, 6, 1)
    assert RenewalStep.objects.get(term=terms[0]).kind == "election"
    code, report = run(workbook(tmp_path / "p.xlsx", changed), "--json")
    assert report["unchanged"] == 4


def test_earlier_election_date_than_on_file_is_refused(tmp_path):
    run(workbook(tmp_path / "o.xlsx", BUREAU), "--json")
    rows = [["第一党支部", "A1", "党支部", "JG", "", "", "", "2020-01-01", ""]]
    code, report = run(workbook(tmp_path / "p.xlsx", rows), "--json")
    assert code == 1 and "早于系统中本届" in report["errors"][0]["message"]


def test_keyed_by_name_when_no_code(tmp_path):
    existing = f.org(
        "按名称匹配的支部", code="KEEP", parent=f.org("上级党委", kind=OrgKind.COMMITTEE, code="UP")
    )
    rows = [["按名称匹配的支部", "", "党支部", "上级党委", "", "", "2016-01-01", "", ""]]
    code, report = run(workbook(tmp_path / "o.xlsx", rows), "--json")
    assert code == 0 and report["updated"] == 1
    existing.refresh_from_db()
    assert existing.code == "KEEP" and existing.founded_on == date(2016, 1, 1)


def test_term_rules_per_kind_and_years(tmp_path):
    rows = [
        ["党组甲", "D1", "党组", "", "", "", "", "2024-01-01", ""],
        ["支部甲", "B1", "党支部", "", "", "", "", "", "3"],
        ["支部乙", "B2", "党支部", "", "", "", "", "2024-01-01", "8"],
        ["支部丙", "B3", "党支部", "", "", "", "", "2024-01-01", "三年"],
    ]
    code, report = run(workbook(tmp_path / "o.xlsx", rows), "--json")
    msgs = {e["row"]: e["message"] for e in report["errors"]}
    assert "党组由任命产生" in msgs[2] and "没有填写本届委员会选举日期" in msgs[3]
    assert "任期应为 2–5 年" in msgs[4] and "整数年数" in msgs[5]


def test_duplicate_rows_and_names(tmp_path):
    rows = [
        ["甲支部", "X1", "党支部", "", "", "", "", "", ""],
        ["甲支部", "X1", "党支部", "", "", "", "", "", ""],
        ["乙支部", "X2", "党支部", "", "", "", "", "", ""],
        ["乙支部", "X3", "党支部", "", "", "", "", "", ""],
    ]
    code, report = run(workbook(tmp_path / "o.xlsx", rows), "--json")
    msgs = {e["row"]: e["message"] for e in report["errors"]}
    assert "第 2、3 行重复" in msgs[2] and "第 2、3 行重复" in msgs[3]
    assert "与第 4 行相同" in msgs[5]


def test_new_unit_needs_a_kind_and_kinds_must_agree(tmp_path):
    rows = [
        ["甲支部", "X1", "党支部", "", "无类别公司", "", "", "", ""],
        ["乙支部", "X2", "党支部", "", "某公司", "国有企业", "", "", ""],
        ["丙支部", "X3", "党支部", "", "某公司", "改制企业", "", "", ""],
        ["丁支部", "X4", "联合党支部", "", "1、2、3、4、5、6", "非公企业", "", "", ""],
    ]
    code, report = run(workbook(tmp_path / "o.xlsx", rows), "--json")
    msgs = {e["row"]: e["message"] for e in report["errors"]}
    assert "尚未登记；请填写单位类别" in msgs[2]
    assert 3 not in msgs and "与第 3 行（国有企业）不一致" in msgs[4]
    assert "不超过5个" in msgs[5]


def test_missing_required_column_rejects_the_file(tmp_path):
    header = [h for h in ORG_HEADER if h != "组织类别"]
    code, report = run(workbook(tmp_path / "o.xlsx", [["甲", "", "", ""]], header=header), "--json")
    assert code == 1 and report["rows"] == 0
    assert report["errors"][0]["row"] == 1 and "缺少必需的列：组织类别" in report["errors"][0]["message"]


def test_synonym_headers_and_people_readable_output(tmp_path):
    header = [
        "组织名称",
        "组织代码",
        "组织类别",
        "上级党组织",
        "所在单位",
        "单位类别",
        "成立日期",
        "本届委员会选举日期",
        "任期（年）",
        "备注栏",
    ]
    rows = [["甲党委", "P", "党委", "", "", "", "", "2024-01-01", "4", "x"]]
    code, text = run(workbook(tmp_path / "o.xlsx", rows, header=header))
    assert code == 0 and "共 1 行：新增 1" in text and "已写入" in text
    assert Term.objects.get().years == 4


def test_usage_error_for_a_missing_file(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as exc:
        call_command("import_orgs", str(tmp_path / "none.xlsx"))
    assert exc.value.returncode == 2


def test_human_output_names_row_column_and_value(tmp_path):
    rows = [["甲支部", "X1", "支部委员", "", "", "", "", "", ""]]
    code, text = run(workbook(tmp_path / "o.xlsx", rows))
    assert code == 1
    assert "第2行【组织类别】组织类别无法识别" in text and "（值：支部委员）" in text and "未写入" in text


def test_a_write_refused_mid_way_rolls_everything_back(tmp_path, monkeypatch):
    from dangjian.orgs import importing, services

    real = services.create_organization

    def refuse_second(**kw):
        if kw["name"] == "机关党委":
            raise services.Refusal("并发修改")
        return real(**kw)

    monkeypatch.setattr(importing.services, "create_organization", refuse_second)
    # one by one (a fresh file with its root would otherwise be created set-based, without create_organization)
    monkeypatch.setattr(importing.services, "appendable", lambda *a: False)
    code, report = run(workbook(tmp_path / "o.xlsx", BUREAU), "--json")
    assert code == 1 and report["errors"][0]["row"] == 4 and "并发修改" in report["errors"][0]["message"]
    assert not Organization.objects.exists() and not Unit.objects.exists()


# --- dated history: 撤销日期, 单位类别变更日期, a later election (design §5) ---------------------------------
DATED_HEADER = [*ORG_HEADER, "撤销日期", "单位类别变更日期"]


def test_dissolution_date_dissolves_and_reimport_is_unchanged(tmp_path):
    from dangjian.orgs.asof import orgs_existing

    run(workbook(tmp_path / "o.xlsx", BUREAU), "--json")
    rows = [
        ["第一党支部", "A1", "党支部", "JG", "某局机关", "", "2015-07-01", "2024-03-15", "", "2026-05-31", ""]
    ]
    path = workbook(tmp_path / "d.xlsx", rows, DATED_HEADER)
    code, report = run(path, "--json")
    assert code == 0 and report["updated"] == 1, report
    a1 = Organization.objects.get(code="A1")
    assert a1.dissolved_on == date(2026, 5, 31) and a1.dissolved_reason
    assert orgs_existing(date(2026, 5, 30)).filter(code="A1").exists()
    assert not orgs_existing(date(2026, 5, 31)).filter(code="A1").exists()
    code, report = run(path, "--json")  # the same file again: nothing to do
    assert code == 0 and report["unchanged"] == 1
    rows[0][9] = "2026-04-30"  # a different dissolution date cannot overwrite the recorded one
    code, report = run(workbook(tmp_path / "e.xlsx", rows, DATED_HEADER), "--json")
    assert code == 1 and "撤销日期不能通过导入更改" in report["errors"][0]["message"]


def test_a_historical_organisation_can_be_imported_dissolved(tmp_path):
    run(workbook(tmp_path / "o.xlsx", BUREAU), "--json")
    rows = [["旧党支部", "OLD", "党支部", "JG", "某局机关", "", "2012-01-01", "", "", "2020-12-31", ""]]
    code, report = run(workbook(tmp_path / "h.xlsx", rows, DATED_HEADER), "--json")
    assert code == 0 and report["created"] == 1
    assert Organization.objects.get(code="OLD").dissolved_on == date(2020, 12, 31)


def test_dissolution_refused_with_members_or_live_children(tmp_path):
    run(workbook(tmp_path / "o.xlsx", BUREAU), "--json")
    f.member(Organization.objects.get(code="A1"), "在册党员")
    rows = [
        ["第一党支部", "A1", "党支部", "JG", "", "", "", "", "", "2026-05-31", ""],
        ["机关党委", "JG", "机关党委", "ROOT", "", "", "", "", "", "2026-05-31", ""],
    ]
    code, report = run(workbook(tmp_path / "d.xlsx", rows, DATED_HEADER), "--json")
    assert code == 1
    messages = " ".join(e["message"] for e in report["errors"])
    assert "在册党员" in messages and "未撤销的党组织" in messages
    assert not Organization.objects.filter(dissolved_on__isnull=False).exists()


def test_unit_kind_change_date_records_a_dated_kind(tmp_path):
    from dangjian.orgs.asof import unit_kind_on
    from dangjian.orgs.models import UnitKindChange

    rows = [
        ["某局党组", "ROOT", "党组", "", "某局机关", "局机关", "2009-01-01", "", "", "", ""],
        ["国企支部", "S1", "党支部", "ROOT", "某国企", "国有企业", "2015-07-01", "", "", "", ""],
    ]
    run(workbook(tmp_path / "o.xlsx", rows, DATED_HEADER), "--json")
    rows[1][5], rows[1][10] = "改制企业", "2026-03-01"
    path = workbook(tmp_path / "k.xlsx", rows, DATED_HEADER)
    code, report = run(path, "--json")
    assert code == 0 and report["updated"] == 1, report
    unit = Unit.objects.get(name="某国企")
    assert unit.kind == UnitKind.RESTRUCTURED
    assert unit_kind_on(unit, date(2026, 2, 28)) == UnitKind.SOE
    assert unit_kind_on(unit, date(2026, 3, 1)) == UnitKind.RESTRUCTURED
    assert run(path, "--json")[1]["unchanged"] == 2  # idempotent
    # Without the date the change holds from the import's day; a date before the last change is refused.
    rows[1][5], rows[1][10] = "正在破产企业", "2026-02-01"
    code, report = run(workbook(tmp_path / "b.xlsx", rows, DATED_HEADER), "--json")
    assert code == 1 and report["errors"][0]["column"] == "单位类别变更日期"
    rows[1][10] = ""
    code, report = run(workbook(tmp_path / "c.xlsx", rows, DATED_HEADER), "--json")
    assert code == 0
    assert list(UnitKindChange.objects.filter(unit=unit).values_list("kind", "valid_from")) == [
        (UnitKind.SOE, None),
        (UnitKind.RESTRUCTURED, date(2026, 3, 1)),
        (UnitKind.BANKRUPTING, date(2026, 6, 15)),
    ]


def test_later_election_keeps_the_old_term_for_earlier_days(tmp_path):
    from dangjian.orgs.asof import term_on, terms_overdue

    rows = [
        ["某局党组", "ROOT", "党组", "", "某局机关", "局机关", "2009-01-01", "", ""],
        ["第一党支部", "A1", "党支部", "ROOT", "某局机关", "", "2015-07-01", "2021-03-15", ""],
    ]
    run(workbook(tmp_path / "o.xlsx", rows), "--json")
    rows[1][7] = "2026-05-20"
    code, report = run(workbook(tmp_path / "p.xlsx", rows), "--json")
    assert code == 0 and report["updated"] == 1
    a1 = Organization.objects.get(code="A1")
    old, new = term_on(a1, date(2025, 12, 31)), term_on(a1, date(2026, 5, 20))
    assert old.elected_on == date(2021, 3, 15) and old.ended_on == date(2026, 5, 20)
    assert new.elected_on == date(2026, 5, 20) and new.is_current
    orgs = Organization.objects.all()
    assert terms_overdue(date(2025, 12, 31), orgs) == ["A1"]  # expired 2024-03-15, re-elected only in 2026
    assert terms_overdue(date(2026, 5, 20), orgs) == []
