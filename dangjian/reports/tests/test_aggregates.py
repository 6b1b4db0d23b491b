"""Every dashboard chart and every 党内统计 table against a hand count on the demo bureau (issue 13 part 4).

The hand counts walk the rows in Python — no GROUP BY — so a default ordering that leaks into a grouped query
(treebeard orders every Organization queryset by `path`) shows up as a difference."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from io import BytesIO, StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.activities.models import Activity
from dangjian.core.dates import age_on
from dangjian.members.choices import AGE_BANDS, Category, Education, EventKind
from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs.models import Organization, OrgKind, Unit, UnitKind
from dangjian.reports import dashboard, ledgers
from dangjian.reports.facts import members_at, scope_orgs

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", "--seed", "7", stdout=StringIO())
        yield


def _chart(charts, cid):
    return next(c for c in charts if c.id == cid)


def _values(chart) -> dict[str, int]:
    return dict(zip(chart.categories, chart.series[0]["data"], strict=True))


def _grouped_by_an_ordering(queries) -> list[str]:
    """Grouped queries whose GROUP BY carries a column no chart groups by (a leaked default ordering)."""
    return [q["sql"] for q in queries if "GROUP BY" in q["sql"] and '"path"' in q["sql"].split("GROUP BY")[1]]


def test_dashboard_charts_equal_a_hand_count(demo):
    with CaptureQueriesContext(connection) as ctx:
        charts = dashboard.build(None, TODAY)
    assert _grouped_by_an_ordering(ctx.captured_queries) == []
    orgs = [o for o in Organization.objects.all() if o.dissolved_on is None]
    by_kind = Counter(o.kind for o in orgs)
    assert _values(_chart(charts, "orgs")) == {k.label: by_kind.get(k.value, 0) for k in OrgKind}
    # The demo bureau's shape: 18 ordinary branches and one 联合党支部 (the bug showed "党支部 1").
    assert by_kind[OrgKind.BRANCH] == 18 and by_kind[OrgKind.JOINT_BRANCH] == 1

    units = [u for u in Unit.objects.all() if u.is_active]
    by_unit = Counter(u.kind for u in units)
    assert _values(_chart(charts, "units")) == {k.label: by_unit.get(k.value, 0) for k in UnitKind}

    members = list(Member.objects.current())
    assert _values(_chart(charts, "category")) == {
        c.label: sum(m.category == c.value for m in members) for c in Category
    }
    assert _values(_chart(charts, "standing")) == {
        "正式党员": sum(m.full_date is not None for m in members),
        "预备党员": sum(m.full_date is None for m in members),
    }
    assert _values(_chart(charts, "gender")) == {g: sum(m.gender == g for m in members) for g in ("男", "女")}
    ages = Counter(
        next(label for lo, hi, label in AGE_BANDS if lo <= age_on(m.birth_date, TODAY) <= hi) for m in members
    )
    assert _values(_chart(charts, "age")) == {label: ages.get(label, 0) for _, _, label in AGE_BANDS}
    assert _values(_chart(charts, "education")) == {
        e.label: sum(m.education == e.value for m in members) for e in Education
    }

    acts = [a for a in Activity.objects.all() if not a.is_deleted]
    trend = _chart(charts, "trend")
    for i, year in enumerate((TODAY.year - 1, TODAY.year)):
        expected = [
            sum(a.date.year == year and a.date.month == month for a in acts)
            if (year < TODAY.year or month <= TODAY.month)
            else None
            for month in range(1, 13)
        ]
        assert trend.series[i]["data"] == expected
    assert sum(trend.series[0]["data"]) > 0

    study = _chart(charts, "study")
    on_roll = Counter(m.organization_id for m in members)
    for row in study.rows:
        org = next(o for o in orgs if o.name == row[0])
        assert row[1] == on_roll[org.pk]

    from dangjian.supervision.flow import State
    from dangjian.supervision.models import Rectification

    rects = list(Rectification.objects.all())
    open_states = {State.PENDING, State.IN_PROGRESS, State.SUBMITTED}
    expected = [
        sum(r.status == s for r in rects)
        for s in (State.PENDING, State.IN_PROGRESS, State.SUBMITTED, State.CLOSED)
    ] + [sum(r.status in open_states and r.deadline < TODAY for r in rects)]
    assert _chart(charts, "rectifications").series[0]["data"] == expected
    assert sum(expected) > 0

    from dangjian.duties.models import Notice, NoticeStatus, NoticeTarget

    issued = {
        n.pk: n
        for n in Notice.objects.all()
        if n.status == NoticeStatus.ISSUED
        and n.year == TODAY.year
        and timezone.localdate(n.issued_at) <= TODAY
    }
    targets = [t for t in NoticeTarget.objects.all() if t.notice_id in issued]
    feedback = [t for t in targets if issued[t.notice_id].requires_feedback]
    notices = _values(_chart(charts, "notices"))
    assert notices["下发"] == len(targets) > 0
    assert notices["已签收"] == sum(t.acknowledged_at is not None for t in targets)
    assert notices["应反馈"] == len(feedback)
    assert notices["已反馈"] == sum(t.fed_back_at is not None for t in feedback)

    heat = _chart(charts, "heatmap")
    branch_kinds = {OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.TEMP_BRANCH}
    assert len(heat.rows) == min(sum(o.kind in branch_kinds for o in orgs), dashboard.ORG_ROWS)


def test_statistics_workbook_equals_a_hand_count(demo):
    year = TODAY.year
    end = date(year, 12, 31)
    with CaptureQueriesContext(connection) as ctx:
        wb = load_workbook(BytesIO(ledgers.statistics_workbook(None, year)))
    assert _grouped_by_an_ordering(ctx.captured_queries) == []

    def table(name: str) -> dict[str, int]:
        return {row[0]: row[1] for row in wb[name].iter_rows(min_row=2, values_only=True)}

    orgs = list(scope_orgs(None, end))
    by_kind = Counter(o.kind for o in orgs)
    assert table("党组织") == {
        **{k.label: by_kind.get(k.value, 0) for k in OrgKind},
        "合计": len(orgs),
    }
    assert table("党组织")["党支部"] == 18 and table("党组织")["联合党支部"] == 1

    members = list(members_at(scope_orgs(None, end), end))
    total = len(members)
    basic = table("党员基本情况")
    assert basic["党员总数"] == total > 0
    assert basic["其中：女党员"] == sum(m.gender == "女" for m in members)
    assert basic["预备党员"] == sum(m.full_date is None or m.full_date > end for m in members)
    assert table("按性别") == {
        "男": sum(m.gender == "男" for m in members),
        "女": basic["其中：女党员"],
        "合计": total,
    }
    assert table("按人员类别") == {
        **{c.value: sum(m.category == c.value for m in members) for c in Category},
        "合计": total,
    }
    assert table("按学历") == {
        **{e.value: sum(m.education == e.value for m in members) for e in Education},
        "合计": total,
    }
    ages = Counter(
        next(label for lo, hi, label in AGE_BANDS if lo <= age_on(m.birth_date, end) <= hi) for m in members
    )
    assert table("按年龄") == {**{label: ages.get(label, 0) for _, _, label in AGE_BANDS}, "合计": total}
    joins = Counter(ledgers._join_period(m.join_date) for m in members)
    assert table("按入党时间") == {**{p: joins.get(p, 0) for p in ledgers.JOIN_PERIODS}, "合计": total}

    org_ids = {o.pk for o in orgs}
    events = [
        e
        for e in MembershipEvent.objects.select_related("member")
        if e.date.year == year and e.member.organization_id in org_ids
    ]
    assert table("年内变动") == {k.label: sum(e.kind == k.value for e in events) for k in EventKind}


def test_yearly_report_on_the_demo_reads_right_and_does_not_move(demo):
    from dangjian.reports import annual
    from dangjian.reports.figures import figures

    from .test_annual import assert_prose_rules

    texts = {}
    for year in (2025, 2026):
        report = annual.build(year)
        texts[year] = report.body_text()
        assert_prose_rules(texts[year])
        end = date(year, 12, 31)
        existing = [
            o
            for o in Organization.objects.all()
            if (o.founded_on is None or o.founded_on <= end)
            and (o.dissolved_on is None or o.dissolved_on > end)
        ]  # by hand: the organisations that existed at the year's end (a branch founded later is not counted)
        branches = sum(
            o.kind in {OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.TEMP_BRANCH} for o in existing
        )
        joint = sum(o.kind == OrgKind.JOINT_BRANCH for o in existing)
        assert f"党支部{branches}个（党支部中联合党支部{joint}个）" in texts[year]
    assert "党支部19个（党支部中联合党支部1个）" in texts[2026]  # 18 + 1 联合, as the demo has them today
    text = texts[2025]
    # 主要做法和成效 from the demo's records: the mechanisms and the red-education sites and lecturers by name.
    practice = text.split("四、主要做法和成效")[1].split("五、思考和建议")[0]
    for phrase in (
        "领导小组",
        "工作要点",
        "述职评议",
        "年终总评评定",
        "现场教学",
        "专题辅导",
        "确山革命纪念馆",
        "县委党校张教授",
    ):
        assert phrase in practice, phrase
    notices = texts[2026].split("四、主要做法和成效")[1]
    for phrase in ("按时签收率", "责任清单", "季度抽查", "半年观摩", "先进基层党组织"):
        assert phrase in notices, phrase
    first = annual.build(2025)
    with time_machine.travel(datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        again = annual.build(2025)
    assert again.body_text() == first.body_text()
    assert figures(again.metrics) == figures(first.metrics)
    assert again.signature_date() != first.signature_date()
