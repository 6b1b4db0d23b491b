"""Part 5: the yearly 发展党员计划 and the pipeline figures — by stage, organisation and year — in the dashboard,
the yearly report (主要做法和成效, 存在的问题) and the 党内统计 workbook. A past year never moves."""

from __future__ import annotations

import io
import json
from datetime import date
from io import StringIO

import openpyxl
import pytest
import time_machine
from django.core.management import call_command

from dangjian import factories
from dangjian.recruitment import rules, services, stats
from dangjian.recruitment.models import RecruitmentPlan
from dangjian.reports import annual, dashboard, ledgers

from .factories import TODAY, candidate, step_input, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def pipeline(cast):
    """In A: one archived 正式党员 (applied 2023, 发展 2024-07-01, 转正 2025), one 预备党员 admitted in 2024, an
    activist; in B: an applicant of 2024."""
    a, b = cast["a"], cast["b"]
    full = walk(candidate(a, name="全程者", birth=date(1995, 1, 1)), 25)
    pre = walk(candidate(a, name="预备者", birth=date(1980, 1, 1)), 17)
    activist = walk(candidate(a, name="积极者"), 3)
    applicant = candidate(b, applied_on=date(2024, 2, 1), name="乙申请")
    return {"full": full, "pre": pre, "activist": activist, "applicant": applicant}


def test_counts_by_year_stage_and_organisation(cast, pipeline):
    y2024 = stats.counts(2024)
    a, b = y2024.by_org[cast["a"].pk], y2024.by_org[cast["b"].pk]
    assert a.flows["预备"] == 2 and a.flows["发展对象"] == 2 and a.flows["转正"] == 0
    assert a.admitted_youth == 1 and a.admitted_educated == 2  # born 1995 (29 at the assembly), 1980 (44)
    assert a.stock[rules.PROBATIONARY] == 2 and a.stock[rules.ACTIVIST] == 1  # 积极者: since 2023
    assert b.flows["申请人"] == 1 and b.stock[rules.APPLICANT] == 1
    y2025 = stats.counts(2025, [cast["a"].pk])
    assert y2025.total.flows["转正"] == 1 and y2025.total.stock[rules.PROBATIONARY] == 1
    # a step recorded later never changes a past year
    before = stats.counts(2024).total
    c = pipeline["activist"]
    services.record_step(c, 4, step_input(c, 4, date(2026, 11, 20)), actor=None)
    after = stats.counts(2024).total
    assert (after.flows, after.stock) == (before.flows, before.stock)


def test_plan_saved_refused_and_shown(cast, login, pipeline):
    with pytest.raises(services.RecruitmentRefused, match="不能多于发展名额"):
        services.save_plan(cast["a"], 2024, {"quota": 2, "youth": 3}, actor=cast["admin_a"])
    with pytest.raises(services.RecruitmentRefused, match="管理范围"):
        services.save_plan(cast["a"], 2024, {"quota": 2}, actor=cast["admin_b"])
    client = login(cast["admin_a"])
    r = client.post(f"/recruitment/plans/{cast['a'].pk}/2024/", {"quota": 4, "youth": 2, "educated": 1})
    assert r.status_code == 302
    plan = RecruitmentPlan.objects.get(organization=cast["a"], year=2024)
    assert (plan.quota, plan.youth) == (4, 2)
    page = client.get("/recruitment/plans/?year=2024").content.decode()
    assert "50%" in page and "2→1" in page  # 2 of 4 admitted; youth planned 2, one admitted


def test_dashboard_chart(cast, pipeline):
    chart = next(c for c in dashboard.build(None, TODAY) if c.id == "recruitment")
    values = dict(zip(chart.categories, chart.series[0]["data"], strict=True))
    assert values["入党积极分子"] == 1 and values["申请人"] == 1 and values["预备党员"] == 1
    assert "/recruitment/?stage=" in chart.links[0]


def test_yearly_report_and_its_figures(cast, pipeline):
    services.save_plan(cast["a"], 2024, {"quota": 4}, actor=None)
    text = annual.build(2024).body_text()
    assert "全年发展党员2名（其中35岁及以下青年1名、大专及以上学历2名）" in text
    assert (
        "完成年度计划名额4名的50.0%" in text and "年末有入党申请人1名、入党积极分子1名、预备党员2名" in text
    )
    out = StringIO()
    call_command("report", "--year", "2024", "--json", stdout=out)
    figures = json.loads(out.getvalue())["figures"]
    assert figures["recruitment"]["预备"] == 2 and figures["recruitment"]["quota"] == 4
    assert figures["recruitment"]["stock"]["预备党员"] == 2


def test_branches_without_recruits_for_three_years_and_ageing(cast, pipeline):
    report = annual.build(2026)
    problems = {p.key: p for p, _ in report.problems}
    # A admitted two in 2024; B has had nobody join since 2024
    assert "no_recruitment" in problems and "测试第二党支部" in problems["no_recruitment"].summary
    assert "测试第一党支部" not in problems["no_recruitment"].summary
    assert report.metrics["no_recruitment_orgs"] == ["B"]
    assert "ageing_membership" not in problems
    for i in range(8):
        factories.member(cast["b"], f"老党员{i}", birth=date(1950, 1, 1), join_date=date(1975, 7, 1),
                         full_date=date(1976, 7, 1))  # fmt: skip
    problems = {p.key: p for p, _ in annual.build(2026).problems}
    assert "ageing_membership" in problems and "61岁及以上的8名" in problems["ageing_membership"].summary


def test_party_statistics_workbook_has_the_pipeline(cast, pipeline):
    book = openpyxl.load_workbook(io.BytesIO(ledgers.statistics_workbook(None, 2024)), read_only=True)
    rows = [list(r) for r in book["发展党员"].iter_rows(values_only=True)]
    header, body = rows[0], {r[0]: r for r in rows[1:]}
    assert header[:3] == ["党组织", "计划名额", "申请人（本年）"]
    a = body["测试第一党支部"]
    assert a[header.index("预备（本年）")] == 2 and a[header.index("年末预备党员")] == 2
    assert body["合计"][header.index("申请人（本年）")] == 1
