"""Members as of a day, from their dated facts (design §3 as-of convention; core.asof fixes the day).

On the roll on `as_of`: arrived on or before the day (转入本组织日期, else 入党日期) and not gone by then
(转出, 停止党籍, 出党, 死亡 are dated by `left_on`; the day itself no longer counts). The organisation then is the
one the member was moved away from by the first 组织内转接 after the day, else the present one. 预备 then = not
yet 转正 on that day. 人员类别, 性别 and the flags are the member's present values (they carry no dates).
"""

from __future__ import annotations

from datetime import date

from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from dangjian.orgs.models import Organization

from .choices import EventKind, Status
from .models import Member, MembershipEvent


def on_roll_q(as_of: date) -> Q:
    arrived = Q(arrived_on__isnull=False, arrived_on__lte=as_of) | Q(
        arrived_on__isnull=True, join_date__lte=as_of
    )
    return arrived & (Q(status=Status.NORMAL) | Q(left_on__gt=as_of))


def members_on_roll(as_of: date, orgs: QuerySet[Organization] | None = None) -> QuerySet[Member]:
    """Members on the roll on `as_of`, in `orgs` as they were placed then (all organisations when None).
    The queryset carries `org_then` (the organisation id on that day)."""
    moved_later = (
        MembershipEvent.objects.filter(member=OuterRef("pk"), kind=EventKind.MOVED, date__gt=as_of)
        .order_by("date", "id")
        .values("from_org")[:1]
    )
    qs = Member.objects.filter(on_roll_q(as_of)).annotate(
        org_then=Coalesce(Subquery(moved_later), F("organization_id"), output_field=IntegerField())
    )
    if orgs is not None:
        qs = qs.filter(org_then__in=orgs.order_by().values("pk"))
    return qs


def probationary_q(as_of: date) -> Q:
    """预备 on the day: not yet 转正 then."""
    return Q(full_date__isnull=True) | Q(full_date__gt=as_of)


def probationary_on(as_of: date, orgs: QuerySet[Organization] | None = None) -> QuerySet[Member]:
    return members_on_roll(as_of, orgs).filter(probationary_q(as_of))


def is_probationary_on(member: Member, as_of: date) -> bool:
    return member.full_date is None or member.full_date > as_of
