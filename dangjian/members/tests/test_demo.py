"""demo.members on the cast's organisations."""

from __future__ import annotations

import random
from datetime import date

import pytest

from dangjian.demo import members as demo
from dangjian.demo.context import DemoContext
from dangjian.members.choices import EventKind, Status
from dangjian.members.models import Member, MembershipEvent

from .factories import bulk_members


@pytest.mark.django_db
def test_demo_seed_adds_initials_history_and_changes(cast):
    bulk_members(cast["a"], 10)
    Member.objects.update(initials="")
    orgs = {o.code: o for o in (cast["root"], cast["organ"], cast["a"], cast["b"])}
    ctx = DemoContext(rng=random.Random(7), today=date(2026, 11, 27), orgs=orgs, log=lambda *a: None)
    demo.seed(ctx)
    assert not Member.objects.filter(initials="").exists()
    assert Member.objects.get(name="甲支部党员0").initials == "JZBDY0"
    assert set(MembershipEvent.objects.values_list("member", flat=True)) == set(
        Member.objects.values_list("pk", flat=True)
    )
    kinds = set(MembershipEvent.objects.values_list("kind", flat=True))
    assert {
        EventKind.JOINED,
        EventKind.FULL,
        EventKind.MOVED,
        EventKind.TRANSFER_OUT,
        EventKind.DECEASED,
    } <= kinds
    assert Member.objects.exclude(status=Status.NORMAL).count() == 2
    assert Member.objects.get(user=cast["member"]).status == Status.NORMAL
