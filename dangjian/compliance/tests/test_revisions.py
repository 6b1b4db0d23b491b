"""Issue 13, parts 2 and 3: dated requirement revisions (a rule edit never rewrites periods that have started,
unless the bureau corrects them, audited) and review-gated 达标 (待审核), through the pages and the CLI."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from dangjian.activities.models import Activity
from dangjian.compliance import services
from dangjian.compliance.engine import Status
from dangjian.compliance.models import Requirement, RequirementRevision
from dangjian.core.models import AuditEntry
from dangjian.core.periods import Period

from . import factories as cf
from .test_command import cli

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=TZ), tick=False)


def theme_rows(out: str, org: str = "A") -> dict[str, dict]:
    doc = json.loads(out)
    return {r["period"]: r for r in doc["results"] if r["requirement"] == "theme_day" and r["org"] == org}


def edit_form(client, req: Requirement, **over) -> dict:
    form = client.get(f"/compliance/requirements/{req.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(kind=req.kind_id, is_core="on", is_active="on", **over)
    return data


@pytest.fixture
def records(cast):
    a = cast["a"]
    cf.activity(a, date(2025, 1, 10), "theme_day")
    cf.activity(a, date(2026, 1, 10), "theme_day")
    return cast


def test_default_requirements_are_revision_one_from_the_beginning(cast):
    revs = RequirementRevision.objects.filter(requirement__key="theme_day")
    assert [(r.number, r.valid_from, r.minimum) for r in revs] == [(1, date(1900, 1, 1), 1)]
    assert RequirementRevision.objects.count() == Requirement.objects.count()


def test_a_rule_edit_from_the_next_period_leaves_the_past_alone(records, login, monkeypatch, capsys):
    theme = Requirement.objects.get(key="theme_day")
    with at(date(2025, 12, 15)):
        code, before, _ = cli(monkeypatch, capsys, "--year", "2025", "--json")
        assert code == 0
        client = login(records["bureau"])
        page = client.get(f"/compliance/requirements/{theme.pk}/edit/").content.decode()
        assert "2026-01-01" in page  # the default start: the requirement's next period
        # 主题党日 1 → 2, from the default start (the next month)
        r = client.post(f"/compliance/requirements/{theme.pk}/edit/", edit_form(client, theme, minimum=2))
        assert r.status_code == 302
        code, after, _ = cli(monkeypatch, capsys, "--year", "2025", "--json")
        assert code == 0 and after == before  # compliance --year 2025 --json: identical
    rev = RequirementRevision.objects.get(requirement=theme, number=2)
    assert (rev.valid_from, rev.minimum, rev.is_correction) == (date(2026, 1, 1), 2, False)
    assert AuditEntry.objects.filter(model="compliance.requirementrevision", object_id=str(rev.pk)).exists()
    with at(date(2026, 3, 15)):
        rows = theme_rows(cli(monkeypatch, capsys, "--year", "2025", "--json")[1])
        assert (rows["2025-01"]["required"], rows["2025-01"]["status"]) == (1, "达标")
        rows = theme_rows(cli(monkeypatch, capsys, "--year", "2026", "--json")[1])
        assert (rows["2026-01"]["required"], rows["2026-01"]["done"], rows["2026-01"]["status"]) == (
            2,
            1,
            "未达标",
        )
        # the cell says which revision and citation applied
        client = login(records["bureau"])
        html = client.get(f"/compliance/org/{records['a'].pk}/theme_day/2026-01/").content.decode()
        assert "适用第2版规则" in html
        grid = client.get("/compliance/?period=2026-01").content.decode()
        assert "2026年1月：未达标（1/2，第2版规则）" in grid  # the grid cell's title names the revision
        html = client.get(f"/compliance/org/{records['a'].pk}/theme_day/2025-01/").content.decode()
        assert "适用第1版规则" in html and theme.citation in html


def test_a_correction_by_the_bureau_changes_the_past_shows_it_first_and_is_audited(
    records, login, monkeypatch, capsys
):
    theme = Requirement.objects.get(key="theme_day")
    with at(date(2026, 3, 15)):
        rows = theme_rows(cli(monkeypatch, capsys, "--year", "2025", "--json")[1])
        assert rows["2025-01"]["status"] == "达标"
        client = login(records["bureau"])
        data = edit_form(client, theme, minimum=2, valid_from="2025-01-01")
        # first the page lists what would change, and saves nothing
        r = client.post(f"/compliance/requirements/{theme.pk}/edit/", data)
        html = r.content.decode()
        assert r.status_code == 200 and "更正既往" in html and "correction-preview" in html
        assert "2025年1月" in html and "测试第一党支部" in html
        assert RequirementRevision.objects.filter(requirement=theme).count() == 1
        # confirmed, without a reason: refused
        r = client.post(f"/compliance/requirements/{theme.pk}/edit/", {**data, "confirm": "on"})
        assert "请写明更正理由" in r.content.decode()
        r = client.post(
            f"/compliance/requirements/{theme.pk}/edit/",
            {**data, "confirm": "on", "reason": "上级文件要求自2025年起每月两次"},
        )
        assert r.status_code == 302
        rows = theme_rows(cli(monkeypatch, capsys, "--year", "2025", "--json")[1])
        assert (rows["2025-01"]["required"], rows["2025-01"]["status"]) == (2, "未达标")
    rev = RequirementRevision.objects.get(requirement=theme, valid_from=date(2025, 1, 1))
    assert rev.is_correction and rev.created_by == records["bureau"]
    entry = AuditEntry.objects.get(model="compliance.requirementrevision", object_id=str(rev.pk))
    assert "更正既往" in entry.note and "上级文件要求" in entry.note and entry.actor == records["bureau"]


def test_an_org_admin_cannot_correct_the_past(records, login):
    theme = Requirement.objects.get(key="theme_day")
    with at(date(2026, 3, 15)):
        client = login(records["admin_a"])
        r = client.post(
            f"/compliance/requirements/{theme.pk}/edit/",
            {"minimum": 2, "valid_from": "2025-01-01", "confirm": "on", "reason": "想改"},
        )
        assert r.status_code == 403
        with pytest.raises(PermissionDenied):
            services.update_requirement(
                theme,
                {"minimum": 2},
                version=theme.version,
                actor=records["admin_a"],
                valid_from=date(2025, 1, 1),
                reason="想改一下",
            )
        # not even a future revision is theirs to set through the page
        r = client.post(f"/compliance/requirements/{theme.pk}/edit/", {"minimum": 2})
        assert r.status_code == 403
    assert RequirementRevision.objects.filter(requirement=theme).count() == 1


def test_a_revision_write_invalidates_the_memoised_whole_tree_results(records):
    """The whole-tree evaluation reuses ended periods' results (core.memo) under the versions of the tables they
    read (core.stamps): a write to the revisions table alone must give those results a new key."""
    from dangjian.compliance import periodcache
    from dangjian.core import stamps

    topics = periodcache.period_topics(Period.parse("2025-01"))
    assert "compliance_requirementrevision" in topics
    before = stamps.versions(topics)
    RequirementRevision.objects.filter(requirement__key="theme_day").update(minimum=2)
    assert stamps.versions(topics) != before
    # and the evaluation reads the revision (the requirement row untouched)
    rs = services.evaluate(Period.parse("2025-01"), None, date(2026, 3, 15))
    r = next(r for r in rs if r.org_code == "A" and r.requirement_key == "theme_day")
    assert (r.required, r.status) == (2, Status.UNMET)


def test_revision_validation(cast):
    theme = Requirement.objects.get(key="theme_day")
    with pytest.raises(Exception, match="周期的第一天"):
        services.update_requirement(
            theme, {"minimum": 2}, version=theme.version, valid_from=date(2026, 5, 2), today=date(2026, 3, 15)
        )
    lecture = Requirement.objects.get(key="party_lecture")  # quarterly → monthly: from a year's start
    with pytest.raises(Exception, match="1月1日"):
        services.update_requirement(
            lecture,
            {"period": "month"},
            version=lecture.version,
            valid_from=date(2026, 4, 1),
            today=date(2026, 3, 15),
        )


def test_dated_revocation_keeps_earlier_periods_exempt(cast, monkeypatch, capsys):
    theme = Requirement.objects.get(key="theme_day")
    ex = services.grant_exemption(cast["a"], theme, date(2025, 1, 1), date(2025, 12, 31), "企业停产整顿期间")
    with at(date(2025, 6, 15)):
        services.revoke_exemption(ex, "复产", version=ex.version, actor=cast["bureau"])
    with at(date(2026, 3, 15)):
        rows = theme_rows(cli(monkeypatch, capsys, "--year", "2025", "--json")[1])
    # periods started before the revocation (June included) keep 豁免; July on owes the meeting
    assert [rows[f"2025-{m:02d}"]["status"] for m in (5, 6, 7)] == ["豁免", "豁免", "未达标"]
    ex.refresh_from_db()
    assert ex.revoked_from == date(2025, 6, 15) and ex.effective_end == date(2025, 6, 14)


# --- part 3: review gates 达标 -----------------------------------------------------------------------------
@at(date(2026, 3, 15))
def test_cli_status_set_and_done_counts_only_approved(cast, monkeypatch, capsys):
    a = cast["a"]
    approved = cf.activity(a, date(2025, 1, 10), "theme_day")
    waiting = cf.activity(a, date(2025, 2, 10), "theme_day", status="submitted")
    cf.activity(a, date(2025, 3, 10), "theme_day", status="draft")
    cf.activity(a, date(2025, 4, 10), "theme_day", status="returned")
    code, out, _ = cli(monkeypatch, capsys, "--year", "2025", "--org", "A", "--json")
    assert code == 0
    doc = json.loads(out)
    assert {r["status"] for r in doc["results"]} <= {"达标", "未达标", "进行中", "待审核", "不适用", "豁免"}
    rows = theme_rows(out)
    assert (rows["2025-01"]["status"], rows["2025-01"]["done"], rows["2025-01"]["activities"]) == (
        "达标",
        1,
        [approved.pk],
    )
    assert (rows["2025-02"]["status"], rows["2025-02"]["done"], rows["2025-02"]["activities"]) == (
        "待审核",
        0,
        [],
    )
    assert [rows[p]["status"] for p in ("2025-03", "2025-04")] == ["未达标", "未达标"]
    # approved by the superior: the period is 达标
    from dangjian.activities import services as activities

    activities.approve(Activity.objects.get(pk=waiting.pk), actor=cast["bureau"])
    rows = theme_rows(cli(monkeypatch, capsys, "--year", "2025", "--org", "A", "--json")[1])
    assert (rows["2025-02"]["status"], rows["2025-02"]["done"]) == ("达标", 1)


@at(date(2026, 3, 15))
def test_awaiting_review_in_the_grid_and_the_cell(cast, login):
    a = cast["a"]
    cf.activity(a, date(2025, 2, 10), "theme_day", topic="二月主题党日", status="submitted")
    client = login(cast["bureau"])
    html = client.get("/compliance/?period=2025-02").content.decode()
    assert 'class="status-待审核"' in html and 'aria-label="待审核' in html and "mark-awaiting" in html
    assert '<span class="tag status-待审核">待审核</span>' in html  # the legend (status counts)
    html = client.get(f"/compliance/org/{a.pk}/theme_day/2025-02/").content.decode()
    assert "二月主题党日" in html and "待审核、暂不计入的记录" in html


def test_on_the_demo_data_later_rules_and_records_leave_2025_unchanged(monkeypatch, capsys):
    """The issue's promise on the demo bureau: a 2026 rule revision, a revocation and 2026 records change nothing
    in `compliance --year 2025 --json`."""
    from io import StringIO

    from django.core.management import call_command

    with at(date(2026, 11, 27)):
        call_command("seed_demo", "--seed", "7", stdout=StringIO())
        code, before, _ = cli(monkeypatch, capsys, "--year", "2025", "--json")
        assert code == 0 and len(json.loads(before)["results"]) > 100
        theme = Requirement.objects.get(key="theme_day")
        services.update_requirement(
            theme, {"minimum": 2}, version=theme.version, reason="2026年12月起每月两次"
        )
        for ex in services.Exemption.objects.filter(revoked=False):
            services.revoke_exemption(ex, "企业已重组", version=ex.version)
        branch = Activity.objects.filter(date__year=2026).first().organization
        cf.activity(branch, date(2026, 11, 20), "theme_day", "branch_assembly")
        code, after, _ = cli(monkeypatch, capsys, "--year", "2025", "--json")
        assert code == 0 and after == before
    with at(date(2027, 1, 5)):
        rows = theme_rows(cli(monkeypatch, capsys, "--year", "2026", "--json")[1], branch.code)
        assert (rows["2026-11"]["required"], rows["2026-12"]["required"]) == (1, 2)
