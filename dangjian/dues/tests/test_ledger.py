"""The ledger and the year's statistics against a hand count (scenario.py), the months owed only while on the
organisation's roll, the start-month setting, arrears runs, 月提醒 items and 本月待办 lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from dangjian.core import measures
from dangjian.core.measures import MeasureStatus
from dangjian.core.nav import todo_lines
from dangjian.core.periods import Period
from dangjian.dues import arrears, ledger, reminders, services, stats
from dangjian.dues.models import DuesConfig
from dangjian.orgs.models import Organization

from . import scenario
from .scenario import HAND, TODAY

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def bureau(cast, frozen):
    return {**cast, **scenario.build(cast)}


def test_year_figures_match_the_hand_count(bureau):
    result = stats.year_stats(2026, TODAY)
    assert result.months == [date(2026, m, 1) for m in range(1, 11)]
    orgs = {r.org.code: r.totals for r in result.orgs}
    assert set(orgs) == {"A", "B"}
    for code, want in HAND["orgs"].items():
        got = orgs[code]
        assert (got.due, got.paid, got.arrears) == (D(want["due"]), D(want["paid"]), D(want["arrears"])), code
    lines = {m.facts.name: m for m in result.members}
    assert set(lines) == set(HAND["members"])
    for name, (monthly, months_due, months_paid, arrears_months) in HAND["members"].items():
        m = lines[name]
        assert m.monthly_due.amount == (D(monthly) if monthly else None), name
        assert (m.totals.months_due, m.totals.months_paid, m.totals.arrears_months) == (
            months_due,
            months_paid,
            arrears_months,
        ), name
    assert result.total.due == D("1242.00") and result.total.paid == D("672.00")
    assert {m.facts.name for m in result.missing_base} == {"转出党员", "乙支部党员0", "乙支部党员1"}
    assert [m.facts.name for m in result.not_yet_assessed] == ["甲支部党员1"]  # only a 2025 base, carried on


def test_the_json_of_design_4(bureau):
    data = stats.as_json(stats.year_stats(2026, TODAY))
    assert set(data) == {"year", "orgs", "members"} and data["year"] == 2026
    assert data["orgs"] == [
        {"org": "A", "due": 1202.0, "paid": 632.0, "arrears": 680.0},
        {"org": "B", "due": 40.0, "paid": 40.0, "arrears": 0.0},
    ]
    a0 = next(m for m in data["members"] if m["id_number"] == bureau["a0"].id_number)
    assert a0 == {
        "id_number": bureau["a0"].id_number,
        "category": "在职",
        "monthly_due": 45.0,
        "months_due": 10,
        "months_paid": 8,
        "arrears_months": 2,
    }
    leaver = next(m for m in data["members"] if m["id_number"] == bureau["leaver"].id_number)
    assert leaver["monthly_due"] is None


def test_months_count_only_while_on_the_organisations_roll(bureau):
    """The mover owes January–June to A and July–October to B; the one who left in April owes nothing after
    March; the 预备党员 accepted on 15 May owes from May."""
    only_a = stats.year_stats(2026, TODAY, orgs=Organization.objects.filter(code="A"))
    lines = {m.facts.name: m.totals for m in only_a.members}
    assert lines["调动党员"].months_due == 6
    assert lines["转出党员"].months_due == 3
    assert lines["新党员"].months_due == 6
    assert "乙支部党员0" not in lines
    only_b = stats.year_stats(2026, TODAY, orgs=Organization.objects.filter(code="B"))
    assert {m.facts.name: m.totals.months_due for m in only_b.members} == {
        "调动党员": 4,
        "乙支部党员0": 10,
        "乙支部党员1": 10,
    }


def test_a_past_year_counts_all_twelve_months(bureau):
    result = stats.year_stats(2025, TODAY, orgs=Organization.objects.filter(code="A"))
    a1 = next(m for m in result.members if m.facts.name == "甲支部党员1")
    assert (a1.totals.months_due, a1.totals.months_paid, a1.totals.paid) == (12, 12, D("720.00"))


def test_the_start_month_is_a_setting(bureau):
    """Under 上级党委批准当月起 the 预备党员 owes from the 生效月份 of the first base the branch entered for it."""
    new = bureau["new"]
    base = new.dues_bases.get()
    base.effective_month = 7
    base.save()
    assert (
        stats.year_stats(2026, TODAY, member_ids=[new.pk]).members[0].totals.months_due == 6
    )  # meeting: May
    DuesConfig.objects.create(start_rule="approval")
    line = stats.year_stats(2026, TODAY, member_ids=[new.pk]).members[0]
    assert line.totals.months_due == 4  # July–October
    assert line.cells[0].month == date(2026, 7, 1)


def test_the_monthly_ledger_of_a_branch(bureau):
    sheet = ledger.build([date(2026, 3, 1)], TODAY, orgs=Organization.objects.filter(code="A"))
    cells = {sheet.members[c.member_id].name: c for c in sheet.cells}
    assert cells["甲支部党员0"].amount == D("45.00") and cells["甲支部党员0"].shortfall == D("5.00")
    assert cells["转出党员"].amount is None  # still on A's roll at the end of March
    t = sheet.totals()
    assert (t.due, t.paid, t.arrears) == (D("115.20"), D("50.20"), D("65.00"))
    # the month in progress: owed as of today, not yet ended
    now = ledger.build([date(2026, 11, 1)], TODAY, orgs=Organization.objects.filter(code="A"))
    assert "转出党员" not in {now.members[c.member_id].name for c in now.cells}


def test_arrears_runs_reminders_and_todo(bureau):
    as_of = date(2026, 11, 1)
    found = {a.name: a for a in arrears.in_arrears(as_of, None, 1)}
    assert found["甲支部党员1"].months == 10 and found["甲支部党员1"].since == date(2026, 1, 1)
    assert found["甲支部党员1"].owed == D("600.00")
    assert found["新党员"].months == 2
    assert "甲支部党员0" not in found and "转出党员" not in found and "免交党员" not in found
    assert found["乙支部党员0"].months == arrears.WINDOW  # never paid: the whole window
    a, b = bureau["a"], bureau["b"]
    items = reminders.items_for_month(Period.month(2026, 11), as_of, [a.pk, b.pk])
    assert items[a.pk] == [{"type": "dues", "member": "甲支部党员1", "arrears_months": 10}]
    assert [i["member"] for i in items[b.pk]] == ["乙支部党员0", "乙支部党员1"]
    lines = todo_lines(bureau["admin_a"], a, TODAY)
    assert len(lines) == 1 and lines[0].overdue and "甲支部党员1（10个月）" in lines[0].meta
    assert (
        todo_lines(bureau["member"], a, TODAY) == []
    )  # a member's home is their own, not the branch's arrears


def test_paying_up_clears_the_run(bureau):
    a1 = bureau["a1"]
    for month in range(1, 11):
        scenario.pay(a1, date(2026, month, 1), "60", paid_on=date(2026, 11, 20))
    assert arrears.member_arrears(a1, date(2026, 11, 1)) is None
    line = stats.year_stats(2026, TODAY, member_ids=[a1.pk]).members[0]
    assert (line.totals.months_paid, line.totals.arrears) == (10, D("0.00"))
    assert a1.dues_payments.filter(month=date(2026, 1, 1)).get().kind == "补交"


def test_a_mid_year_change_of_income_applies_from_its_month(bureau):
    a0 = bureau["a0"]
    services.save_base(a0, services.BaseData(2026, 7, income=D("5200")))  # 1.5 % from July (党费规定 第十条)
    line = stats.year_stats(2026, TODAY, member_ids=[a0.pk]).members[0]
    assert [c.amount for c in line.cells] == [D("45.00")] * 6 + [D("78.00")] * 4
    assert line.monthly_due.amount == D("78.00")
    assert line.totals.arrears_months == 2 + 4  # paid 45 in July–October: short


def test_the_collection_measure(bureau):
    """core.measures "dues_collection": months paid of months owed in the subtree (A: 39 of 55), in progress until
    the year ends."""
    value = measures.value("dues_collection", bureau["a"], date(2026, 12, 31), TODAY)
    assert (value.status, value.progress) == (MeasureStatus.PENDING, 70) and "39/55" in value.detail
    after = measures.value("dues_collection", bureau["b"], date(2026, 10, 31), date(2027, 1, 5))
    assert after.status == MeasureStatus.UNMET and "4/24" in after.detail
