"""members.asof: the roll as of a day from dated facts; the roster's 转入本组织日期 column."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from dangjian import factories as f
from dangjian.members import asof, services
from dangjian.members.choices import EventKind
from dangjian.members.models import Member, MembershipEvent
from dangjian.members.roster import HEADER
from dangjian.orgs.models import Organization, OrgKind

from .factories import roster_row, write_roster

pytestmark = pytest.mark.django_db
D = date


@pytest.fixture
def tree():
    root = f.org("党组", kind=OrgKind.DANGZU, code="ROOT")
    a = f.org("甲支部", parent=root, code="A")
    b = f.org("乙支部", parent=root, code="B")
    return root, a, b


def _names(day, orgs=None):
    return sorted(asof.members_on_roll(day, orgs).values_list("name", flat=True))


def test_joined_arrived_left_on_the_boundary_days(tree):
    _, a, _ = tree
    f.member(a, "老党员", join_date=D(2000, 7, 1))
    f.member(a, "新党员", join_date=D(2026, 2, 1), full_date=None)
    f.member(a, "转入党员", join_date=D(2001, 7, 1), arrived_on=D(2026, 4, 1))
    gone = f.member(a, "转出党员", join_date=D(2003, 7, 1))
    with time_machine.travel(D(2026, 6, 1), tick=False):
        services.end_membership(
            gone, EventKind.TRANSFER_OUT, D(2026, 5, 10), destination="外县", expected_version=gone.version
        )
    assert _names(D(2025, 12, 31)) == ["老党员", "转出党员"]
    assert _names(D(2026, 2, 1)) == ["新党员", "老党员", "转出党员"]  # joined that day
    assert _names(D(2026, 3, 31)) == ["新党员", "老党员", "转出党员"]
    assert _names(D(2026, 4, 1)) == ["新党员", "老党员", "转入党员", "转出党员"]  # arrived that day
    assert _names(D(2026, 5, 9)) == ["新党员", "老党员", "转入党员", "转出党员"]
    assert _names(D(2026, 5, 10)) == ["新党员", "老党员", "转入党员"]  # left that day


def test_probationary_then_is_not_yet_full_that_day(tree):
    _, a, _ = tree
    f.member(a, "预备党员", join_date=D(2025, 3, 1), full_date=D(2026, 3, 1))
    assert [m.name for m in asof.probationary_on(D(2026, 2, 28))] == ["预备党员"]
    assert not asof.probationary_on(D(2026, 3, 1)).exists()
    m = Member.objects.get(name="预备党员")
    assert asof.is_probationary_on(m, D(2026, 2, 28)) and not asof.is_probationary_on(m, D(2026, 3, 1))


def test_a_move_inside_the_system_counts_in_the_old_branch_before_it(tree):
    _, a, b = tree
    m = f.member(a, "转接党员")
    with time_machine.travel(D(2026, 6, 1), tick=False):
        services.move_member(m, b, D(2026, 4, 15), expected_version=m.version)
    only = lambda org: Organization.objects.filter(pk=org.pk)  # noqa: E731
    assert _names(D(2026, 4, 14), only(a)) == ["转接党员"] and _names(D(2026, 4, 14), only(b)) == []
    assert _names(D(2026, 4, 15), only(a)) == [] and _names(D(2026, 4, 15), only(b)) == ["转接党员"]


def test_create_member_transferred_in_counts_from_the_transfer(tree):
    _, a, _ = tree
    facts = services.MemberFacts(
        name="外来党员", gender="男", ethnicity="汉族", id_number=f.member(a).id_number[:-4] + "0000",
        birth_date=D(1980, 5, 1), education="大学本科", join_date=D(2010, 7, 1), full_date=D(2011, 7, 1),
        category="在职", workplace="", phone="",
    )  # fmt: skip
    from dangjian.core.idnumber import make_id_number

    facts.id_number = make_id_number("411402", D(1980, 5, 1), 991)
    with time_machine.travel(D(2026, 6, 1), tick=False):
        services.create_member(facts, a, transfer_in=services.TransferIn(D(2026, 5, 1), "外县某支部"))
    assert Member.objects.get(name="外来党员").arrived_on == D(2026, 5, 1)
    assert "外来党员" not in _names(D(2026, 4, 30)) and "外来党员" in _names(D(2026, 5, 1))


def _import(path):
    out = io.StringIO()
    code = 0
    try:
        call_command("import_roster", str(path), "--json", stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


@time_machine.travel(D(2026, 11, 27), tick=False)
def test_roster_arrival_column_and_its_synonym(tree, tmp_path):
    rows = [
        roster_row("A", 姓名="转入甲", 转入本组织日期=D(2026, 3, 1)),
        roster_row("A", 姓名="本支部乙"),
    ]
    code, report = _import(write_roster(tmp_path / "r.xlsx", rows))
    assert code == 0 and report["created"] == 2, report
    m = Member.objects.get(name="转入甲")
    assert m.arrived_on == D(2026, 3, 1)
    assert list(MembershipEvent.objects.filter(member=m).values_list("kind", "date", "to_org")) == [
        (EventKind.JOINED, D(2010, 7, 1), None),
        (EventKind.FULL, D(2011, 7, 1), None),
        (EventKind.TRANSFER_IN, D(2026, 3, 1), m.organization_id),
    ]
    assert _names(D(2025, 12, 31)) == ["本支部乙"]
    assert _names(D(2026, 3, 1)) == ["本支部乙", "转入甲"]
    # The same file again: unchanged. A file without the column keeps the date on file.
    assert _import(write_roster(tmp_path / "r.xlsx", rows))[1]["unchanged"] == 2
    header = [h for h in HEADER if h != "转入本组织日期"]
    code, report = _import(write_roster(tmp_path / "n.xlsx", rows, header))
    assert report["unchanged"] == 2
    assert Member.objects.get(name="转入甲").arrived_on == D(2026, 3, 1)
    # The synonym 转入日期; a date before joining or in the future is rejected on its column.
    header = [*header, "转入日期"]
    rows[0]["转入日期"] = D(2009, 1, 1)
    code, report = _import(write_roster(tmp_path / "s.xlsx", rows, header))
    assert code == 1 and report["errors"][0]["column"] == "转入本组织日期"
    assert "早于入党日期" in report["errors"][0]["message"]
    rows[0]["转入日期"] = D(2026, 12, 1)
    code, report = _import(write_roster(tmp_path / "s.xlsx", rows, header))
    assert code == 1 and "晚于今天" in report["errors"][0]["message"]
    rows[0]["转入日期"] = D(2026, 4, 1)
    code, report = _import(write_roster(tmp_path / "s.xlsx", rows, header))
    assert code == 0 and report["updated"] == 1
    assert Member.objects.get(name="转入甲").arrived_on == D(2026, 4, 1)
