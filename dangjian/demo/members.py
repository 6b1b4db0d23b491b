"""Demo data of the members app (run by `dangjian seed_demo` after the base demo): 拼音首字母 for every member,
the 入党 / 转正 history the base members lack, and a few changes of status through the services, so that the
member pages and reports have history to show."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from dangjian.members.choices import EventKind, Status
from dangjian.members.models import Member, MembershipEvent
from dangjian.members.rules import initials_of
from dangjian.members.services import end_membership, joining_events, move_member

DEMO_ACTOR = "演示数据"


def seed(ctx: Any) -> None:
    members = list(Member.objects.order_by("pk"))
    for m in members:
        m.initials = initials_of(m.name)
    Member.objects.bulk_update(members, ["initials"], batch_size=500)

    has_history = set(MembershipEvent.objects.values_list("member_id", flat=True).distinct())
    events = [e for m in members if m.pk not in has_history for e in joining_events(m, DEMO_ACTOR, "建档")]
    MembershipEvent.objects.bulk_create(events, batch_size=500)

    day = ctx.today - timedelta(days=40)
    candidates = [
        m
        for m in members
        if m.status == Status.NORMAL and m.user_id is None and m.join_date < day - timedelta(days=30)
    ]
    branches = [o for o in ctx.branches if o.is_active]
    if len(candidates) < 6 or len(branches) < 2:
        ctx.log(f"党员：补充拼音首字母 {len(members)} 人、入党转正记录 {len(events)} 条")
        return
    picked = ctx.rng.sample(candidates, 3)
    mover = picked[0]
    target = next(o for o in branches if o.pk != mover.organization_id)
    move_member(mover, target, day, expected_version=mover.version, actor_name=DEMO_ACTOR, note="工作调动")
    leaver = picked[1]
    end_membership(
        leaver,
        EventKind.TRANSFER_OUT,
        day + timedelta(days=7),
        expected_version=leaver.version,
        destination="外县商务局机关党支部",
        actor_name=DEMO_ACTOR,
        note="随工作调动转出",
    )
    deceased = picked[2]
    end_membership(
        deceased,
        EventKind.DECEASED,
        day + timedelta(days=12),
        expected_version=deceased.version,
        actor_name=DEMO_ACTOR,
    )
    ctx.log(
        f"党员：补充拼音首字母 {len(members)} 人、入党转正记录 {len(events)} 条，演示转接、转出、死亡各 1 人"
    )
