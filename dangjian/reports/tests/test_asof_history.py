"""Issue 13 part 1, done-when: a year's figures are taken as of its last day from the facts about it. Recording
what the next year brings (a branch founded, an overdue branch re-elected, a unit's kind changed, members joining
and leaving) changes nothing in the year's report figures, its problems, the 年终总评's 按期换届 or
`compliance --json`; the next year's figures do reflect them."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from dangjian import factories as f
from dangjian.members import services as member_services
from dangjian.members.choices import EventKind
from dangjian.members.tests.factories import roster_row, write_roster
from dangjian.orgs.models import Organization, OrgKind, UnitKind
from dangjian.orgs.tests.factories import workbook
from dangjian.reports import annual, facts
from dangjian.reports.metrics import Metrics
from dangjian.supervision.appraisal import sources
from dangjian.supervision.models import Rectification, RectificationEvent

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
D = date
ORG_HEADER = [
    "组织名称", "组织代码", "组织类别", "上级党组织", "所在单位", "单位类别", "成立日期", "本届委员会选举日期",
    "任期(年)", "撤销日期", "单位类别变更日期",
]  # fmt: skip


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=TZ), tick=False)


def _bureau() -> dict[str, Organization]:
    """A small bureau as the demo has it: a 党组, a 机关党委, branches in the bureau, an SOE, private firms."""
    root = f.org("中共某商务局党组", kind=OrgKind.DANGZU, code="ROOT", founded_on=D(2009, 1, 1))
    organ = f.org("中共某商务局机关委员会", kind=OrgKind.ORGAN_COMMITTEE, parent=root, code="JG",
                  units=[f.unit("某商务局机关", UnitKind.BUREAU)])  # fmt: skip
    a1 = f.org("机关第一党支部", parent=organ, code="A1")
    a2 = f.org("机关第二党支部", parent=organ, code="A2")
    soe = f.org("某国企党支部", parent=root, code="S1", units=[f.unit("某国有公司", UnitKind.SOE)])
    joint = f.org("非公联合党支部", kind=OrgKind.JOINT_BRANCH, parent=root, code="J1",
                  units=[f.unit("甲商贸公司", UnitKind.PRIVATE), f.unit("乙物流公司", UnitKind.PRIVATE)])  # fmt: skip
    f.org("新建党支部（未录入任期）", parent=root, code="M1", founded_on=D(2025, 4, 1))
    f.term(organ, elected_on=D(2022, 1, 10), secretary="机关书记", full_time=True)
    f.term(a1, elected_on=D(2023, 9, 1), secretary="一支书记")
    f.term(a2, elected_on=D(2021, 6, 1), secretary="二支书记")  # ran out 2024-06-01: overdue through 2025
    f.term(soe, elected_on=D(2024, 1, 5), secretary="国企书记")
    f.term(joint, elected_on=D(2024, 7, 1), secretary="联合书记")
    for i, org in enumerate([a1, a1, a2, soe, soe, soe, joint]):
        f.member(org, f"党员{i}", gender="女" if i % 3 == 0 else "男",
                 category=["在职", "离退休", "下岗失业"][i % 3])  # fmt: skip
    f.member(a1, "预备党员甲", join_date=D(2025, 3, 1), full_date=None)
    f.member(soe, "将转出党员", join_date=D(2001, 7, 1))
    rect = dict(title="整改事项", problem="三会一课记录不全")
    Rectification.objects.create(organization=a2, deadline=D(2025, 10, 31), **rect)  # overdue on 2025-12-31
    Rectification.objects.create(organization=a1, deadline=D(2026, 2, 15), **rect)  # due only in 2026
    return {o.code: o for o in Organization.objects.all()}


def _figures(year: int) -> dict:
    report = annual.build(year)
    return {
        "metrics": {mt.key: mt.value for mt in report.metrics.rows()},
        "problems": [(p.key, p.title, p.summary, p.basis) for p, _ in report.problems],
    }


def _compliance_json(year: int) -> dict:
    out = io.StringIO()
    call_command("compliance", "--year", str(year), "--json", stdout=out)
    return json.loads(out.getvalue())


def _term_indicator(year: int) -> dict[str, str]:
    as_of = sources.reference_day(year)
    orgs = sources.appraised_orgs(year, as_of)
    raw = sources.terms(orgs, as_of)
    return {o.code: raw[o.pk].text for o in orgs}


def _import(command: str, path) -> dict:
    out = io.StringIO()
    call_command(command, str(path), "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def _record_2026(tmp_path, orgs: dict[str, Organization]) -> None:
    """What 2026 brings, recorded through the ordinary commands and services."""
    rows = [
        # founded in March 2026, elected at once
        ["机关第三党支部", "A3", "党支部", "JG", "某商务局机关", "", "2026-03-16", "2026-03-16", "", "", ""],
        # the branch overdue through 2025 re-elected in May 2026 (a new term; the old one closed that day)
        ["机关第二党支部", "A2", "党支部", "JG", "", "", "", "2026-05-20", "", "", ""],
        # the SOE restructured from April 2026
        ["某国企党支部", "S1", "党支部", "ROOT", "某国有公司", "改制企业", "", "", "", "", "2026-04-01"],
    ]
    report = _import("import_orgs", workbook(tmp_path / "orgs2026.xlsx", rows, ORG_HEADER))
    assert (report["created"], report["updated"], report["rejected"]) == (1, 2, 0), report
    joiners = [
        roster_row("A3", 姓名="新党员甲", 入党日期=D(2026, 3, 20), 转正日期=None, 性别="女", male=False),
        roster_row("A1", 姓名="转入党员乙", 入党日期=D(2012, 7, 1), 转正日期=D(2013, 7, 1), 转入本组织日期=D(2026, 2, 3)),
    ]  # fmt: skip
    report = _import("import_roster", write_roster(tmp_path / "roster2026.xlsx", joiners))
    assert report["created"] == 2, report
    leaving = orgs["S1"].members.get(name="将转出党员")
    member_services.end_membership(leaving, EventKind.TRANSFER_OUT, D(2026, 4, 8), destination="外县某党支部",
                                   expected_version=leaving.version)  # fmt: skip
    probationary = orgs["A1"].members.get(name="预备党员甲")
    member_services.update_member(
        probationary, {"full_date": D(2026, 3, 1)}, expected_version=probationary.version
    )
    # The 2025 rectification closed (late) in January 2026 stays overdue in the 2025 report.
    r = Rectification.objects.get(organization=orgs["A2"])
    Rectification.objects.filter(pk=r.pk).update(status="closed", closed_at=datetime(2026, 1, 20, tzinfo=TZ))
    RectificationEvent.objects.create(
        rectification=r, kind="close", from_status="pending", to_status="closed"
    )


def test_a_past_year_does_not_move_when_the_next_year_is_recorded(tmp_path):
    with at(D(2025, 11, 20)):
        orgs = _bureau()
    with at(D(2026, 1, 10)):
        before = _figures(2025)
        compliance_before = _compliance_json(2025)
        terms_before = _term_indicator(2025)
    m = before["metrics"]
    assert (m["org_dangzu"], m["org_committees"], m["org_general_branches"]) == (1, 1, 0)
    assert (m["org_branches"], m["org_joint_branches"]) == (5, 1)
    assert (m["units_total"], m["units_soe"], m["units_restructured"], m["units_private"]) == (1, 1, 0, 2)
    assert (m["members_total"], m["members_probationary"], m["members_female"]) == (9, 1, 3)
    assert m["terms_overdue"] == ["A2"] and m["terms_missing"] == ["M1"]
    assert m["rectifications_overdue"] == 1  # the one due in February 2026 is not overdue in 2025
    assert terms_before["A2"] == "已届满未换届" and terms_before["A1"] == "正常"

    with at(D(2026, 7, 1)):
        _record_2026(tmp_path, orgs)
        after = _figures(2025)
        assert after == before
        assert _compliance_json(2025) == compliance_before
        assert _term_indicator(2025) == terms_before

        now = _figures(2026)["metrics"]
    assert now["org_branches"] == 6  # A3 founded in March 2026
    # Taken as of 2026-12-31 (design §4): A2 re-elected in May; A1's term runs out on 2026-09-01, unrenewed.
    assert now["terms_overdue"] == ["A1"] and now["terms_missing"] == ["M1"]
    assert (now["units_soe"], now["units_restructured"]) == (0, 1)
    # +新党员甲 +转入党员乙 −将转出党员; 预备党员甲 became full, 新党员甲 is probationary
    assert now["members_total"] == 10 and now["members_probationary"] == 1 and now["members_female"] == 4
    assert (now["posts_total"], before["metrics"]["posts_total"]) == (4, 5)  # A2's new term has no seats yet


def test_basic_facts_keys_for_the_json_figures():
    """The keys the report's --json reads (issue 13 part 5), all as of Y-12-31."""
    with at(D(2025, 11, 20)):
        _bureau()
    with at(D(2026, 1, 10)):
        m = Metrics()
        facts.basic_facts(m, 2025, None)
    keys = set(m.items)
    expected = {
        "org_dangzu", "org_committees", "org_general_branches", "org_branches", "org_joint_branches",
        "units_total", *(f"units_{k.value}" for k in UnitKind), "members_total", "members_serving",
        "members_laid_off", "members_retired", "members_probationary", "members_female", "members_floating",
        "terms_overdue", "terms_missing",
    }  # fmt: skip
    assert expected <= keys
    assert m["terms_overdue"] == ["A2"] and m["terms_missing"] == ["M1"]
    assert m["members_serving"] + m["members_laid_off"] + m["members_retired"] == m["members_total"]


def _statistics(year: int) -> dict[str, list]:
    import openpyxl

    from dangjian.reports.ledgers import statistics_workbook

    book = openpyxl.load_workbook(io.BytesIO(statistics_workbook(None, year)), read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_party_statistics_workbook_of_a_past_year_does_not_move(tmp_path):
    with at(D(2025, 11, 20)):
        orgs = _bureau()
    with at(D(2026, 1, 10)):
        before = _statistics(2025)
    kinds = dict((r[0], r[1]) for r in before["党组织"][1:])
    assert (kinds["党组"], kinds["机关党委"], kinds["党支部"], kinds["联合党支部"], kinds["合计"]) == (
        1,
        1,
        4,
        1,
        7,
    )
    with at(D(2026, 7, 1)):
        _record_2026(tmp_path, orgs)
        after = _statistics(2025)
        changed = _statistics(2026)
    assert after == before
    assert dict((r[0], r[1]) for r in changed["党组织"][1:])["党支部"] == 5


def test_dashboard_counts_by_kind_as_of_its_day(tmp_path):
    from dangjian.reports import dashboard

    with at(D(2025, 11, 20)):
        orgs = _bureau()
    with at(D(2026, 7, 1)):
        _record_2026(tmp_path, orgs)
    rows = lambda chart: dict(chart.rows)  # noqa: E731
    old, new = D(2026, 1, 10), D(2026, 7, 1)
    assert rows(dashboard.org_chart(None, old))["党支部"] == 4  # a hand count: A1, A2, S1, M1
    assert rows(dashboard.org_chart(None, new))["党支部"] == 5  # + A3 (March 2026)
    assert (
        rows(dashboard.unit_chart(None, old))["国有企业"],
        rows(dashboard.unit_chart(None, old))["改制企业"],
    ) == (1, 0)
    assert (
        rows(dashboard.unit_chart(None, new))["国有企业"],
        rows(dashboard.unit_chart(None, new))["改制企业"],
    ) == (0, 1)
    standing = {c.id: dict(c.rows) for c in dashboard.member_charts(None, old)}["standing"]
    assert standing == {"正式党员": 8, "预备党员": 1}
    standing = {c.id: dict(c.rows) for c in dashboard.member_charts(None, new)}["standing"]
    assert standing == {"正式党员": 9, "预备党员": 1}
