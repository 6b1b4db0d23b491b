"""述职安排, 测评开启 and 评先公示 reach the people concerned through the events registry (issue 18, Events): each
action, taken on its page, is in the bell of those it concerns on the next page they open — the same request wrote
it — once, and never to others."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangjian import factories
from dangjian.honors import services
from dangjian.honors.models import HonorRound, Nomination, NominationStatus, ReviewRound
from dangjian.notify.models import Notification
from dangjian.orgs.models import Post

pytestmark = pytest.mark.django_db


def bell(client) -> int:
    """The unread count the header's bell shows on the home page."""
    found = re.search(r'id="notify-unread">(\d+)<', client.get("/").content.decode())
    return int(found.group(1)) if found else 0


def told(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


def test_review_round_tells_each_branch_and_its_secretary(cast, login):
    me = cast["members_a"][0]  # the secretary of branch A, with their own (member) account
    term = factories.term(cast["a"], elected_on=date(2025, 1, 1), secretary=me.name)
    Post.objects.filter(term=term).update(id_number=me.id_number)
    factories.term(cast["b"], elected_on=date(2025, 1, 1), secretary="乙支部书记")
    year = timezone.localdate().year
    meeting = timezone.localdate() + timedelta(days=20)
    r = login(cast["bureau"]).post(
        "/honors/reviews/", {"year": year, "title": f"{year}年度述职评议", "meeting_on": meeting.isoformat()}
    )
    assert r.status_code == 302
    rnd = ReviewRound.objects.get()
    report_a = rnd.reports.get(organization=cast["a"])

    assert bell(login(cast["admin_a"])) == 1
    [n] = told(cast["admin_a"], "review.slot")
    assert n.title.startswith("【述职安排】") and f"测试第一党支部书记{me.name}" in n.title
    assert f"{meeting:%Y年%m月%d日}" in n.body and n.url == f"/honors/reports/{report_a.pk}/"
    # the secretary in person, without the staff page's link (a member may not open it)
    assert bell(login(cast["member"])) == 1
    [mine] = told(cast["member"], "review.slot")
    assert me.name in mine.title and mine.url == ""
    # branch B hears of its own secretary only; the bureau acted and is not told
    assert [x.title for x in told(cast["admin_b"], "review.slot")] == [
        f"【述职安排】{year}年度述职评议：请测试第二党支部书记乙支部书记述职"
    ]
    assert told(cast["bureau"], "review.slot") == [] and told(cast["inspector"], "review.slot") == []
    # idempotent: telling again tells nobody twice
    services.tell_slots(rnd, actor=cast["bureau"])
    assert Notification.objects.filter(kind="review.slot").count() == 3


def test_a_round_entered_after_its_meeting_arranges_nothing(cast):
    factories.term(cast["a"], elected_on=date(2025, 1, 1))
    last = timezone.localdate().year - 1
    services.create_review_round(
        last,
        f"{last}年度述职评议",
        actor=cast["bureau"],
        meeting_on=date(last + 1, 1, 1) - timedelta(days=30),
    )
    assert not Notification.objects.filter(kind="review.slot").exists()


def test_opening_the_ballot_tells_every_evaluator_once(cast, login):
    factories.term(cast["a"], elected_on=date(2025, 1, 1))
    rnd = services.create_review_round(2026, "2026年度述职评议", actor=cast["bureau"])
    bureau = login(cast["bureau"])
    for _ in range(2):  # opened twice (a repeated request): one notification each
        r = bureau.post(f"/honors/reviews/{rnd.pk}/settings/", {"action": "open"})
        assert r.status_code == 302
    evaluators = set(rnd.evaluators.exclude(pk=cast["bureau"].pk))
    assert evaluators == {cast["admin_a"], cast["admin_b"], cast["inspector"]}
    for who in evaluators:
        [n] = told(who, "review.open")
        assert n.title == "【测评开启】2026年度述职评议测评已开启，请投票"
        assert n.url == f"/honors/reviews/{rnd.pk}/vote/"
    assert bell(login(cast["inspector"])) == 1
    assert told(cast["member"], "review.open") == [] and told(cast["bureau"], "review.open") == []


def test_publicity_tells_the_nominee_and_the_nominating_branch(cast, login):
    hr = HonorRound.objects.create(
        year=2026,
        title="2026年两优一先",
        opens_on=date(2026, 5, 1),
        closes_on=date(2026, 6, 10),
        publicity_days=5,
    )
    nominee = cast["members_a"][0]  # has the member account
    n = Nomination.objects.create(
        round=hr,
        category="优秀共产党员",
        organization=cast["a"],
        member=nominee,
        deeds="事迹" * 20,
        status=NominationStatus.APPROVED,
    )
    r = login(cast["bureau"]).post(f"/honors/rounds/{hr.pk}/", {"action": "publicity"})
    assert r.status_code == 302
    n.refresh_from_db()
    assert n.status == NominationStatus.PUBLICITY
    span = f"公示期 {n.publicity_from:%Y年%m月%d日} 至 {n.publicity_until:%Y年%m月%d日}"
    assert bell(login(cast["member"])) == 1
    [mine] = told(cast["member"], "nomination.publicity")
    assert mine.title == f"【评先公示】2026年两优一先：{nominee.name}（优秀共产党员）进入公示"
    assert span in mine.body and mine.url == ""
    assert bell(login(cast["admin_a"])) == 1
    [branch] = told(cast["admin_a"], "nomination.publicity")
    assert branch.url == f"/honors/nominations/{n.pk}/"
    assert told(cast["admin_b"], "nomination.publicity") == []
    # the same day's publicity again (nothing left to publish) tells nobody twice
    services.start_publicity(hr, actor=cast["bureau"])
    assert Notification.objects.filter(kind="nomination.publicity").count() == 2
