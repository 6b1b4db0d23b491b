"""The demo's organisational life: realistic, deterministic, fast (~25 branches × 600 members)."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian import factories as f
from dangjian.accounts.roles import Role
from dangjian.activities.models import Activity, Attendance, ReviewStep
from dangjian.core.idnumber import make_id_number
from dangjian.demo import activities as demo
from dangjian.demo.context import DemoContext
from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs.models import OrgKind, PartyGroup, Post, PostTitle, UnitKind

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 27)
UNIT_KINDS = (
    [UnitKind.BUREAU]
    + [UnitKind.INSTITUTION] * 6
    + [UnitKind.SOE] * 6
    + [UnitKind.RESTRUCTURED] * 5
    + [UnitKind.BANKRUPTING] * 4
    + [UnitKind.BANKRUPT_ENDED] * 3
)
CATEGORY = {
    UnitKind.BANKRUPTING: ["下岗失业", "离退休", "离退休", "在职"],
    UnitKind.BANKRUPT_ENDED: ["下岗失业", "离退休", "离退休"],
    UnitKind.RESTRUCTURED: ["在职", "离退休", "下岗失业", "在职"],
}


def build_base(rng: random.Random) -> dict:
    root = f.org("中共演示商务局党组", kind=OrgKind.DANGZU, code="DEMO")
    organ = f.org("中共演示商务局机关委员会", kind=OrgKind.ORGAN_COMMITTEE, parent=root, code="DEMO-JG")
    branches = []
    for i, kind in enumerate(UNIT_KINDS):
        unit = f.unit(f"演示单位{i:02d}", kind)
        branches.append(f.org(f"演示第{i:02d}党支部", parent=organ, code=f"DEMO-{i:02d}", units=[unit]))
    members = []
    seq = 0
    for i in range(600):
        b = branches[i % len(branches)] if i < 500 else branches[rng.randrange(len(branches))]
        kind = UNIT_KINDS[branches.index(b)]
        birth = date(1950 + rng.randrange(50), rng.randint(1, 12), rng.randint(1, 28))
        join = date(max(birth.year + 19, 1975) + rng.randrange(20), rng.randint(1, 12), rng.randint(1, 28))
        seq += 1
        gender = rng.choice("男女")
        s = (seq * 2 + (1 if gender == "男" else 0)) % 1000
        members.append(
            Member(
                name=f"党员{i:03d}",
                initials=f"DY{i:03d}",
                gender=gender,
                id_number=make_id_number("411402", birth, s if s else 1 + (gender == "男")),
                birth_date=birth,
                join_date=join if join < date(2024, 1, 1) else date(2020, 7, 1),
                full_date=None if i % 37 == 0 else join.replace(year=join.year + 1),
                category=rng.choice(CATEGORY.get(kind, ["在职", "在职", "在职", "离退休"])),
                organization=b,
                is_floating=i % 53 == 0,
                is_lost=i % 97 == 0,
            )
        )
    Member.objects.bulk_create(members)
    members = list(Member.objects.order_by("id"))
    for m in members[:6]:  # a few who left during the period
        m.status, m.left_on = "死亡", date(2025, 8, 1)
        m.save()
    moved = members[10]
    MembershipEvent.objects.create(
        member=moved,
        kind="组织内转接",
        date=date(2025, 9, 1),
        from_org=branches[1],
        to_org=moved.organization,
    )
    for b in branches[:12]:  # committees for the bigger branches
        own = [m for m in members if m.organization_id == b.pk][:5]
        t = f.term(b, elected_on=date(2024, 3, 1), secretary=own[0].name)
        t.posts.update(id_number=own[0].id_number)
        for m in own[1:3]:
            Post.objects.create(term=t, title=PostTitle.MEMBER, person_name=m.name, id_number=m.id_number)
    for b in branches[1:3]:
        g1 = PartyGroup.objects.create(organization=b, name="第一党小组")
        g2 = PartyGroup.objects.create(organization=b, name="第二党小组")
        own = list(Member.objects.filter(organization=b).order_by("id"))
        for j, m in enumerate(own):
            m.party_group = g1 if j % 2 else g2
            m.save()
    f.user("demo_bureau", Role.BUREAU_ADMIN, organization=root)
    f.user("demo_admin", Role.ORG_ADMIN, organization=branches[0])
    return {"branches": branches}


def summary() -> list[tuple]:
    return list(
        Activity.objects.order_by("id").values_list(
            "organization__code", "date", "topic", "present", "status"
        )
    )


def test_demo_is_realistic_fast_and_deterministic():
    base = build_base(random.Random(5))
    ctx = DemoContext(rng=random.Random(42), today=TODAY, log=lambda *a: None)
    with CaptureQueriesContext(connection) as queries:
        demo.seed(ctx)

    acts = list(Activity.objects.prefetch_related("kinds"))
    assert len(acts) > 800
    # Fast by construction, not by a stopwatch (timings belong to `dangjian bench`): rows go in bulk, so the
    # queries are far fewer than the records written.
    assert len(queries) < len(acts) // 2, len(queries)
    assert min(a.date for a in acts) >= date(2025, 1, 1) and max(a.date for a in acts) <= TODAY
    # every branch has records; diligent branches many more than those of bankrupt firms
    theme_days = Counter(a.organization_id for a in acts if any(k.key == "theme_day" for k in a.kinds.all()))
    branches = base["branches"]
    assert all(theme_days[b.pk] > 0 for b in branches)
    by_kind = defaultdict(list)
    for b, kind in zip(branches, UNIT_KINDS, strict=True):
        by_kind[kind].append(theme_days[b.pk])
    avg = {k: sum(v) / len(v) for k, v in by_kind.items()}
    assert avg[UnitKind.INSTITUTION] > 1.8 * avg[UnitKind.BANKRUPT_ENDED]
    assert max(theme_days.values()) >= 20 and min(theme_days.values()) <= 12
    # combined records
    combos = {frozenset(k.key for k in a.kinds.all()) for a in acts}
    assert frozenset({"theme_day", "branch_assembly", "party_lecture"}) in combos
    assert frozenset({"org_life_meeting", "member_appraisal", "branch_assembly"}) in combos
    assert any(k.key == "group_meeting" for a in acts for k in a.kinds.all())
    # attendance for every record, with realistic absences
    with_att = set(Attendance.objects.values_list("activity_id", flat=True).distinct())
    assert with_att == {a.pk for a in acts}
    reasons = Counter(Attendance.objects.filter(present=False).values_list("absence_reason", flat=True))
    assert set(reasons) == {"因公", "因病", "事假", "其他"}
    absent_share = Attendance.objects.filter(present=False).count() / Attendance.objects.count()
    assert 0.04 < absent_share < 0.3
    for a in acts[:200]:
        assert a.expected == a.attendance.count() and a.present == a.attendance.filter(present=True).count()
    # exactly one 党员大会 without a quorum, exactly half of the voters present
    no_quorum = [a for a in acts if a.quorum_met is False]
    assert len(no_quorum) == 1
    assert no_quorum[0].voting_present == no_quorum[0].voting_expected // 2
    # 谈心谈话 in 2025 reaches most members, not all
    talked = set(
        Activity.objects.filter(kinds__key="heart_talk", date__year=2025).values_list("talk_b_id", flat=True)
    )
    on_roll = {m.pk for b in branches for m in demo.RosterIndex.for_orgs([b.pk]).on(b.pk, date(2025, 7, 1))}
    coverage = len(talked & on_roll) / len(on_roll)
    assert 0.6 < coverage < 0.99
    # minutes: believable length, varied
    minutes = [a.minutes for a in acts if "heart_talk" not in {k.key for k in a.kinds.all()}]
    assert sum(map(len, minutes)) / len(minutes) > 120
    assert len(set(minutes)) > 0.97 * len(minutes)
    # review states
    statuses = Counter(a.status for a in acts)
    assert {"draft", "submitted", "approved", "returned"} <= set(statuses)
    assert ReviewStep.objects.filter(action="return").exclude(comment="").exists()
    step = ReviewStep.objects.filter(action="approve").select_related("activity").first()
    assert 0 <= (step.at.date() - step.activity.date).days <= 7 and step.actor.username == "demo_bureau"

    # idempotent, and the same seed gives the same records
    first = summary()
    demo.seed(DemoContext(rng=random.Random(42), today=TODAY, log=lambda *a: None))
    assert summary() == first
    ReviewStep.objects.all().delete()
    Activity.objects.all().delete()
    demo.seed(DemoContext(rng=random.Random(42), today=TODAY, log=lambda *a: None))
    assert [row[1:] for row in summary()] == [row[1:] for row in first]
