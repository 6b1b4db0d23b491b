"""A member's home is their own page (issue 18 item 7), walked in chromium at phone width.

Before: the home showed the branch's 本月待办 with colleagues' names, a colleague's 谈心谈话 record could be read
in full, neither the member's own hours nor their own page appeared on the home page, and the breadcrumbs of
我的党员信息 linked to the rosters of the organisations above the branch (404 for a member)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from dangjian.activities.models import Activity, ActivityKind, Attendance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _talk(cast, a, b):
    talk = Activity.objects.create(
        organization=cast["a"],
        date=timezone.localdate(),
        topic="谈心谈话",
        minutes="谈话内容：家庭困难的情况",
    )
    talk.kinds.set(ActivityKind.objects.filter(key="heart_talk"))
    talk.talk_a, talk.talk_b = a, b
    talk.save()
    return talk


def test_member_home_is_their_own_page(cast, live_server, phone_page, browser_login, horizontal_overflow):
    me, colleague, other = cast["members_a"]
    meeting = Activity.objects.create(
        organization=cast["a"],
        date=timezone.localdate().replace(day=1),
        topic="支部党员大会",
        minutes="记录" * 10,
    )
    meeting.kinds.set(ActivityKind.objects.filter(key="branch_assembly"))
    Attendance.objects.create(activity=meeting, member=me, present=True)
    theirs = _talk(cast, colleague, other)
    mine = _talk(cast, colleague, me)
    p = phone_page
    browser_login(p, cast["member"].username)
    p.goto(f"{live_server.url}/")
    home = p.locator("#member-home")
    assert home.count() == 1
    text = home.inner_text()
    assert "出席 1 次" in text and "支部党员大会" in text
    assert "学时" in p.locator("#my-hours").inner_text()
    assert f"{me.join_date:%Y}年" in p.locator("#my-birthday").inner_text()
    body = p.locator("main").inner_text() if p.locator("main").count() else p.content()
    assert colleague.name not in body and other.name not in body, "首页不应出现其他党员的姓名"
    assert p.locator("#panel-compliance_todo").count() == 0
    assert "支部党员大会" in p.locator("#my-month").inner_text()  # this month's record the member is on
    assert "未读通知" in p.locator("#my-unread").inner_text()
    # 待我办理: at least the hours still to record, each line a link that opens
    awaiting = p.locator("#my-awaiting")
    assert awaiting.is_visible() and "待登记" in awaiting.inner_text()
    for href in [a.get_attribute("href") for a in awaiting.locator("a").all()]:
        assert p.request.get(f"{live_server.url}{href}").status == 200, href
    assert horizontal_overflow(p) == 0
    # the activity list names a colleague's talk without its topic
    theirs.topic = "关于家庭困难的谈话"
    theirs.save()
    p.goto(f"{live_server.url}/activities/")
    assert "关于家庭困难的谈话" not in p.locator("main").inner_text()
    assert p.locator(f"a[href='/activities/{theirs.pk}/']").count() >= 1
    assert horizontal_overflow(p) == 0
    # a colleague's talk: that it happened, not what was said
    p.goto(f"{live_server.url}/activities/{theirs.pk}/")
    assert p.locator("#talk-private").count() == 1 and "家庭困难" not in p.content()
    # one's own talk reads in full
    p.goto(f"{live_server.url}/activities/{mine.pk}/")
    assert "家庭困难" in p.content()
    # 我的党员信息: every breadcrumb link opens
    p.goto(f"{live_server.url}/members/me/")
    links = [a.get_attribute("href") for a in p.locator("nav.breadcrumbs a").all()]
    for href in links:
        r = p.request.get(f"{live_server.url}{href}")
        assert r.status == 200, (href, r.status)
    assert p.locator("nav.breadcrumbs").inner_text().count("›") >= 1


def test_the_branch_committee_and_the_admin_still_read_the_talk(cast, login):
    from dangjian import factories
    from dangjian.orgs.models import Post

    me, colleague, other = cast["members_a"]
    talk = _talk(cast, colleague, other)
    assert "家庭困难" in login(cast["admin_a"]).get(f"/activities/{talk.pk}/").content.decode()
    assert "家庭困难" not in login(cast["member"]).get(f"/activities/{talk.pk}/").content.decode()
    t = factories.term(cast["a"], elected_on=date(2025, 1, 1))
    Post.objects.create(term=t, title="member", person_name=me.name, id_number=me.id_number)
    assert "家庭困难" in login(cast["member"]).get(f"/activities/{talk.pk}/").content.decode()
