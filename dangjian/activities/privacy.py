"""Who may read a 谈心谈话 record's content (issue 18 item 7).

A heart-to-heart talk is between two people. Its content (topic, minutes, resolutions, attachments) is read by
the two people, by the branch committee (a member holding a post in the organisation's current term) and by
anyone whose role gives scope over the branch (branch and bureau administrators, inspectors). Other members of
the branch see that the talk took place and no more."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from dangjian.accounts.roles import Role
from dangjian.accounts.scope import member_record

from .models import Activity


def is_talk(activity: Activity) -> bool:
    return bool(activity.talk_a_id or activity.talk_b_id) or activity.kinds.filter(is_talk=True).exists()


def talk_content_visible(user: Any, activity: Activity) -> bool:
    if getattr(user, "role", None) != Role.MEMBER or not is_talk(activity):
        return True
    own = member_record(user)
    if own is None:
        return False
    if own.pk in (activity.talk_a_id, activity.talk_b_id):
        return True
    from dangjian.orgs.models import Post

    return Post.objects.filter(
        term__committee__organization_id=activity.organization_id,
        term__is_current=True,
        ended_on__isnull=True,
        id_number=own.id_number,
    ).exists()


def _committee_org_ids(own: Any) -> set[int]:
    """The organisations on whose current committee the member holds a post (one query)."""
    from dangjian.orgs.models import Post

    return set(
        Post.objects.filter(
            term__is_current=True, ended_on__isnull=True, id_number=own.id_number
        ).values_list("term__committee__organization_id", flat=True)
    )


def hidden_talk_ids(user: Any, activities: Iterable[Activity]) -> set[int]:
    """Of `activities` (their kinds prefetched), the talks whose content `user` may not read — for a list, in
    one query whatever its length (the rule of `talk_content_visible`)."""
    if getattr(user, "role", None) != Role.MEMBER:
        return set()
    acts = list(activities)
    talks = [a for a in acts if a.talk_a_id or a.talk_b_id or any(k.is_talk for k in a.kinds.all())]
    if not talks:
        return set()
    own = member_record(user)
    if own is None:
        return {a.pk for a in talks}
    committee = _committee_org_ids(own)
    return {
        a.pk for a in talks if own.pk not in (a.talk_a_id, a.talk_b_id) and a.organization_id not in committee
    }


def readable_talks_q(user: Any) -> Q:
    """A filter keeping the records whose talk content `user` may read (every record but other people's talks, for
    a member): a search by topic must not find a talk the member may not read."""
    if getattr(user, "role", None) != Role.MEMBER:
        return Q()
    own = member_record(user)
    talk = Q(talk_a__isnull=False) | Q(talk_b__isnull=False) | Q(kinds__is_talk=True)
    if own is None:
        return ~Q(pk__in=Activity.objects.filter(talk).values("pk"))
    mine = Q(talk_a=own) | Q(talk_b=own) | Q(organization_id__in=_committee_org_ids(own))
    return ~Q(pk__in=Activity.objects.filter(talk).exclude(mine).values("pk"))
