"""Test and demo data built in code (no JSON fixtures). Small, explicit builders."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.idnumber import make_id_number
from dangjian.members.models import Member
from dangjian.orgs.models import Committee, Organization, OrgKind, Post, PostTitle, Term, Unit, UnitKind

_seq = itertools.count(1)
TEST_PASSWORD = "Dangjian#2026"


def unit(name: str | None = None, kind: str = UnitKind.INSTITUTION) -> Unit:
    return Unit.objects.create(name=name or f"测试单位{next(_seq)}", kind=kind)


def org(
    name: str | None = None,
    *,
    kind: str = OrgKind.BRANCH,
    parent: Organization | None = None,
    code: str | None = None,
    founded_on: date | None = date(2015, 1, 1),
    units: list[Unit] | None = None,
    **extra: Any,
) -> Organization:
    n = next(_seq)
    fields = {
        "name": name or f"测试党支部{n}",
        "code": code or f"T{n:05d}",
        "kind": kind,
        "founded_on": founded_on,
        **extra,
    }
    node = (
        Organization.objects.add_child(parent, fields)
        if parent is not None
        else Organization.objects.add_root(fields)
    )
    if units:
        node.units.set(units)
    return node


def member(
    organization: Organization,
    name: str | None = None,
    *,
    gender: str = "男",
    birth: date = date(1980, 5, 1),
    join_date: date = date(2005, 7, 1),
    full_date: date | None = date(2006, 7, 1),
    **extra: Any,
) -> Member:
    n = next(_seq)
    seq = (n * 2 + (1 if gender == "男" else 0)) % 1000
    if (seq % 2 == 1) != (gender == "男"):
        seq = (seq + 1) % 1000
    return Member.objects.create(
        name=name or f"党员{n}",
        gender=gender,
        id_number=make_id_number("411402", birth, seq),
        birth_date=birth,
        join_date=join_date,
        full_date=full_date,
        organization=organization,
        ethnicity="汉族",
        education="大学本科",
        **extra,
    )


def term(
    organization: Organization,
    *,
    elected_on: date,
    years: int | None = None,
    number: int = 1,
    secretary: str = "张书记",
    full_time: bool = False,
) -> Term:
    committee, _ = Committee.objects.get_or_create(organization=organization)
    Term.objects.filter(committee=committee, is_current=True).update(is_current=False)
    t = Term.objects.create(
        committee=committee,
        number=number,
        elected_on=elected_on,
        years=years or organization.default_term_years or 3,
    )
    Post.objects.create(term=t, title=PostTitle.SECRETARY, person_name=secretary, is_full_time=full_time)
    return t


def user(
    username: str,
    role: str,
    *,
    organization: Organization | None = None,
    member_record: Member | None = None,
    password: str = TEST_PASSWORD,
) -> User:
    u = User.objects.create_user(
        username=username,
        password=password,
        role=role,
        organization=organization,
        display_name=username,
        must_change_password=False,
    )
    if member_record is not None:
        member_record.user = u
        member_record.save(update_fields=["user"])
    return u


def cast() -> dict[str, Any]:
    """The small cast every view test uses: a bureau tree with branches A and B and one user per role."""
    root = org("中共测试商务局党组", kind=OrgKind.DANGZU, code="ROOT")
    organ = org("中共测试商务局机关委员会", kind=OrgKind.ORGAN_COMMITTEE, parent=root, code="JG")
    a = org("测试第一党支部", parent=organ, code="A", units=[unit("测试事业单位甲")])
    b = org("测试第二党支部", parent=organ, code="B", units=[unit("测试国有企业乙", UnitKind.SOE)])
    ma = [member(a, f"甲支部党员{i}") for i in range(3)]
    mb = [member(b, f"乙支部党员{i}") for i in range(2)]
    users = {
        "bureau": user("bureau", Role.BUREAU_ADMIN, organization=root),
        "admin_a": user("admin_a", Role.ORG_ADMIN, organization=a),
        "admin_b": user("admin_b", Role.ORG_ADMIN, organization=b),
        "member": user("member_a", Role.MEMBER, member_record=ma[0]),
        "inspector": user("inspector", Role.INSPECTOR),
        "auditor": user("auditor", Role.AUDIT_ADMIN),
        "sysadmin": user("sysadmin", Role.SYSTEM_ADMIN),
        "secadmin": user("secadmin", Role.SECURITY_ADMIN),
    }
    return {"root": root, "organ": organ, "a": a, "b": b, "members_a": ma, "members_b": mb, **users}
