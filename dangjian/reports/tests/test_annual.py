from __future__ import annotations

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

    StudyConfig.current()
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
    assert "terms_overdue" in keys and any("测试第一党支部" in e for e in keys["terms_overdue"].evidence)
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
