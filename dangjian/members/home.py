"""我的首页 (issue 18 item 7): a member's home page is their own — their meetings and attendance this year, their
study hours against the threshold, their 政治生日, this month's records they are on (with their review status),
and what awaits them (待我办理): their unread 站内通知 one by one (待阅: a new notice, a 公示, a 述职安排 …), the
meetings of this month still ahead (待参加), the 责任清单 items they answer for in person that are due or late
(待完成 / 逾期), and the study hours still short of the year's threshold (待登记) — not the branch's to-dos with
colleagues' names.

A page may read the apps below members (activities, study, duties, notify) to show them; it writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.accounts.scope import member_record

from .models import Member

AWAITING_NOTICES = 5  # the newest unread notices listed; the rest are behind the bell


@dataclass(frozen=True)
class Awaiting:
    kind: str  # 待阅 / 待参加 / 待完成 / 逾期 / 待登记
    text: str
    url: str
    when: str = ""
    tag: str = "tag-warn"


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def awaiting_items(user: Any, this_month: list, progress: Any, today: date) -> list[Awaiting]:
    """What awaits the member, most pressing first: late items, unread notices, this month's meetings ahead,
    items due, the hours still to record."""
    from dangjian.duties.cadence import OccurrenceState
    from dangjian.duties.services import duties_of_user, progress_for
    from dangjian.notify.models import Notification

    late: list[Awaiting] = []
    due: list[Awaiting] = []
    for p in progress_for(list(duties_of_user(user).order_by("duty_list_id", "seq")), today):
        for occ, _r, state in p.rows:
            if occ.starts_on > today or state not in (OccurrenceState.OPEN, OccurrenceState.OVERDUE):
                continue
            item = Awaiting(
                "逾期" if state is OccurrenceState.OVERDUE else "待完成",
                f"{p.duty.short_title}（{occ.label}）",
                f"{reverse('duties:item_report', args=[p.duty.pk])}?period={occ.key}",
                f"{_md(occ.due_on)}前",
                "tag-bad" if state is OccurrenceState.OVERDUE else "tag-warn",
            )
            (late if state is OccurrenceState.OVERDUE else due).append(item)
    unread = [
        Awaiting(
            "待阅",
            n.title,
            reverse("notify:open", args=[n.pk]),
            _md(timezone.localtime(n.created_at)),
            "tag-info",
        )
        for n in Notification.objects.filter(recipient=user, read_at__isnull=True).order_by(
            "-created_at", "-pk"
        )[:AWAITING_NOTICES]
    ]
    ahead = [
        Awaiting(
            "待参加",
            "谈心谈话" if getattr(x.activity, "topic_hidden", False) else x.activity.topic,
            reverse("activities:detail", args=[x.activity.pk]),
            _md(x.activity.date),
            "tag-info",
        )
        for x in this_month
        if x.activity.date >= today
    ]
    study = []
    if progress is not None and not progress.met:
        study.append(
            Awaiting(
                "待登记",
                f"{today.year}年学习还差 {progress.shortfall} 学时（应达 {progress.required} 学时）",
                reverse("study:add"),
                "年底前",
            )
        )
    return [*late, *unread, *ahead, *due, *study]


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
    mine = progress.progress if progress else None
    return {
        "awaiting": awaiting_items(user, this_month, mine, today),
        "member": own,
        "attended": sum(1 for a in attendance if a.present),
        "absent": sum(1 for a in attendance if not a.present),
        "recent": attendance[:6],
        "this_month": this_month,
        "month": today.month,
        "today": today,
        "progress": mine,
        "years": today.year - own.join_date.year,
        "next_birthday": birthday,
        "days_to_birthday": (birthday - today).days if birthday else None,
        "year": today.year,
    }
