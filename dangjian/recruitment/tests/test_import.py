"""`dangjian import_candidates` (design §4–§5): the roster's JSON contract, atomic by default, --skip-invalid,
--errors-out, --dry-run, exit 0/1/2, keyed by 公民身份号码, and every check of issue 15 part 7 with its row and
column."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from dangjian import factories
from dangjian.core.idnumber import make_id_number
from dangjian.core.xlsx import Sheet, iter_rows, write_workbook
from dangjian.members.choices import EventKind
from dangjian.members.models import Member
from dangjian.recruitment import rules, services
from dangjian.recruitment.importer import COLUMNS
from dangjian.recruitment.models import Candidate, Stage

from .factories import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
HEADER = [c.name for c in COLUMNS]
_n = iter(range(100, 999))


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def row(stage: str = rules.ACTIVIST, **kw: Any) -> dict[str, Any]:
    birth = kw.pop("birth", date(1998, 4, 5))
    values: dict[str, Any] = {
        "姓名": "陈一",
        "公民身份号码": make_id_number("411402", birth, next(_n) * 2 + 1),
        "所在党支部": "A",
        "阶段": stage,
        "申请日期": date(2024, 3, 1),
        "确定积极分子日期": date(2024, 9, 1) if stage != rules.APPLICANT else None,
        "确定发展对象日期": date(2025, 9, 1) if stage in (rules.TARGET, rules.PROBATIONARY) else None,
        "接收预备党员日期": date(2026, 3, 2) if stage == rules.PROBATIONARY else None,
        "培养联系人": None,
        "入党介绍人": "甲支部党员0、甲支部党员1" if stage == rules.PROBATIONARY else None,
    }
    values.update(kw)
    return values


def workbook(path, rows: list[dict[str, Any]], header: list[str] | None = None):
    header = header or HEADER
    write_workbook(
        path, [Sheet("发展党员", header, [[r.get(h) for h in header] for r in rows], text_columns=[1])]
    )
    return path


def run(path, *flags) -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command("import_candidates", str(path), "--json", *flags, stdout=out, stderr=io.StringIO())
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue())


def errors_of(report: dict) -> set[tuple[int, str]]:
    return {(e["row"], e["column"]) for e in report["errors"]}


def test_each_stage_imports_with_its_steps_and_the_member_for_a_probationary(cast, tmp_path):
    rows = [
        row(rules.APPLICANT, 姓名="申请甲", 申请日期=date(2026, 11, 10)),
        row(rules.ACTIVIST, 姓名="积极乙", 培养联系人="甲支部党员2"),
        row(rules.TARGET, 姓名="对象丙", 入党介绍人="甲支部党员0、甲支部党员1"),
        row(rules.PROBATIONARY, 姓名="预备丁", 性别=None, 学历="本科", 人员类别="在职"),
    ]
    code, report = run(workbook(tmp_path / "c.xlsx", rows))
    assert code == 0, report
    assert report == {"rows": 4, "created": 4, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    stages = dict(Candidate.objects.values_list("name", "stage"))
    assert stages == {
        "申请甲": Stage.APPLICANT,
        "积极乙": Stage.ACTIVIST,
        "对象丙": Stage.TARGET,
        "预备丁": Stage.PROBATIONARY,
    }
    ding = Candidate.objects.get(name="预备丁")
    m = Member.objects.get(pk=ding.member_id)
    assert m.join_date == date(2026, 3, 2) and m.full_date is None and m.organization == cast["a"]
    assert [e.kind for e in m.events.all()] == [EventKind.JOINED]
    assert ding.probation_ends_on == date(2027, 3, 2) and ding.introducers.count() == 2
    # the pipeline goes on from the stage: an imported 积极分子 is due for 备案 and 考察, not for 谈话
    yi = Candidate.objects.get(name="积极乙")
    due = [d.number for d in rules.due_steps(services.facts_of(yi))]
    assert due == [4, 6]  # 培养联系人 (5) came with the row
    assert [d.number for d in rules.due_steps(services.facts_of(ding)) if not d.step.repeatable] == [
        18,
        19,
        20,
    ]
    # 入党介绍人 of 对象丙 recorded as step 9; its 备案 (8) is still due
    bing = Candidate.objects.get(name="对象丙")
    assert {8, 10, 11} <= {d.number for d in rules.due_steps(services.facts_of(bing))}


def test_reimport_changes_nothing(cast, tmp_path):
    path = workbook(tmp_path / "c.xlsx", [row(rules.ACTIVIST), row(rules.PROBATIONARY, 姓名="陈二")])
    assert run(path)[1]["created"] == 2
    code, report = run(path)
    assert code == 0 and report["unchanged"] == 2 and report["created"] == 0
    assert Candidate.objects.count() == 2 and Member.objects.filter(name="陈二").count() == 1


def test_each_check_names_row_and_column(cast, tmp_path):
    factories.member(cast["a"], "甲支部党员0")  # a second member of that name: not unique
    pre = factories.member(cast["a"], "预备某", join_date=date(2026, 1, 1), full_date=None)
    rows = [
        row(rules.APPLICANT, 申请日期=date(2016, 3, 1), birth=date(2000, 1, 1)),  # 2: under 18
        row(rules.TARGET, 确定发展对象日期=date(2025, 8, 31)),  # 3: less than a year after 积极分子
        row(rules.ACTIVIST, 确定积极分子日期=date(2024, 2, 1)),  # 4: before the application
        row(rules.ACTIVIST, 确定积极分子日期=None),  # 5: the stage's own date missing
        row(rules.APPLICANT, 确定积极分子日期=date(2024, 9, 1)),  # 6: a date of a later stage
        row(rules.ACTIVIST, 确定积极分子日期=date(2026, 12, 1)),  # 7: in the future
        row(rules.ACTIVIST, 所在党支部="不存在的支部"),  # 8: unknown branch
        row(rules.PROBATIONARY, 入党介绍人=None),  # 9: a 预备党员 without introducers
        row(rules.PROBATIONARY, 入党介绍人="甲支部党员1"),  # 10: only one
        row(rules.PROBATIONARY, 入党介绍人=f"甲支部党员1、{pre.name}"),  # 11: not a 正式党员
        row(rules.PROBATIONARY, 入党介绍人="甲支部党员1、乙支部党员0"),  # 12: of another branch
        row(rules.PROBATIONARY, 入党介绍人="甲支部党员0、甲支部党员1"),  # 13: name not unique in the branch
        row(rules.ACTIVIST, 阶段="正式党员"),  # 14: not a stage of the import
        row(rules.ACTIVIST, 所在党支部="JG"),  # 15: not a branch
        row(rules.ACTIVIST, 入党介绍人="甲支部党员1、甲支部党员2"),  # 16: introducers before 发展对象
    ]
    code, report = run(workbook(tmp_path / "c.xlsx", rows))
    assert code == 1 and report["created"] == 0 and report["rejected"] == len(rows)
    assert errors_of(report) == {
        (2, "申请日期"), (3, "确定发展对象日期"), (4, "确定积极分子日期"), (5, "确定积极分子日期"),
        (6, "确定积极分子日期"), (7, "确定积极分子日期"), (8, "所在党支部"), (9, "入党介绍人"), (10, "入党介绍人"),
        (11, "入党介绍人"), (12, "入党介绍人"), (13, "入党介绍人"), (14, "阶段"), (15, "所在党支部"), (16, "入党介绍人"),
    }  # fmt: skip
    messages = {(e["row"]): e["message"] for e in report["errors"]}
    assert "年满十八岁" in messages[2] and "一年以上" in messages[3] and "唯一" not in messages[2]
    assert (
        "无法确定是哪一位" in messages[13]
        and "预备党员" in messages[11]
        and "不是测试第一党支部的在册党员" in messages[12]
    )
    assert not Candidate.objects.exists()


def test_atomic_skip_invalid_errors_out_and_dry_run(cast, tmp_path):
    rows = [row(rules.ACTIVIST, 姓名="好一"), row(rules.ACTIVIST, 姓名="坏二", 所在党支部="无此支部")]
    path = workbook(tmp_path / "c.xlsx", rows)
    code, report = run(path)
    assert code == 1 and report["created"] == 1 and report["rejected"] == 1  # what would have happened
    assert not Candidate.objects.exists()
    code, report = run(path, "--dry-run", "--skip-invalid")
    assert code == 1 and not Candidate.objects.exists()
    out = tmp_path / "errors.xlsx"
    code, report = run(path, "--skip-invalid", "--errors-out", str(out))
    assert code == 1 and list(Candidate.objects.values_list("name", flat=True)) == ["好一"]
    rejected = list(iter_rows(out.read_bytes()))
    assert (
        rejected[0][-1] == "错误原因"
        and rejected[1][0] == "坏二"
        and "第3行【所在党支部】" in rejected[1][-1]
    )


def test_duplicates_members_and_people_already_in_the_pipeline(cast, tmp_path):
    same = row(rules.ACTIVIST, 姓名="重复")
    existing_member = cast["members_b"][0]
    rows = [same, dict(same), row(rules.APPLICANT, 公民身份号码=existing_member.id_number)]
    code, report = run(workbook(tmp_path / "c.xlsx", rows))
    assert errors_of(report) == {(2, "公民身份号码"), (3, "公民身份号码"), (4, "公民身份号码")}
    first = row(rules.APPLICANT, 姓名="林某", 申请日期=date(2026, 11, 10))
    assert run(workbook(tmp_path / "a.xlsx", [first]))[1]["created"] == 1
    moved_on = {**first, "阶段": rules.ACTIVIST, "确定积极分子日期": date(2026, 11, 20)}
    code, report = run(workbook(tmp_path / "b.xlsx", [moved_on]))
    assert code == 1 and "逐步登记" in report["errors"][0]["message"]
    renamed = {**first, "联系电话": "13812345678"}
    code, report = run(workbook(tmp_path / "d.xlsx", [renamed]))
    assert code == 0 and report["updated"] == 1 and Candidate.objects.get(name="林某").phone == "13812345678"


def test_usage_errors_exit_2_and_header_problems_exit_1(cast, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("import_candidates", str(tmp_path / "missing.xlsx"), "--json")
    assert exc.value.returncode == 2
    code, report = run(workbook(tmp_path / "h.xlsx", [row()], header=[h for h in HEADER if h != "阶段"]))
    assert code == 1 and report["errors"][0]["row"] == 1 and "阶段" in report["errors"][0]["message"]


def test_synonyms_and_text_dates(cast, tmp_path):
    header = ["姓名", "身份证号", "所在党组织", "阶段", "申请日期", "确定积极分子日期"]
    r = row(rules.ACTIVIST)
    values = {"身份证号": r["公民身份号码"], "所在党组织": "测试第一党支部", "申请日期": "2024年3月1日",
              "确定积极分子日期": "2024.09.01", "阶段": "积极分子", "姓名": "同义"}  # fmt: skip
    write_workbook(tmp_path / "s.xlsx", [Sheet("s", header, [[values[h] for h in header]], text_columns=[1])])
    code, report = run(tmp_path / "s.xlsx")
    assert code == 0 and report["created"] == 1
    assert Candidate.objects.get(name="同义").activist_on == date(2024, 9, 1)
