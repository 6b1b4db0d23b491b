"""Duty lists, items, completion reports and figures (services, with the database)."""

from datetime import date

import pytest

from dangjian.core.actions import Refusal, Stale
from dangjian.core.models import AuditEntry
from dangjian.duties import services
from dangjian.duties.cadence import OccurrenceState
from dangjian.duties.models import DutyListKind, DutyReport, FirstResponsible, ListStatus

from . import factories as f

pytestmark = pytest.mark.django_db


def test_report_states_follow_the_due_date(cast, travel):
    travel(2026, 3, 31)
    dl = f.duty_list(cast["a"], year=2026)
    d = f.duty(dl, responsible_user=cast["member"])
    services.report_duty(d, "2026-03", "已召开支委会", cast["member"])
    travel(2026, 4, 2)
    services.report_duty(d, "2026-04", "四月已开", cast["member"])
    with pytest.raises(Refusal, match="尚未开始"):
        services.report_duty(d, "2026-05", "提前报", cast["member"])
    p = services.progress_for([d], date(2026, 5, 2))[0]
    states = {o.key: s for o, _r, s in p.rows}
    assert states["2026-01"] is OccurrenceState.OVERDUE
    assert states["2026-03"] is OccurrenceState.DONE
    assert states["2026-04"] is OccurrenceState.DONE
    assert states["2026-05"] is OccurrenceState.OPEN
    assert states["2026-06"] is OccurrenceState.UPCOMING
    assert (p.tally.due, p.tally.done, p.tally.overdue) == (4, 2, 2)


def test_late_report_is_accepted_and_marked_late(cast, travel):
    travel(2026, 4, 1)
    d = f.duty(f.duty_list(cast["a"], year=2026), cadence="quarterly")
    services.report_duty(d, "2026Q1", "一季度党员大会已召开", cast["admin_a"])
    p = services.progress_for([d], date(2026, 4, 1))[0]
    assert p.rows[0][2] is OccurrenceState.LATE_DONE
    assert p.tally.on_time == 0 and p.tally.done == 1


def test_amending_a_report_keeps_the_first_time_and_checks_the_version(cast, travel):
    travel(2026, 3, 20)
    d = f.duty(f.duty_list(cast["a"], year=2026))
    r = services.report_duty(d, "2026-03", "初报", cast["admin_a"])
    first_at = r.reported_at
    travel(2026, 4, 5)
    r2 = services.report_duty(d, "2026-03", "补充会议记录", cast["admin_a"], version=r.version)
    assert r2.pk == r.pk and r2.reported_at == first_at and r2.text == "补充会议记录" and r2.version == 2
    with pytest.raises(Stale, match="已被他人修改"):
        services.report_duty(d, "2026-03", "旧页面提交", cast["admin_a"], version=1)
    assert DutyReport.objects.filter(duty=d).count() == 1


def test_reports_refused_for_drafts_retired_items_and_foreign_periods(cast, travel):
    travel(2026, 6, 1)
    draft = f.duty(f.duty_list(cast["a"], year=2026, status=ListStatus.DRAFT))
    with pytest.raises(Refusal, match="尚未印发"):
        services.report_duty(draft, "2026-05", "x", cast["admin_a"])
    d = f.duty(f.duty_list(cast["a"], year=2026, title="另一清单"))
    with pytest.raises(Refusal, match="不在该事项的落实期间"):
        services.report_duty(d, "2025-05", "x", cast["admin_a"])
    with pytest.raises(Refusal, match="周期"):
        services.report_duty(d, "2026Q1", "x", cast["admin_a"])
    with pytest.raises(Refusal, match="完成情况"):
        services.report_duty(d, "2026-05", "  ", cast["admin_a"])
    services.retire_duty(d, cast["bureau"])
    d.refresh_from_db()
    with pytest.raises(Refusal, match="停用"):
        services.report_duty(d, "2026-05", "x", cast["admin_a"])


def test_who_may_report(cast):
    dl = f.duty_list(cast["root"], kind=DutyListKind.DUAL, holder_user=cast["member"])
    unnamed = f.duty(dl)
    named = f.duty(dl, responsible_user=cast["admin_b"])
    assert services.can_report(cast["member"], unnamed)  # the holder of a 一岗双责 list
    assert not services.can_report(cast["member"], named)  # the item names someone else
    assert services.can_report(cast["admin_b"], named)
    assert services.can_report(cast["bureau"], named)
    assert not services.can_report(cast["admin_a"], unnamed)  # the list is the 党组's, not branch A's
    assert not services.can_report(cast["inspector"], unnamed)
    assert list(services.duties_of_user(cast["member"])) == [unnamed]


def test_item_validation(cast):
    dl = f.duty_list(cast["a"], year=2026)
    with pytest.raises(Refusal) as exc:
        f.duty(dl, cadence="once")
    assert exc.value.field == "deadline"
    with pytest.raises(Refusal, match="周期性事项"):
        f.duty(dl, cadence="monthly", deadline=date(2026, 5, 1))
    with pytest.raises(Refusal, match="清单年度"):
        f.duty(dl, starts_on=date(2025, 5, 1))
    one = f.duty(dl, cadence="once", deadline=date(2026, 7, 1))
    assert [o.key for o in services.year_occurrences(one)] == ["once"]
    assert one.seq == 1 and f.duty(dl).seq == 2


def test_list_validation_and_units_audited(cast):
    with pytest.raises(Refusal) as exc:
        services.save_duty_list(
            None,
            {"organization": cast["root"], "kind": DutyListKind.DUAL, "title": "一岗双责", "year": 2026},
            None,
        )
    assert exc.value.field == "holder_name"
    with pytest.raises(Refusal, match="印发日期"):
        services.save_duty_list(
            None,
            {"organization": cast["a"], "kind": "branch", "title": "x", "year": 2026, "status": "issued"},
            None,
        )
    units = list(cast["a"].units.all())
    dl = f.duty_list(cast["root"], kind=DutyListKind.DUAL, actor=cast["bureau"])
    dl2 = services.save_duty_list(
        dl,
        {
            "organization": dl.organization,
            "kind": dl.kind,
            "title": dl.title,
            "year": dl.year,
            "status": dl.status,
            "issued_on": dl.issued_on,
            "holder_name": "李副局长",
        },
        cast["bureau"],
        units=units,
        version=dl.version,
    )
    assert list(dl2.in_charge_units.all()) == units and dl2.version == 2
    assert AuditEntry.objects.filter(
        model="duties.dutylist", object_id=str(dl.pk), changes__has_key="in_charge_units"
    ).exists()


def test_completion_rates_per_list_person_and_item(cast, travel):
    travel(2026, 3, 15)
    dl = f.duty_list(cast["a"], year=2026, title="甲支部清单")
    monthly = f.duty(dl, responsible_user=cast["member"])
    yearly = f.duty(dl, cadence="yearly", responsible_name="张书记", responsible_post="支部书记")
    f.duty(f.duty_list(cast["b"], year=2025, title="去年的清单"))
    travel(2026, 1, 20)
    services.report_duty(monthly, "2026-01", "一月", cast["member"])
    travel(2026, 3, 15)
    data = services.completion_rates(2026, date(2026, 3, 15))
    (lst,) = data["lists"]
    assert lst.label == "甲支部清单" and lst.items == 2
    assert (lst.tally.due, lst.tally.done, lst.tally.overdue, lst.tally.open) == (2, 1, 1, 2)
    persons = {r.label: r for r in data["persons"]}
    assert persons["member_a"].tally.rate == 0.5
    assert persons["张书记"].tally.due == 0 and persons["张书记"].sub == "支部书记"
    items = {r.obj.pk: r for r in data["items"]}
    assert items[monthly.pk].tally.overdue == 1 and items[yearly.pk].tally.open == 1


def test_first_responsible_history(cast):
    a = cast["a"]
    first = services.set_first_responsible(
        a, {"person_name": "张三", "post": "支部书记", "user": None}, cast["bureau"]
    )
    same = services.set_first_responsible(
        a, {"person_name": "张三", "post": "支部书记", "user": None}, cast["bureau"]
    )
    assert same.pk == first.pk
    services.set_first_responsible(
        a, {"person_name": "李四", "post": "支部书记", "user": cast["admin_a"]}, cast["bureau"]
    )
    rows = FirstResponsible.objects.filter(organization=a).order_by("id")
    assert [(r.person_name, r.is_current) for r in rows] == [("张三", False), ("李四", True)]


def test_leading_group_member_retire_keeps_the_record(cast):
    g = f.group(cast["root"], actor=cast["bureau"])
    m = g.members.get()
    services.retire_group_member(m, cast["bureau"], on=date(2026, 2, 1))
    m.refresh_from_db()
    assert not m.is_active and m.ended_on == date(2026, 2, 1)
