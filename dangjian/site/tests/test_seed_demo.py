"""`dangjian seed_demo`: a believable bureau, the same for a seed, built once."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime
from io import StringIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction

from dangjian.accounts.models import User
from dangjian.accounts.passwords import password_problems
from dangjian.accounts.roles import Role
from dangjian.core.audit import verify_chain
from dangjian.core.dates import age_on
from dangjian.core.idnumber import parse_id_number
from dangjian.core.models import AuditEntry
from dangjian.core.periods import add_months, add_years
from dangjian.demo.base import DEMO_PASSWORD, DEMO_USERS, seed_base
from dangjian.demo.context import DemoContext
from dangjian.demo.management.commands import seed_demo as command
from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs.models import Committee, Organization, OrgKind, PartyGroup, Post, Term, Unit, UnitKind
from dangjian.orgs.terms import TermStatus, term_status

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def seeded(frozen):
    out = StringIO()
    call_command("seed_demo", "--seed", "7", stdout=out)
    return out.getvalue()


def _fingerprint() -> dict[str, list]:
    return {
        "units": list(Unit.objects.order_by("name").values_list("name", "kind")),
        "orgs": list(
            Organization.objects.order_by("path").values_list("path", "code", "name", "kind", "phone")
        ),
        "members": list(
            Member.objects.order_by("id_number").values_list(
                "id_number",
                "name",
                "gender",
                "ethnicity",
                "education",
                "birth_date",
                "join_date",
                "full_date",
                "category",
                "organization__code",
                "party_group__name",
                "phone",
                "workplace",
                "is_floating",
                "is_lost",
                "status",
            )
        ),
        "terms": list(
            Term.objects.order_by("committee__organization__code", "number").values_list(
                "committee__organization__code", "number", "elected_on", "expires_on", "is_current"
            )
        ),
        "posts": list(
            Post.objects.order_by("term__committee__organization__code", "term__number", "sort").values_list(
                "term__committee__organization__code", "title", "person_name", "id_number", "is_full_time"
            )
        ),
        "events": list(
            MembershipEvent.objects.order_by("member__id_number", "date", "kind").values_list(
                "member__id_number", "kind", "date", "destination"
            )
        ),
        "users": list(User.objects.order_by("username").values_list("username", "role", "display_name")),
    }


def _seed_and_roll_back(seed: int) -> dict[str, list]:
    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            seed_base(DemoContext(rng=random.Random(seed), today=TODAY, log=lambda *a: None))
            fingerprint = _fingerprint()
            raise Rollback
    except Rollback:
        pass
    assert not Member.objects.exists()
    return fingerprint


def test_the_same_seed_builds_the_same_bureau_and_another_seed_another(frozen):
    first = _seed_and_roll_back(11)
    assert first == _seed_and_roll_back(11)
    other = _seed_and_roll_back(12)
    assert [o[:4] for o in other["orgs"]] == [o[:4] for o in first["orgs"]]  # the structure is fixed …
    assert other["members"] != first["members"]  # … the people are drawn


def test_structure_follows_the_bureau(seeded):
    root = Organization.objects.get(depth=1)
    assert root.name == "中共x商务局党组" and root.kind == OrgKind.DANGZU
    organ = Organization.objects.get(name="中共x商务局机关委员会")
    assert organ.kind == OrgKind.ORGAN_COMMITTEE and Organization.objects.get_parent(organ) == root
    under_organ = {o.short_name for o in Organization.objects.get_children(organ)}
    assert {"机关第一党支部", "机关第二党支部", "离退休干部党支部"} <= under_organ
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert (
        kinds[OrgKind.COMMITTEE] == 1
        and kinds[OrgKind.GENERAL_BRANCH] == 1
        and kinds[OrgKind.JOINT_BRANCH] == 1
    )
    soe_committee = Organization.objects.get(kind=OrgKind.COMMITTEE)
    assert 2 <= Organization.objects.get_children_count(soe_committee) <= 3
    assert Organization.objects.get_children_count(Organization.objects.get(kind=OrgKind.GENERAL_BRANCH)) >= 2
    # Every kind of unit exists and belongs to an organisation.
    assert set(Unit.objects.values_list("kind", flat=True)) == set(UnitKind.values)
    assert not Unit.objects.filter(organizations=None).exists()
    joint = Organization.objects.get(kind=OrgKind.JOINT_BRANCH)
    assert joint.units.filter(kind=UnitKind.BANKRUPT_ENDED).count() >= 3
    institution_branches = Organization.objects.filter(units__kind=UnitKind.INSTITUTION, kind=OrgKind.BRANCH)
    assert institution_branches.distinct().count() >= 3
    for kind in (UnitKind.BANKRUPTING, UnitKind.PRIVATE, UnitKind.RESTRUCTURED, UnitKind.SOE):
        assert Organization.objects.filter(units__kind=kind).exists(), kind
    # Members sit in branches only, and larger branches have party groups.
    assert not Member.objects.exclude(organization__kind__in=[OrgKind.BRANCH, OrgKind.JOINT_BRANCH]).exists()
    assert PartyGroup.objects.values("organization").distinct().count() >= 5
    assert not PartyGroup.objects.filter(leader_name="").exists()


def test_members_are_believable(seeded):
    members = list(Member.objects.select_related("organization"))
    current = [m for m in members if m.status == "正常"]
    assert 570 <= len(current) <= 630
    names = [m.name for m in members]
    assert len(set(names)) == len(names) and all(2 <= len(n) <= 4 for n in names)
    for m in members:
        parsed = parse_id_number(m.id_number)  # raises on a bad check digit
        assert parsed.birth_date == m.birth_date and parsed.gender == m.gender
        assert m.id_number[:4] == "4114"
        assert age_on(m.birth_date, m.join_date) >= 18
        assert m.join_date <= TODAY
        if m.full_date:
            assert add_years(m.join_date, 1) <= m.full_date <= add_years(m.join_date, 2)
            assert m.full_date <= TODAY
        assert m.initials and m.initials.isascii()
    categories = Counter(m.category for m in current)
    assert categories["在职"] > 250 and categories["离退休"] > 100 and categories["下岗失业"] > 60
    assert Counter(m.gender for m in current)["女"] > 120
    assert len({m.education for m in current}) == 6
    assert 10 < sum(m.ethnicity != "汉族" for m in current) < 60
    # Retirees' branch all retired; bankrupt and restructured firms mostly laid off or retired.
    assert {m.category for m in current if m.organization.short_name == "离退休干部党支部"} == {"离退休"}
    troubled = [
        m for m in current if m.organization.units.filter(kind__in=["bankrupting", "bankrupt_ended"]).exists()
    ]
    assert sum(m.category != "在职" for m in troubled) / len(troubled) > 0.85
    # A dozen probationers, some due within three months; anniversaries this month; floating and lost.
    probationers = [m for m in current if m.full_date is None]
    assert 10 <= len(probationers) <= 14
    due_soon = [m for m in probationers if TODAY <= add_years(m.join_date, 1) < add_months(TODAY, 3)]
    assert 2 <= len(due_soon) < len(probationers)
    assert all(add_years(m.join_date, 1) > TODAY for m in probationers)
    assert sum(m.join_date.month == TODAY.month for m in current) >= 5
    assert 3 <= sum(m.is_floating for m in current) <= 10
    assert 1 <= sum(m.is_lost for m in current) <= 2


def test_history_events(seeded):
    events = Counter(MembershipEvent.objects.values_list("kind", flat=True))
    assert events["入党"] == Member.objects.count()
    assert events["转正"] == Member.objects.exclude(full_date=None).count()
    assert 1 <= events["转入"] and 1 <= events["转出"] <= 5
    assert Member.objects.filter(status="已转出").count() == events["转出"]
    for e in MembershipEvent.objects.filter(kind="转正").select_related("member"):
        assert e.date == e.member.full_date


def test_committees_terms_and_posts(seeded):
    statuses = Counter()
    for org in Organization.objects.all():
        term = Term.objects.filter(committee__organization=org, is_current=True).first()
        statuses[term_status(term.expires_on if term else None, TODAY, elected=org.has_elected_term)] += 1
    assert statuses[TermStatus.EXPIRING] >= 3
    assert statuses[TermStatus.OVERDUE] == 1
    assert statuses[TermStatus.MISSING] == 1
    assert statuses[TermStatus.NOT_ELECTED] == 1  # the 党组
    assert Term.objects.filter(is_current=False).exists()  # some history
    posts = list(Post.objects.filter(term__is_current=True))
    full_time = sum(p.is_full_time for p in posts)
    assert 1 <= full_time < len(posts) / 10  # 专职 are rare, 兼职 the rule
    # Every holder is a member: name and ID number agree.
    by_id = dict(Member.objects.values_list("id_number", "name"))
    assert all(by_id[p.id_number] == p.person_name for p in Post.objects.all())
    # Every current term has exactly one secretary; small branches have only a secretary.
    for term in Term.objects.filter(is_current=True).prefetch_related("posts"):
        assert [p.title for p in term.posts.all()].count("secretary") == 1
    assert Committee.objects.filter(kind="secretary_only").exists()


def test_one_login_per_role_that_works(seeded, client):
    # One demo login per role; app seeders may add accounts without a usable password (e.g. 观摩 rater seats).
    demo_roles = User.objects.filter(username__in=[u for u, _ in DEMO_USERS]).values_list("role", flat=True)
    assert sorted(demo_roles) == sorted(r for r in Role.values if r != Role.NONE)  # "none" is no role
    assert (
        not User.objects.exclude(username__in=[u for u, _ in DEMO_USERS])
        .filter(password__startswith="md5")
        .exists()
    )
    assert not password_problems(DEMO_PASSWORD)
    for username, role in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.role == role and not user.must_change_password
        assert user.check_password(DEMO_PASSWORD)
        assert username in seeded
    assert User.objects.get(role=Role.ORG_ADMIN).organization.is_branch
    member_user = User.objects.get(role=Role.MEMBER)
    org_admin = User.objects.get(role=Role.ORG_ADMIN)
    assert Member.objects.get(user=member_user).organization == org_admin.organization
    assert member_user.display_name == Member.objects.get(user=member_user).name != org_admin.display_name
    # The branch admin is its secretary; the three administrators are not members of anything.
    secretary = Post.objects.get(
        term__committee__organization=org_admin.organization, term__is_current=True, title="secretary"
    )
    assert secretary.person_name == org_admin.display_name
    member_names = set(Member.objects.values_list("name", flat=True))
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        assert User.objects.get(role=role).display_name not in member_names
    assert DEMO_PASSWORD in seeded and "党组织管理员" in seeded
    response = client.post("/accounts/login/", {"username": "zhibu1", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_creation_is_audited_once_per_model(seeded):
    entries = list(AuditEntry.objects.filter(actor_name="seed_demo"))
    models = Counter(e.model for e in entries)
    assert set(models) >= {"orgs.unit", "orgs.organization", "members.member", "orgs.term", "accounts.user"}
    assert max(models.values()) == 1
    member_entry = next(e for e in entries if e.model == "members.member")
    # the base's members in one entry; those admitted through the 发展党员 demo are audited by the services
    admitted = Member.objects.filter(candidate__isnull=False).count()
    assert admitted >= 1 and member_entry.changes["count"] == Member.objects.count() - admitted
    assert verify_chain() is None


def test_second_run_only_prints_the_logins(seeded):
    before = (Member.objects.count(), Organization.objects.count(), AuditEntry.objects.count())
    out = StringIO()
    call_command("seed_demo", "--seed", "99", stdout=out)
    assert "演示数据已存在" in out.getvalue() and "dangjianban" in out.getvalue()
    assert (Member.objects.count(), Organization.objects.count(), AuditEntry.objects.count()) == before


def test_refuses_a_database_with_other_data(cast):
    with pytest.raises(CommandError) as exc:
        call_command("seed_demo", stdout=StringIO())
    assert exc.value.returncode == 1
    assert "空数据库" in str(exc.value)
    assert not Organization.objects.filter(code="XSWJ").exists()


def test_app_seeders_run_after_the_base_with_the_context(frozen, monkeypatch):
    seen = {}

    def seed(ctx):
        seen["orgs"] = len(ctx.orgs)
        seen["users"] = set(ctx.users)
        seen["members"] = Member.objects.count()
        seen["today"] = ctx.today

    monkeypatch.setattr(command, "app_seeders", lambda: [SimpleNamespace(seed=seed)])
    call_command("seed_demo", stdout=StringIO())
    assert seen["orgs"] == Organization.objects.count()
    assert seen["users"] == {u for u, _ in DEMO_USERS}
    assert seen["members"] > 500 and seen["today"] == TODAY


def test_a_failing_app_seeder_leaves_the_database_empty(frozen, monkeypatch):
    def seed(ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(command, "app_seeders", lambda: [SimpleNamespace(seed=seed)])
    with pytest.raises(RuntimeError):
        call_command("seed_demo", stdout=StringIO())
    assert not Organization.objects.exists() and not Member.objects.exists()


def test_login_table_aligns_chinese_columns():
    table = command.login_table([("a", "党员", "—", "x"), ("bbbb", "局党建管理员", "局党组", "y")])
    lines = table.splitlines()
    assert lines[0].startswith("用户名")
    # The password column starts at the same display column on every row.
    starts = [command._width(line[: line.rindex(" ") + 1]) for line in (lines[2], lines[3])]
    assert starts[0] == starts[1]


def test_people_are_pure_and_valid():
    from dangjian.demo.people import IdBook, NameBook, make_person

    rng = random.Random(3)
    names, ids = NameBook(rng), IdBook(rng)
    people = [
        make_person(rng, names, ids, date(2026, 1, 1), category=c, setting="office")
        for c in ("在职", "离退休", "下岗失业") * 50
    ]
    assert len({p.id_number for p in people}) == 150
    for p in people:
        assert parse_id_number(p.id_number).gender == p.gender
        assert age_on(p.birth_date, p.join_date) >= 18
        assert p.phone.isdigit() and len(p.phone) == 11 or p.phone.startswith("0370-")
