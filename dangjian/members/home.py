"""我的首页 (issue 18 item 7): a member's home page is their own — their meetings and attendance this year, their
study hours against the threshold, their 政治生日, this month's records they are on (with their review status)
and their unread 站内通知 (the bell's count, which the header gives every page) — not the branch's to-dos with colleagues' names.

A page may read the apps below members (activities, study) to show them; it writes nothing."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.accounts.scope import member_record

from .models import Member


def member_panel(request: Any) -> dict[str, Any] | None:
    user = request.user
    if user.role != Role.MEMBER:
        return None
    own = member_record(user)
    if own is None:
        return None
    from dangjian.activities.models import Attendance
    from dangjian.activities.privacy import hidden_talk_ids
    from dangjian.study.services import yearly_progress

    today = timezone.localdate()
    attendance = list(
        Attendance.objects.filter(
            member=own, activity__is_deleted=False, activity__date__year=today.year, activity__date__lte=today
        )
        .select_related("activity")
        .order_by("-activity__date", "-activity_id")
    )
    # This month's records the member is on (planned, awaiting review or approved): what awaits them now.
    this_month = list(
        Attendance.objects.filter(
            member=own,
            activity__is_deleted=False,
            activity__date__year=today.year,
            activity__date__month=today.month,
        )
        .select_related("activity")
        .order_by("activity__date", "activity_id")
    )
    hidden = hidden_talk_ids(user, [a.activity for a in this_month + attendance[:6]])
    for a in this_month + attendance[:6]:
        a.activity.topic_hidden = a.activity.pk in hidden
    progress = next(iter(yearly_progress(today.year, Member.objects.filter(pk=own.pk))), None)
    birthday = (
        own.join_date.replace(year=today.year)
        if own.join_date.month != 2 or own.join_date.day != 29
        else None
    )
    if birthday is not None and birthday < today:
        birthday = birthday.replace(year=today.year + 1)
    return {
        "member": own,
        "attended": sum(1 for a in attendance if a.present),
        "absent": sum(1 for a in attendance if not a.present),
        "recent": attendance[:6],
        "this_month": this_month,
        "month": today.month,
        "today": today,
        "progress": progress.progress if progress else None,
        "years": today.year - own.join_date.year,
        "next_birthday": birthday,
        "days_to_birthday": (birthday - today).days if birthday else None,
        "year": today.year,
    }
