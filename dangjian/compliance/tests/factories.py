"""Builders for compliance tests: activity records (created directly; the activities app owns their pages)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from dangjian.activities.models import Activity, ActivityKind, ActivityStatus
from dangjian.members.models import Member
from dangjian.orgs.models import Organization, PartyGroup

_seq = itertools.count(1)


def kind(key: str) -> ActivityKind:
    return ActivityKind.objects.get(key=key)


def activity(org: Organization, day: date, *kind_keys: str, **fields: Any) -> Activity:
    """An approved record by default: only approved records count (issue 13); pass status= to test review."""
    fields.setdefault("status", ActivityStatus.APPROVED)
    a = Activity.objects.create(
        organization=org, date=day, topic=fields.pop("topic", f"活动{next(_seq)}"), **fields
    )
    a.kinds.set(ActivityKind.objects.filter(key__in=kind_keys))
    return a


def talk(org: Organization, day: date, a: Member, b: Member, **fields: Any) -> Activity:
    return activity(org, day, "heart_talk", talk_a=a, talk_b=b, **fields)


def group(org: Organization, name: str | None = None, **fields: Any) -> PartyGroup:
    return PartyGroup.objects.create(organization=org, name=name or f"第{next(_seq)}党小组", **fields)


def bulk_activities(rows: list[tuple[Organization, date, list[str]]]) -> list[Activity]:
    """Many records in two queries (for data-size tests)."""
    kinds = {k.key: k.pk for k in ActivityKind.objects.all()}
    acts = Activity.objects.bulk_create(
        [
            Activity(organization=o, date=d, topic=f"批量活动{next(_seq)}", status=ActivityStatus.APPROVED)
            for o, d, _ in rows
        ]
    )
    through = Activity.kinds.through
    through.objects.bulk_create(
        [
            through(activity_id=a.pk, activitykind_id=kinds[k])
            for a, (_, _, ks) in zip(acts, rows, strict=True)
            for k in ks
        ]
    )
    return acts


_member_seq = itertools.count(1)


def bulk_members(org: Organization, n: int, **fields: Any) -> list[Member]:
    """n 正式党员 of one organisation in one query, with valid, unique ID numbers."""
    from datetime import timedelta

    from dangjian.core.idnumber import make_id_number

    join_date = fields.pop("join_date", date(2005, 7, 1))
    full_date = fields.pop("full_date", date(2006, 7, 1))
    rows = []
    for _ in range(n):
        i = next(_member_seq)
        birth = date(1960, 1, 1) + timedelta(days=i // 900)
        rows.append(
            Member(
                name=f"批量党员{i}",
                gender="男",
                id_number=make_id_number("411402", birth, 1 + (i % 900)),
                birth_date=birth,
                join_date=join_date,
                full_date=full_date,
                organization=org,
                **fields,
            )
        )
    return Member.objects.bulk_create(rows)


def bureau(n_branches: int, *, parent: Organization | None = None) -> dict[str, Any]:
    """A 党委 with `n_branches` branches (half under a 党总支), each with members, a party group and records."""
    from dangjian.factories import org
    from dangjian.orgs.models import OrgKind

    n = next(_seq)
    committee = org(f"规模测试党委{n}", kind=OrgKind.COMMITTEE, parent=parent, code=f"W{n}")
    zongzhi = org(f"规模测试党总支{n}", kind=OrgKind.GENERAL_BRANCH, parent=committee, code=f"W{n}Z")
    branches = [
        org(f"规模测试党支部{n}-{i}", parent=zongzhi if i % 2 else committee, code=f"W{n}B{i:04d}")
        for i in range(n_branches)
    ]
    rows = []
    for i, b in enumerate(branches):
        bulk_members(b, 3 if i % 3 else 8)
        group(b, "第一党小组")
        rows += [
            (b, date(2025, 3, 5), ["theme_day", "branch_assembly"]),
            (b, date(2025, 5, 20), ["party_lecture"]),
        ]
    bulk_activities(rows)
    return {"committee": committee, "zongzhi": zongzhi, "branches": branches}
