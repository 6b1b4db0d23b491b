from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document

from dangjian import factories
from dangjian.members.models import Member
from dangjian.orgs.models import Post, UnitKind
from dangjian.reports import annual
from dangjian.reports.models import ReportRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau(cast):
    """The cast plus a restructured enterprise branch full of laid-off members and a bureau unit."""
    factories.unit("测试商务局", UnitKind.BUREAU)
    troubled = factories.org(
        "测试改制企业党支部",
        parent=cast["organ"],
        code="C",
        units=[factories.unit("测试改制企业丙", UnitKind.RESTRUCTURED)],
    )
    for i in range(6):
        factories.member(troubled, f"丙支部党员{i}", category="下岗失业" if i < 4 else "离退休")
    factories.member(cast["b"], "预备党员丁", full_date=None, gender="女")
    factories.term(cast["a"], elected_on=date(2020, 1, 1))  # 3 years: long overdue
    factories.term(cast["b"], elected_on=date(2025, 1, 1), full_time=True)
    return {**cast, "c": troubled}


@time_machine.travel("2026-11-20")
def test_basic_facts_match_the_database_in_the_bureau_phrasing(bureau):
    report = annual.build(2026)
    m = report.metrics
    assert m["members_total"] == Member.objects.current().count() == 12
    assert (m["members_serving"], m["members_laid_off"], m["members_retired"]) == (6, 4, 2)
    first, second, third = report.basic_paragraphs()
    assert first == "测试商务局下属企事业单位3个，其中事业单位1个、国有企业1个、改制企业1个。"
    assert second.startswith("目前下设党委1个、党支部3个，")  # no "党总支0个"
    assert "共有党员12名，其中在职党员6名，下岗失业和离退休党员6名" in second
    assert "预备党员1名" in third and "专职党务干部1人" in third
    # Every number carries the query that produced it.
    assert all(mt.query for mt in m.rows())


@time_machine.travel("2026-11-20")
def test_study_figures_count_every_member_on_the_roll(bureau):
    from decimal import Decimal

    from dangjian.study.models import StudyConfig, StudyRecord

    StudyConfig.objects.create()
    StudyConfig.objects.update(member_hours=Decimal("10"))
    a0, a1, _ = bureau["members_a"]
    for member, hours in ((a0, "10"), (a1, "9.5")):
        StudyRecord.objects.create(
            member=member, date=date(2026, 5, 1), hours=Decimal(hours), content="学习", form="网络平台"
        )
    m = annual.build(2026).metrics
    assert (m["study_members"], m["study_met"], m["study_behind"]) == (12, 1, 11)
    assert m["study_avg_hours"] == 1.6  # 19.5 hours over 12 members
    assert m["study_rate"] == 8.3


@time_machine.travel("2026-11-20")
def test_problems_detected_with_evidence_and_rules_editable(bureau):
    report = annual.build(2026)
    keys = {p.key: p for p, _ in report.problems}
    assert "terms_overdue" in keys and "测试第一党支部" in keys["terms_overdue"].summary
    assert "troubled_concentration" in keys  # 6 of 12 members sit in a restructured enterprise
    assert "part_time_workers" not in keys  # 1 of 2 posts is full-time: 50% < 80%
    ReportRule.objects.filter(key="terms_overdue").update(enabled=False)
    ReportRule.objects.filter(key="part_time_workers").update(threshold=0.4)
    keys = {p.key for p, _ in annual.build(2026).problems}
    assert "terms_overdue" not in keys and "part_time_workers" in keys


@time_machine.travel("2026-11-20")
def test_report_command_writes_an_official_document(bureau, tmp_path):
    out = tmp_path / "report.docx"
    call_command("report", "--year", "2026", "--out", str(out), stdout=StringIO())
    doc = Document(str(out))
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [
        37,
        35,
        28,
        26,
    ]
    paras = [p for p in doc.paragraphs if p.text.strip()]
    title = paras[0].runs[0]
    assert title.font.name == "方正小标宋简体" and title.font.size.pt == 22
    headings = {
        p.text: p.runs[0].font.name for p in paras if p.text[:2] in ("一、", "二、", "三、", "四、", "五、")
    }
    assert list(headings) == [
        "一、基本情况",
        "二、存在的问题",
        "三、原因分析",
        "四、主要做法和成效",
        "五、思考和建议",
    ]
    assert set(headings.values()) == {"黑体"}
    level2 = [p for p in paras if p.text.startswith("（一）")]
    assert level2 and level2[0].runs[0].font.name == "楷体_GB2312"
    body = next(p for p in paras if p.text.startswith("测试商务局下属"))
    assert body.runs[0].font.name == "仿宋_GB2312" and body.runs[0].font.size.pt == 16
    footer = s.footer.paragraphs[0]._element.xml
    assert "PAGE" in footer and "— " in footer and 'w:sz w:val="28"' in footer  # 四号 = 14 pt
    assert not doc.tables  # the figures with their queries are the separate --appendix workbook


def test_report_usage_errors(db, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("report", "--year", "2026", "--org", "NOPE", "--out", str(tmp_path / "x.docx"))
    assert exc.value.returncode == 2
    with pytest.raises(CommandError):
        call_command("report", "--year", "2026", "--out", str(tmp_path / "x.pdf"))


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
@time_machine.travel("2026-11-20")
def test_report_renders_to_pdf_with_libreoffice(bureau, tmp_path):
    out = tmp_path / "report.docx"
    call_command("report", "--year", "2026", "--out", str(out), stdout=StringIO())
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (tmp_path / "report.pdf").read_bytes()
    pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
    assert pdf.startswith(b"%PDF") and len(pages) >= 2


@time_machine.travel("2026-11-20")
def test_report_page_and_download(bureau, login):
    c = login(bureau["bureau"])
    page = c.get("/reports/annual/?year=2026").content.decode()
    assert "下属企事业单位3个" in page
    r = c.get("/reports/annual/?year=2026&download=docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    # An org admin gets their own subtree only.
    page_a = login(bureau["admin_a"]).get("/reports/annual/?year=2026").content.decode()
    assert "共有党员3名" in page_a


@time_machine.travel("2026-11-20")
def test_secretaries_posts_counted(bureau):
    assert annual.build(2026).metrics["posts_total"] == Post.objects.count() == 2


# --- the prose rules (issue 13 part 5) ----------------------------------------------------------------------
ZERO = re.compile(r"(?<![\d.])0(?:\.0)?\s*(?:个|名|次|项|人|份|轮|对|%)")
COUNTED = re.compile(r"(\d+)(?:个|名|人|次|项|份次|份)")


def subset_violations(text: str) -> list[str]:
    """Sentences where a number after "其中" exceeds the count just before it ("共有191名…其中286名")."""
    bad = []
    for sentence in re.split(r"[。；]", text):
        head, sep, tail = sentence.partition("其中")
        if not sep:
            continue
        before = COUNTED.findall(head)
        if before and any(int(n) > int(before[-1]) for n in COUNTED.findall(tail)):
            bad.append(sentence)
    return bad


def assert_prose_rules(text: str) -> None:
    assert not ZERO.findall(text), ZERO.findall(text)
    assert subset_violations(text) == []
    assert "SELECT" not in text.upper() and "FROM " not in text.upper()
    assert not re.search(r"#\d+|记录\s*\d+|ID\s*\d+", text)


def test_the_subset_check_catches_a_subset_larger_than_its_set():
    assert subset_violations("共有191名党员，其中下岗失业和离退休党员286名。")
    assert subset_violations("共有党员12名，其中在职党员6名。") == []


def _body(report) -> str:
    return report.body_text()


@time_machine.travel("2026-11-20")
def test_prose_rules_hold_on_the_report(bureau):
    text = _body(annual.build(2026))
    assert_prose_rules(text)
    assert "党总支" not in text.split("二、")[0]  # no "党总支0个" in 基本情况


@time_machine.travel("2026-11-20")
def test_no_overdue_term_no_such_problem(bureau):
    for org in (bureau["a"], bureau["organ"], bureau["c"]):
        factories.term(org, elected_on=date(2025, 6, 1), number=2 if org == bureau["a"] else 1)
    report = annual.build(2026)
    assert report.metrics["terms_overdue"] == [] and report.metrics["terms_missing"] == []
    text = _body(report)
    assert "未按期换届" not in text and "任期已满" not in text and "未录入任期" not in text
    assert "没有超期未换届现象" in text  # said as a result instead
    assert_prose_rules(text)


@time_machine.travel("2026-11-20")
def test_renewals_of_the_year_and_whether_on_time(bureau):
    from dangjian.orgs.models import Term

    for org, day in ((bureau["a"], date(2026, 3, 1)), (bureau["b"], date(2026, 4, 1))):
        old = Term.objects.get(committee__organization=org, is_current=True)
        new = factories.term(org, elected_on=day, number=2)
        new.previous = old
        new.save(update_fields=["previous"])
    report = annual.build(2026)
    assert (report.metrics["terms_renewed"], report.metrics["terms_renewed_on_time"]) == (2, 1)
    assert "全年2个党组织完成换届，其中按期换届1个" in report.body_text()  # A's term had run out in 2023


def test_figures_are_documented_in_the_help():
    from dangjian.reports.management.commands.report import Command

    text = Command().create_parser("dangjian", "report").format_help()
    for key in ("--appendix", "orgs_by_kind", "compliance", "study", "supervision", "appraisal", "meetings"):
        assert key in text


@time_machine.travel("2026-11-20")
def test_only_missing_terms_are_not_called_overdue(bureau):
    from dangjian.orgs.models import Term

    Term.objects.filter(committee__organization=bureau["a"]).update(expires_on=date(2027, 1, 1))
    problem = next(p for p, _ in annual.build(2026).problems if p.key == "terms_overdue")
    assert problem.title == "个别党组织任期信息不完整"
    assert "任期已满" not in problem.summary and "未录入任期信息" in problem.summary


@time_machine.travel("2026-11-20")
def test_a_year_without_study_records_says_so(bureau):
    text = _body(annual.build(2026))
    assert "全年未录入学习记录" in text
    assert "100%" not in text and "100.0%" not in text and "学时未达到规定要求" not in text


@time_machine.travel("2026-11-20")
def test_organisations_named_by_short_name_at_most_five(bureau):
    for i in range(6):
        branch = factories.org(f"中共测试第{i + 3}党支部委员会", parent=bureau["organ"], code=f"X{i}")
        branch.short_name = f"第{i + 3}支部"
        branch.save(update_fields=["short_name"])
        factories.term(branch, elected_on=date(2020, 1, 1))
    report = annual.build(2026)
    problem = next(p for p, _ in report.problems if p.key == "terms_overdue")
    named = re.search(r"截至年底，(.+?)任期已满尚未换届", problem.summary).group(1)
    assert named.endswith("等7个党组织")
    assert len(named.removesuffix("等7个党组织").split("、")) == 5
    assert "中共测试第3党支部委员会" not in problem.summary and "第3支部" in problem.summary
    assert report.metrics["terms_overdue"] == ["A", "X0", "X1", "X2", "X3", "X4", "X5"]


@time_machine.travel("2026-11-20")
def test_cause_analysis_is_framed_and_carries_its_numbers(bureau):
    sections = dict(annual.build(2026).sections())
    causes = sections["三、原因分析"]
    headings = [h for h, _ in causes]
    assert headings == ["（一）从主观方面讲。", "（二）从客观方面讲。"]
    objective = "".join(causes[1][1])
    assert "6名党员（占50.0%）在改制、破产企业" in objective
    subjective = "".join(causes[0][1])
    assert subjective.startswith("一是") and "1个党组织任期已满尚未换届" in subjective


@time_machine.travel("2026-11-20")
def test_json_prints_one_document_with_every_figure(bureau):
    out = StringIO()
    call_command("report", "--year", "2026", "--json", stdout=out)
    doc = json.loads(out.getvalue())  # exactly one document: trailing output would not parse
    assert set(doc) == {"year", "org", "as_of", "figures"}
    assert (doc["year"], doc["org"], doc["as_of"]) == (2026, None, "2026-12-31")
    f = doc["figures"]
    assert f["orgs_by_kind"] == {"党组": 1, "党委": 1, "党总支": 0, "党支部": 3, "联合党支部": 0}
    assert set(f["units_by_kind"]) == {k.label for k in UnitKind}
    assert (f["units_by_kind"]["改制企业"], f["units_by_kind"]["事业单位"]) == (1, 1)
    assert f["members"] == {"total": 12, "在职": 6, "下岗失业": 4, "离退休": 2, "预备": 1, "女": 1, "流动": 0}
    assert f["terms_overdue"] == {"count": 1, "orgs": ["A"]}
    assert f["terms_missing"] == {"count": 2, "orgs": ["C", "JG"]}
    for key in (
        "compliance",
        "study",
        "supervision",
        "appraisal",
        "duties",
        "honors",
        "meetings",
        "education",
    ):
        assert key in f
    assert f["study"]["recorded"] == 0
    out = StringIO()
    call_command("report", "--year", "2026", "--org", "A", "--json", stdout=out)
    scoped = json.loads(out.getvalue())
    assert scoped["org"] == "A" and scoped["figures"]["members"]["total"] == 3


def test_report_without_an_output_is_a_usage_error(db):
    with pytest.raises(CommandError) as exc:
        call_command("report", "--year", "2026")
    assert exc.value.returncode == 2


@time_machine.travel("2026-11-20")
def test_appendix_workbook_has_every_figure_with_its_query(bureau, tmp_path):
    from openpyxl import load_workbook

    out, appendix = tmp_path / "r.docx", tmp_path / "r.xlsx"
    call_command(
        "report", "--year", "2026", "--out", str(out), "--appendix", str(appendix), stdout=StringIO()
    )
    rows = list(load_workbook(appendix).active.iter_rows(values_only=True))
    assert rows[0] == ("序号", "部分", "指标", "数值", "查询")
    by_label = {r[2]: r for r in rows[1:]}
    assert by_label["党员总数"][3] == 12 and "SELECT" in by_label["党员总数"][4]
    assert by_label["已届满未换届的党组织"][3] == "A"
    body = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert_prose_rules(body)


@time_machine.travel("2026-11-20")
def test_web_preview_shows_every_section(bureau, login):
    page = login(bureau["bureau"]).get("/reports/annual/?year=2026").content.decode()
    for heading in ("一、基本情况", "二、存在的问题", "三、原因分析", "四、主要做法和成效", "五、思考和建议"):
        assert heading in page
    assert "从主观方面讲" in page and "持续夯实“两个责任”" in page
    r = login(bureau["bureau"]).get("/reports/annual/?year=2026&download=appendix")
    assert r.status_code == 200 and r.content[:2] == b"PK"


@pytest.mark.django_db(transaction=True)
def test_the_report_is_reused_until_a_table_it_reads_is_written():
    """The preview, the document and the appendix of one state are computed once (`core.memo`); a new member,
    a new activity of the year or an edited rule makes the next report new."""
    from dangjian.activities.models import Activity
    from dangjian.core import memo
    from dangjian.factories import cast as build_cast

    cast = build_cast()
    today = date(2026, 11, 20)
    first = annual.build(2026, today=today)
    hits = memo.stats["hits"]
    again = annual.build(2026, today=today)
    assert memo.stats["hits"] == hits + 1 and again.metrics is first.metrics
    total = first.metrics["members_total"]

    factories.member(cast["a"], "新党员甲")
    assert annual.build(2026, today=today).metrics["members_total"] == total + 1

    acts = annual.build(2026, today=today).metrics["activities_total"]
    Activity.objects.create(organization=cast["a"], date=date(2026, 3, 5), topic="支部党员大会")
    assert annual.build(2026, today=today).metrics["activities_total"] == acts + 1
    # another day is another report (what is late depends on the day)
    assert annual.build(2026, today=date(2026, 11, 21)).metrics is not first.metrics
