"""Issue 13, done-when: on the demo bureau, recording what 2026 brings changes nothing in the 2025 figures.

The 2025 report's text (all but its signature date), its `--json` figures and `compliance --year 2025 --json` are
taken before and after 2026's facts arrive: a branch founded in March 2026, a branch overdue through 2025 re-elected
in May 2026, a unit's kind changed in 2026, members joining in 2026, meetings held in 2026 and a requirement
revision valid from 2026-01-01 (a correction the bureau makes in November 2026)."""

from __future__ import annotations

import json
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from dangjian import factories as f
from dangjian.compliance import services as compliance
from dangjian.compliance.models import Requirement
from dangjian.orgs.models import Organization, OrgKind, Unit, UnitKind
from dangjian.orgs.services import organizations as org_services
from dangjian.orgs.services import terms as term_services
from dangjian.reports import annual

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=TZ), tick=False)


def _command_json(*args: str) -> dict:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def _year_2025() -> dict:
    report = annual.build(2025)
    return {
        "text": report.body_text(),
        "figures": _command_json("report", "--year", "2025"),
        "compliance": _command_json("compliance", "--year", "2025"),
    }


def _record_2026(overdue_code: str) -> None:
    organ = Organization.objects.filter(kind=OrgKind.ORGAN_COMMITTEE).first()
    unit = org_services.create_unit(name="新设商贸服务中心", kind=UnitKind.INSTITUTION, actor_name="测试")
    founded = org_services.create_organization(
        parent=organ,
        name="新设商贸服务中心党支部",
        kind=OrgKind.BRANCH,
        founded_on=date(2026, 3, 10),
        units=[unit],
        actor_name="测试",
    )
    term_services.record_election(
        Organization.objects.get(code=overdue_code),
        date(2026, 5, 20),
        None,
        [],
        actor_name="测试",
        require_posts=False,
    )
    soe = Unit.objects.filter(kind=UnitKind.SOE).first()
    org_services.change_unit_kind(
        soe,
        kind=UnitKind.BANKRUPTING,
        valid_from=date(2026, 6, 1),
        expected_version=soe.version,
        actor_name="测试",
    )
    for i in range(3):
        f.member(founded, f"新党员{i}", join_date=date(2026, 7, 1), full_date=None)
    branch = Organization.objects.filter(kind=OrgKind.BRANCH).exclude(pk=founded.pk).first()
    f.member(
        branch,
        "转入党员",
        join_date=date(2010, 7, 1),
        full_date=date(2011, 7, 1),
        arrived_on=date(2026, 4, 2),
    )
    from dangjian.compliance.tests import factories as cf

    cf.activity(branch, date(2026, 4, 20), "theme_day", "branch_assembly", "party_lecture")
    cf.activity(founded, date(2026, 4, 21), "theme_day")
    theme = Requirement.objects.get(key="theme_day")
    compliance.update_requirement(
        theme,
        {"minimum": 2},
        version=theme.version,
        valid_from=date(2026, 1, 1),
        reason="2026年起主题党日每月两次（局党组更正）",
        actor_name="命令行",
    )


def _overdue_through_2025() -> None:
    """The issue's branch: its term ran out in June 2024 and it was not renewed in 2025 (the demo has none)."""
    organ = Organization.objects.filter(kind=OrgKind.ORGAN_COMMITTEE).first()
    late = f.org("机关第九党支部", parent=organ, code="LATE9", founded_on=date(2018, 3, 1))
    f.term(late, elected_on=date(2021, 6, 1), secretary="九支书记")
    f.member(late, "九支党员甲")


def test_recording_2026_changes_nothing_in_2025_on_the_demo():
    with _at(date(2026, 11, 27)):
        call_command("seed_demo", "--seed", "7", stdout=StringIO())
        _overdue_through_2025()
        before = _year_2025()
        overdue = before["figures"]["figures"]["terms_overdue"]["orgs"]
        assert "LATE9" in overdue
        branches_2026 = _command_json("report", "--year", "2026")["figures"]["orgs_by_kind"]["党支部"]

        _record_2026("LATE9")
        after = _year_2025()
        now = _command_json("report", "--year", "2026")["figures"]

    assert after["figures"] == before["figures"]
    assert after["compliance"] == before["compliance"]
    assert after["text"] == before["text"]
    # …while 2026 sees what was recorded.
    assert now["orgs_by_kind"]["党支部"] == branches_2026 + 1
    assert "LATE9" not in now["terms_overdue"]["orgs"]
