"""The member's home shows what awaits them (this month's records they are on, with their review status; their
unread 站内通知), and the activity list does not show a colleague's 谈心谈话 topic (issue 18, items 7 and 4/9)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from dangjian.activities.models import Activity, ActivityKind, ActivityStatus, Attendance
from dangjian.core import events

pytestmark = pytest.mark.django_db
SECRET = "关于家庭困难的谈心谈话"


def _talk(cast, a, b, topic=SECRET):
    talk = Activity.objects.create(organization=cast["a"], date=timezone.localdate(), topic=topic)
    talk.kinds.set(ActivityKind.objects.filter(key="heart_talk"))
    talk.talk_a, talk.talk_b = a, b
    talk.save()
    return talk


def test_home_lists_this_months_records_and_unread_notifications(cast, login):
    me = cast["members_a"][0]
    today = timezone.localdate()
    meeting = Activity.objects.create(
        organization=cast["a"],
        date=today.replace(day=1),
        topic="本月主题党日",
        status=ActivityStatus.SUBMITTED,
    )
    Attendance.objects.create(activity=meeting, member=me, present=True)
    last_year = Activity.objects.create(
        organization=cast["a"], date=date(today.year - 1, 6, 1), topic="去年的会"
    )
    Attendance.objects.create(activity=last_year, member=me, present=True)
    events.emit("activity.approve", title="您的记录已通过", key="t1", recipients=[cast["member"]])
    page = login(cast["member"]).get("/").content.decode()
    month = page.split('id="my-month"')[1].split("</ul>")[0]
    assert "本月主题党日" in month and "待审核" in month and "去年的会" not in month
    unread = page.split('id="my-unread"')[1].split("</dd>")[0]
    assert "1 条未读通知" in unread


def test_activity_list_hides_a_colleagues_talk_topic_from_a_member(cast, login):
    me, colleague, other = cast["members_a"]
    theirs = _talk(cast, colleague, other)
    mine = _talk(cast, colleague, me, topic="我的谈心谈话记录")
    member = login(cast["member"])
    page = member.get("/activities/").content.decode()
    assert SECRET not in page and f"/activities/{theirs.pk}/" in page  # that it happened, not what about
    assert "我的谈心谈话记录" in page and f"/activities/{mine.pk}/" in page
    # a search by topic does not reveal it either
    page = member.get("/activities/?q=%E5%AE%B6%E5%BA%AD%E5%9B%B0%E9%9A%BE").content.decode()
    assert f"/activities/{theirs.pk}/" not in page
    # the branch admin reads it
    assert SECRET in login(cast["admin_a"]).get("/activities/").content.decode()
