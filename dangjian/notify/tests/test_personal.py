"""Personal messages (issue 19 part 3): 企业微信 应用消息 and a generic SMS gateway beside e-mail, each person's
choice of channels, every delivery logged with its result, retried with backoff (by the job runner), never
queued twice, and 企业微信's own duplicate check; all against local fakes of the two APIs (no network here)."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from dangjian.core import events
from dangjian.core.actions import Refusal
from dangjian.core.models import AuditEntry
from dangjian.notify import channels, personal, services
from dangjian.notify.models import Delivery, Notification

from .fakes import FakeSMSGateway, FakeWeCom

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_tokens():
    personal.forget_tokens()
    yield
    personal.forget_tokens()


@pytest.fixture
def wecom():
    with FakeWeCom() as fake, fake.settings():
        yield fake


@pytest.fixture
def sms():
    with FakeSMSGateway() as fake, fake.settings():
        yield fake


def member_user(cast, phone="13800138000"):
    u = cast["member"]
    u.phone = phone
    u.save(update_fields=["phone"])
    return u


def emit_to(user, key="k1", title="您的学习记录已审核"):
    events.emit("activity.approve", title=title, body="请查看。", url="/study/", key=key, recipients=[user])


# --- the adapters ---------------------------------------------------------------------------------------------
def test_wecom_message_with_token_reuse_and_duplicate_check(wecom):
    assert personal.send_wecom("zhangsan", "第一条").startswith("errcode=0 msgid=")
    personal.send_wecom("zhangsan", "第二条")
    assert wecom.tokens_issued == 1  # the access_token is kept until shortly before it expires
    msg = wecom.sends[0]
    assert msg["touser"] == "zhangsan" and msg["agentid"] == 1000002 and msg["msgtype"] == "text"
    assert msg["text"]["content"] == "第一条"
    assert msg["enable_duplicate_check"] == 1 and msg["duplicate_check_interval"] == 1800
    personal.send_wecom("zhangsan", "第一条")  # repeated within half an hour: 企业微信 drops it
    assert wecom.inbox == [("zhangsan", "第一条"), ("zhangsan", "第二条")]


def test_wecom_fetches_a_new_token_when_it_has_expired(wecom):
    personal.send_wecom("zhangsan", "一")
    wecom.expire_token()
    personal.send_wecom("zhangsan", "二")
    assert wecom.tokens_issued == 2 and wecom.inbox[-1] == ("zhangsan", "二")


def test_wecom_errors_are_chinese(wecom):
    with pytest.raises(RuntimeError, match="不存在或不在应用的可见范围内"):
        personal.send_wecom("nobody", "你好")
    wecom.fail = (60020, "not allow to access from your ip")
    with pytest.raises(RuntimeError, match="企业微信返回错误 60020"):
        personal.send_wecom("zhangsan", "你好")
    with override_settings(DANGJIAN_WECOM_SECRET="wrong"):
        personal.forget_tokens()
        with pytest.raises(RuntimeError, match="企业微信获取凭证失败：40001"):
            personal.send_wecom("zhangsan", "你好")


def test_sms_gateway_post_json_template(sms):
    text = '会议通知："主题党日"\n请准时参加'
    assert personal.send_sms("13800138000", text).startswith("HTTP 200")
    req = sms.requests[0]
    assert req["method"] == "POST" and req["path"] == "/api/sms/send"
    assert req["headers"]["Authorization"] == "Bearer sms-test-key"
    body = json.loads(req["body"])  # the text JSON-escaped into the template
    assert body == {"mobile": "13800138000", "content": '【测试商务局】会议通知："主题党日" 请准时参加'}


def test_sms_gateway_get_template_and_failures(sms):
    with override_settings(
        DANGJIAN_SMS_URL=f"{sms.base}/send?to={{phone}}&msg={{text}}&key=abc", DANGJIAN_SMS_METHOD="GET"
    ):
        personal.send_sms("13800138000", "开会 & 学习")
    req = sms.requests[-1]
    assert req["method"] == "GET" and req["query"] == {
        "to": "13800138000",
        "msg": "【测试商务局】开会 & 学习",
        "key": "abc",
    }
    sms.reply = {"code": 17, "msg": "余额不足"}
    with pytest.raises(RuntimeError, match="短信网关未确认发送"):
        personal.send_sms("13800138000", "你好")
    sms.status = 500
    with pytest.raises(RuntimeError, match="HTTP 500"):
        personal.send_sms("13800138000", "你好")


# --- preferences ----------------------------------------------------------------------------------------------
def test_each_person_chooses_channels_and_the_choice_is_audited(cast, wecom, sms):
    u = member_user(cast, phone="")
    with pytest.raises(Refusal, match="须填写您的企业微信账号"):
        services.save_preferences(u, email=True, wecom=True, sms=False, actor=u)
    with pytest.raises(Refusal, match="须先登记手机号码"):
        services.save_preferences(u, email=True, wecom=False, sms=True, actor=u)
    with pytest.raises(Refusal, match="只能包含"):
        services.save_preferences(u, email=True, wecom=True, sms=False, wecom_userid="张 三", actor=u)
    member_user(cast)
    pref = services.save_preferences(u, email=False, wecom=True, sms=True, wecom_userid="member_a", actor=u)
    assert (pref.email_events, pref.wecom_events, pref.sms_events) == (False, True, True)
    assert AuditEntry.objects.filter(action="preference.create", actor_id=u.pk).exists()
    services.save_preferences(
        u, email=False, wecom=True, sms=False, wecom_userid="member_a", version=pref.version, actor=u
    )
    entry = AuditEntry.objects.get(action="preference.update")
    assert entry.changes["sms_events"] == [True, False]


def test_channels_not_configured_cannot_be_chosen(cast):
    u = member_user(cast)
    with pytest.raises(Refusal, match="尚未配置企业微信应用"):
        services.save_preferences(u, email=True, wecom=True, sms=False, wecom_userid="x", actor=u)
    with pytest.raises(Refusal, match="尚未配置短信网关"):
        services.save_preferences(u, email=True, wecom=False, sms=True, actor=u)


def test_the_userid_may_default_to_the_username(cast, wecom, settings):
    settings.DANGJIAN_WECOM_USERID_DEFAULT = "username"
    u = member_user(cast)
    services.save_preferences(u, email=False, wecom=True, sms=False, actor=u)
    assert services.reach_of([u])[u.pk].wecom == "member_a"


# --- notifications reach people on their channels -----------------------------------------------------------------
def test_an_event_reaches_a_person_on_the_channels_they_chose_once(cast, wecom, sms):
    u = member_user(cast)
    services.save_preferences(u, email=False, wecom=True, sms=True, wecom_userid="member_a", actor=u)
    nobody = cast["admin_b"]  # chose nothing: 站内通知 only
    emit_to(u)
    emit_to(nobody)
    emit_to(u)  # the same event again (same key): nothing is queued twice
    assert Notification.objects.filter(recipient=u).count() == 1
    rows = Delivery.objects.filter(recipient=u).order_by("channel")
    assert [(d.channel, d.address) for d in rows] == [("sms", "13800138000"), ("wecom", "member_a")]
    assert not Delivery.objects.filter(recipient=nobody).exists()
    assert channels.send_pending() == {"sent": 2, "failed": 0}
    assert channels.send_pending() == {"sent": 0, "failed": 0}
    assert wecom.inbox == [("member_a", "【审核通过】您的学习记录已审核\n请查看。")]
    assert len(sms.requests) == 1 and "您的学习记录已审核" in json.loads(sms.requests[0]["body"])["content"]
    d = Delivery.objects.get(channel="wecom")
    assert d.status == "sent" and d.response.startswith("errcode=0 msgid=") and d.attempts == 1


def test_a_link_is_added_when_the_site_address_is_known(cast, wecom, settings):
    settings.DANGJIAN_SITE_URL = "https://dj.example.gov.cn"
    u = member_user(cast)
    services.save_preferences(u, email=False, wecom=True, sms=False, wecom_userid="member_a", actor=u)
    emit_to(u)
    channels.send_pending()
    assert wecom.inbox[0][1].endswith("https://dj.example.gov.cn/study/")


def test_failures_are_logged_and_retried_with_backoff_then_given_up(cast, wecom):
    u = member_user(cast)
    services.save_preferences(u, email=False, wecom=True, sms=False, wecom_userid="member_a", actor=u)
    wecom.fail = (45009, "api freq out of limit")
    emit_to(u)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert channels.send_pending() == {"sent": 0, "failed": 1}
        d = Delivery.objects.get(channel="wecom")
        assert d.status == "failed" and "45009" in d.error and d.attempts == 1
        assert d.next_attempt_at == start + timedelta(seconds=60)
        assert channels.send_pending() == {"sent": 0, "failed": 0}  # not yet: the pause is not over
        pauses = []
        for _ in range(3):
            clock.move_to(Delivery.objects.get(pk=d.pk).next_attempt_at + timedelta(seconds=1))
            before = timezone.now()
            channels.send_pending()
            d.refresh_from_db()
            pauses.append(round((d.next_attempt_at - before).total_seconds()) if d.next_attempt_at else None)
        assert pauses == [300, 1800, 7200] and d.attempts == 4
        wecom.fail = None
        clock.move_to(d.next_attempt_at + timedelta(seconds=1))
        assert channels.send_pending() == {"sent": 1, "failed": 0}
    d.refresh_from_db()
    assert d.status == "sent" and d.attempts == 5 and d.error == "" and len(wecom.inbox) == 1


def test_given_up_after_the_last_attempt(cast, sms):
    u = member_user(cast)
    services.save_preferences(u, email=False, wecom=False, sms=True, actor=u)
    sms.status = 503
    emit_to(u)
    d = None
    for _ in range(channels.MAX_ATTEMPTS + 2):
        Delivery.objects.filter(channel="sms").update(next_attempt_at=None)
        channels.send_pending()
        d = Delivery.objects.get(channel="sms")
    assert d.attempts == channels.MAX_ATTEMPTS and d.status == "failed" and "HTTP 503" in d.error
    assert len(sms.requests) == channels.MAX_ATTEMPTS


@pytest.mark.django_db(transaction=True)
def test_the_job_runner_retries_when_the_pause_is_over(cast, wecom):
    """With the database queue, a failure hands a retry to `dangjian worker` for when its pause is over."""
    from django_tasks_db.models import DBTaskResult

    u = member_user(cast)
    services.save_preferences(u, email=False, wecom=True, sms=False, wecom_userid="member_a", actor=u)
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    ):
        wecom.fail = (-1, "system busy")
        emit_to(u)
        channels.send_pending()
        d = Delivery.objects.get(channel="wecom")
        task = DBTaskResult.objects.get(task_path="dangjian.notify.tasks.send_deliveries")
        assert task.run_after == d.next_attempt_at
        wecom.fail = None
        call_command("worker", "--batch", stdout=io.StringIO())  # not due yet: stays queued
        d.refresh_from_db()
        assert d.status == "failed" and wecom.inbox == []
        with time_machine.travel(d.next_attempt_at + timedelta(seconds=1)):
            call_command("worker", "--batch", stdout=io.StringIO())
    d.refresh_from_db()
    assert d.status == "sent" and wecom.inbox == [("member_a", "【审核通过】您的学习记录已审核\n请查看。")]


# --- the settings page and its test button ------------------------------------------------------------------------
def test_settings_page_saves_and_sends_a_test_message_over_each_chosen_channel(cast, login, wecom, sms):
    u = member_user(cast)
    client = login(u)
    page = client.get("/notify/settings/").content.decode()
    assert "发送测试消息" in page and "138****8000" in page
    r = client.post(
        "/notify/settings/",
        {"wecom_events": "on", "sms_events": "on", "wecom_userid": "member_a", "version": "0"},
    )
    assert r.status_code == 302
    r = client.post("/notify/settings/test/", follow=True)
    body = r.content.decode()
    assert "企业微信（member_a）：测试消息已发送" in body and "短信（138****8000）：测试消息已发送" in body
    assert [m[0] for m in wecom.inbox] == ["member_a"] and "测试消息" in wecom.inbox[0][1]
    assert len(sms.requests) == 1
    log = body[body.index('id="delivery-log"') :]
    assert log.count("已发送") == 2
    assert AuditEntry.objects.filter(action="preference.test", actor_id=u.pk).exists()
    sms.status = 500
    body = client.post("/notify/settings/test/", follow=True).content.decode()
    assert "短信（138****8000）：发送失败——接口返回 HTTP 500（系统将稍后重试）" in body


def test_the_test_button_without_a_chosen_channel_says_so(cast, login):
    body = login(cast["member"]).post("/notify/settings/test/", follow=True).content.decode()
    assert "您尚未选择站内通知以外的接收方式" in body


def test_a_refused_choice_is_shown_on_the_form(cast, login, wecom):
    client = login(member_user(cast))
    r = client.post("/notify/settings/", {"wecom_events": "on", "wecom_userid": "", "version": "0"})
    assert r.status_code == 400 and "须填写您的企业微信账号" in r.content.decode()
