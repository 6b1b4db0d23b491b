"""Who may read a 谈心谈话 record's content (issue 18 item 7).

A heart-to-heart talk is between two people. Its content (topic, minutes, resolutions, attachments) is read by
the two people, by the branch committee (a member holding a post in the organisation's current term) and by
anyone whose role gives scope over the branch (branch and bureau administrators, inspectors). Other members of
the branch see that the talk took place and no more."""

from __future__ import annotations

from typing import Any

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
