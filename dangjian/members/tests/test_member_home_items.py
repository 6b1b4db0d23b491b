"""The member's home shows what awaits them (this month's records they are on, with their review status; their
unread 站内通知), and the activity list does not show a colleague's 谈心谈话 topic (issue 18, items 7 and 4/9)."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
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


@time_machine.travel("2026-12-08 10:00 +0800", tick=False)
def test_home_lists_what_awaits_the_member(cast, login):
    """待我办理: the member's own 责任清单 items late and due, their unread notices one by one, this month's
    meetings still ahead, the study hours still short — their own, never a colleague's."""
    from dangjian.duties.tests import factories as df

    me, colleague, _ = cast["members_a"]
    dl = df.duty_list(cast["a"], year=2026)
    df.duty(
        dl,
        content="每月向党小组汇报思想工作情况",
        responsible_user=cast["member"],
        starts_on=date(2026, 11, 1),
    )
    df.duty(dl, content="同事的责任事项", responsible_name=colleague.name)
    ahead = Activity.objects.create(organization=cast["a"], date=date(2026, 12, 20), topic="十二月主题党日")
    Attendance.objects.create(activity=ahead, member=me, present=True)
    past = Activity.objects.create(organization=cast["a"], date=date(2026, 12, 2), topic="已开过的会")
    Attendance.objects.create(activity=past, member=me, present=True)
    events.emit("notice.issue", title="关于开展主题党日的通知", key="m1", recipients=[cast["member"]])
    events.emit("notice.issue", title="给支部书记的通知", key="m2", recipients=[cast["admin_a"]])

    page = login(cast["member"]).get("/").content.decode()
    block = page.split('id="my-awaiting"')[1].split("</ul>")[0]
    items = re.findall(r'<span class="tag [\w-]+">(\S+)</span> <a href="([^"]+)">([^<]+)</a>', block)
    kinds = [k for k, _url, _text in items]
    assert kinds == ["逾期", "待阅", "待参加", "待完成", "待登记"], items
    late, notice, meeting, due, study = items
    assert "每月向党小组汇报思想工作情况" in late[2] and "2026年11月" in late[2]
    assert late[1].endswith("?period=2026-11")
    assert notice[2] == "【新通知】关于开展主题党日的通知" and notice[1].startswith("/notify/")
    assert meeting == ("待参加", f"/activities/{ahead.pk}/", "十二月主题党日")
    assert "2026年12月" in due[2]
    assert "学习还差" in study[2] and study[1] == "/study/records/new/"
    assert "同事的责任事项" not in page and "给支部书记的通知" not in page and "已开过的会" not in block
    # the member's items are listed once, on their own page (no second 我的责任待办 panel)
    assert 'id="panel-duties_mine"' not in page
    # the branch admin still has the panel of their own items
    df.duty(dl, content="书记的责任事项", responsible_user=cast["admin_a"], starts_on=date(2026, 12, 1))
    assert 'id="panel-duties_mine"' in login(cast["admin_a"]).get("/").content.decode()


def test_nothing_awaiting_says_so(cast, login):
    from dangjian.study.models import StudyRecord

    StudyRecord.objects.create(
        member=cast["members_a"][0], date=timezone.localdate(), hours=24, content="学习", form="个人自学"
    )
    StudyRecord.objects.create(
        member=cast["members_a"][0],
        date=date(timezone.localdate().year, 1, 1),
        hours=24,
        content="学习二",
        form="网络平台",
    )
    page = login(cast["member"]).get("/").content.decode()
    assert "目前没有待您办理的事项" in page
