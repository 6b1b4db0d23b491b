"""members.services and members.access, below the pages."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from dangjian.core.models import AuditEntry
from dangjian.members import access, rules, services
from dangjian.members.choices import EventKind, Status
from dangjian.members.models import Member

from .factories import roster_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel(date(2026, 11, 27), tick=False):
        yield


def facts(**kw) -> rules.MemberFacts:
    values, errors = rules.check_member(roster_row("A", **kw), date(2026, 11, 27))
    assert not errors, errors
    return values


def test_visible_members_per_role(cast):
    everyone = set(Member.objects.values_list("pk", flat=True))
    assert set(access.visible_members(cast["bureau"]).values_list("pk", flat=True)) == everyone
    assert set(access.visible_members(cast["inspector"]).values_list("pk", flat=True)) == everyone
    assert {m.pk for m in cast["members_a"]} == set(
        access.visible_members(cast["admin_a"]).values_list("pk", flat=True)
    )
    assert list(access.visible_members(cast["member"])) == [cast["members_a"][0]]
    assert not access.visible_members(cast["auditor"]).exists()
    assert not access.editable_members(cast["inspector"]).exists()


def test_full_identity_rights(cast):
    own, other, in_b = cast["members_a"][0], cast["members_a"][1], cast["members_b"][0]
    assert access.may_see_full_identity(cast["member"], own)
    assert not access.may_see_full_identity(cast["member"], other)
    assert access.may_see_full_identity(cast["admin_a"], other)
    assert not access.may_see_full_identity(cast["admin_a"], in_b)
    assert access.may_see_full_identity(cast["bureau"], in_b)
    assert not access.may_see_full_identity(cast["inspector"], in_b)


def test_create_member_records_joining_and_audits(cast):
    m = services.create_member(facts(姓名="单田芳"), cast["a"], actor=cast["bureau"])
    assert m.initials == "STF" and m.version == 1
    assert [(e.kind, e.date) for e in m.events.all()] == [
        (EventKind.JOINED, date(2010, 7, 1)),
        (EventKind.FULL, date(2011, 7, 1)),
    ]
    entry = AuditEntry.objects.get(action="member.create", object_id=str(m.pk))
    assert entry.actor == cast["bureau"] and entry.changes["name"] == [None, "单田芳"]


def test_create_refuses_non_branch_out_of_scope_and_duplicates(cast):
    with pytest.raises(services.MemberError, match="党支部"):
        services.create_member(facts(), cast["organ"], actor=cast["bureau"])
    with pytest.raises(services.MemberError, match="管理范围"):
        services.create_member(facts(), cast["b"], actor=cast["admin_a"])
    f = facts()
    f.id_number = cast["members_b"][0].id_number
    with pytest.raises(services.MemberError, match="已登记"):
        services.create_member(f, cast["a"], actor=cast["bureau"])


def test_transfer_in(cast):
    t = services.TransferIn(on=date(2026, 9, 1), source="外县某党支部", note="介绍信 2026-012")
    m = services.create_member(facts(), cast["a"], transfer_in=t)
    e = m.events.get()
    assert (e.kind, e.destination, e.to_org, e.recorded_by) == (
        EventKind.TRANSFER_IN,
        "外县某党支部",
        cast["a"],
        "系统",
    )
    with pytest.raises(services.MemberError, match="晚于今天"):
        services.create_member(facts(), cast["a"], transfer_in=services.TransferIn(date(2027, 1, 1), "某地"))


def test_update_checks_the_version_and_records_full(cast):
    m = cast["members_a"][1]
    Member.objects.filter(pk=m.pk).update(full_date=None)
    m.refresh_from_db()
    with pytest.raises(services.StaleVersionError):
        services.update_member(m, {"phone": "13900000000"}, expected_version=m.version + 1)
    changes = services.update_member(
        m, {"full_date": date(2006, 7, 1)}, expected_version=1, actor=cast["bureau"]
    )
    assert changes["full_date"] == [None, "2006-07-01"] and m.version == 2
    assert m.initials == "JZBDY1"  # kept up to date on every save
    assert m.events.get().kind == EventKind.FULL
    # a second writer who still holds version 1 is refused, even though the object in memory is fresh
    other = Member.objects.get(pk=m.pk)
    Member.objects.filter(pk=m.pk).update(version=5)
    with pytest.raises(services.StaleVersionError):
        services.update_member(other, {"phone": "13900000000"}, expected_version=2)
    assert services.update_member(Member.objects.get(pk=m.pk), {"phone": ""}, expected_version=5) == {}


def test_move_rules(cast):
    m = cast["members_a"][1]
    with pytest.raises(services.MemberError, match="相同"):
        services.move_member(m, cast["a"], date(2026, 1, 1), expected_version=m.version)
    with pytest.raises(services.MemberError, match="管理范围"):
        services.move_member(
            m, cast["b"], date(2026, 1, 1), expected_version=m.version, actor=cast["admin_a"]
        )
    with pytest.raises(services.MemberError, match="党支部"):
        services.move_member(m, cast["organ"], date(2026, 1, 1), expected_version=m.version)
    with pytest.raises(services.MemberError, match="晚于今天"):
        services.move_member(m, cast["b"], date(2027, 1, 1), expected_version=m.version)
    with pytest.raises(services.StaleVersionError):
        services.move_member(m, cast["b"], date(2026, 1, 1), expected_version=m.version - 1)
    services.move_member(m, cast["b"], date(2026, 1, 1), expected_version=m.version, actor=cast["bureau"])
    assert Member.objects.get(pk=m.pk).organization == cast["b"]


def test_leaving_keeps_the_record(cast):
    m = cast["members_a"][1]
    with pytest.raises(services.MemberError, match="原因"):
        services.end_membership(m, EventKind.LEFT, date(2026, 1, 1), expected_version=m.version)
    services.end_membership(
        m, EventKind.LEFT, date(2026, 1, 1), expected_version=m.version, note="除名，党委批复"
    )
    m = Member.objects.get(pk=m.pk)
    assert (m.status, m.left_on) == (Status.LEFT, date(2026, 1, 1))
    with pytest.raises(services.MemberError, match="不能办理"):
        services.end_membership(m, EventKind.DECEASED, date(2026, 2, 1), expected_version=m.version)
    with pytest.raises(services.MemberError, match="不能恢复"):
        services.restore_membership(m, date(2026, 3, 1), expected_version=m.version, note="x")
    assert AuditEntry.objects.filter(action__startswith="member.", object_id=str(m.pk)).exists()


def test_confirm_full_window(cast):
    m = cast["members_a"][1]
    Member.objects.filter(pk=m.pk).update(join_date=date(2024, 12, 1), full_date=None)
    m.refresh_from_db()
    with pytest.raises(services.MemberError, match="2025-12-01 至 2026-12-01"):
        services.confirm_full(m, date(2025, 11, 30), expected_version=m.version)
    with pytest.raises(services.MemberError, match="晚于今天"):
        services.confirm_full(m, date(2026, 11, 30), expected_version=m.version)
    services.confirm_full(m, date(2026, 11, 27), expected_version=m.version)
    assert Member.objects.get(pk=m.pk).full_date == date(2026, 11, 27)
    with pytest.raises(services.MemberError, match="已于"):
        services.confirm_full(m, date(2026, 11, 27), expected_version=m.version)
