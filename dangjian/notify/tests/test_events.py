"""Events (core.events) become 站内通知 for the people concerned, at once, once, and e-mail per preference."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from dangjian.activities import services as activities
from dangjian.activities.tests.factories import activity
from dangjian.core import events
from dangjian.factories import cast
from dangjian.notify.models import Delivery, Notification, OrgWebhook, Preference

pytestmark = pytest.mark.django_db


def titles(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_review_cycle_tells_the_branch_and_the_reviewers(settings, django_capture_on_commit_callbacks):
    settings.DANGJIAN_EMAIL_ENABLED = True
    c = cast()
    c["admin_a"].email = "a@example.cn"
    c["admin_a"].save()
    rec = activity(c["a"], actor=c["admin_a"], submit=True)
    # 待审核: the bureau (a reviewer) is told, the branch admin who submitted is not
    assert any("待审核" in t for t in titles(c["bureau"]))
    assert titles(c["admin_a"]) == []
    assert titles(c["admin_b"]) == []  # another branch is nobody's reviewer here
    with django_capture_on_commit_callbacks(execute=True):
        activities.return_for_correction(rec, actor=c["bureau"], comment="缺少会议记录")
    [n] = Notification.objects.filter(recipient=c["admin_a"])
    assert n.title.startswith("【退回】") and "缺少会议记录" in n.body
    assert n.url == f"/activities/{rec.pk}/"
    assert mail.outbox and mail.outbox[-1].to == ["a@example.cn"]
    rec.refresh_from_db()
    activities.submit(rec, actor=c["admin_a"])
    activities.approve(rec, actor=c["bureau"])
    assert [t[:6] for t in titles(c["admin_a"])] == ["【审核通过】", "【退回】测试"]
    assert not Notification.objects.filter(recipient=c["bureau"], kind="activity.approve").exists()


def test_same_occurrence_notifies_once_and_preference_turns_email_off(settings):
    settings.DANGJIAN_EMAIL_ENABLED = True
    c = cast()
    c["admin_a"].email = "a@example.cn"
    c["admin_a"].save()
    Preference.objects.create(user=c["admin_a"], email_events=False)
    for _ in range(2):
        events.emit("notice.urge", title="请签收", key="n1:a:2026-12-07", org=c["a"], audience="org_admins")
    assert Notification.objects.filter(recipient=c["admin_a"]).count() == 1
    assert not Delivery.objects.filter(channel="email").exists()


def test_robot_gets_only_organisation_summaries():
    c = cast()
    OrgWebhook.objects.create(organization=c["a"], url="https://qyapi.weixin.qq.com/x")
    events.emit("activity.return", title="个人事项", key="x1", recipients=[c["admin_a"]], org=c["a"])
    assert not Delivery.objects.filter(channel="webhook").exists()
    events.emit(
        "notice.issue",
        title="新通知",
        key="x2",
        org=c["a"],
        audience="org_admins",
        org_summary="本支部有 1 件通知待签收",
    )
    [d] = Delivery.objects.filter(channel="webhook")
    assert "本支部有 1 件通知待签收" in str(d.payload)


def test_rolled_back_action_leaves_no_notification():
    c = cast()
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit("notice.urge", title="请签收", key="r", recipients=[c["admin_a"]])
        raise RuntimeError
    assert not Notification.objects.exists()


def test_unknown_event_is_refused():
    with pytest.raises(ValueError):
        events.emit("made.up", title="x", key="1")


def test_preference_is_set_on_the_centre(client):
    c = cast()
    client.force_login(c["admin_a"])
    assert "保存通知偏好" in client.get("/notify/").content.decode()
    assert client.post("/notify/preferences/", {}).status_code == 302
    assert Preference.objects.get(user=c["admin_a"]).email_events is False
    client.post("/notify/preferences/", {"email_events": "1"})
    assert Preference.objects.get(user=c["admin_a"]).email_events is True
