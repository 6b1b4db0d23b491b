"""Delivering 月提醒 and term reminders: in-app notifications (the bell), e-mail and group robots, each at most once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.accounts import policy, scope
from dangjian.accounts.models import User
from dangjian.accounts.policy import Perm
from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit
from dangjian.core.periods import Period, add_months
from dangjian.orgs.models import Organization
from dangjian.orgs.terms import TermStatus

from . import channels, personal
from .models import Channel, Notification, OrgWebhook, Preference
from .monthly import OrgItems, describe


@dataclass
class DeliveryReport:
    notifications: int = 0
    deliveries: int = 0
    sent: int = 0
    failed: int = 0


def _admins_by_org(orgs: list[Organization]) -> tuple[dict[int, list[User]], list[User]]:
    """Who is reminded: the accounts that handle reminders (policy: SEND_NOTIFICATIONS), keyed by the
    organisation whose subtree they manage, and apart those whose scope is the whole tree (the bureau)."""
    users = User.objects.filter(is_active=True, role__in=policy.roles_with(Perm.SEND_NOTIFICATIONS))
    by_org: dict[int, list[User]] = {}
    bureau = []
    for u in users.select_related("organization"):
        if scope.is_bureau_admin(u):
            bureau.append(u)
        elif (root := scope.scope_root(u)) is not None:
            by_org.setdefault(root.pk, []).append(u)
    return by_org, bureau


def _ancestor_ids(org: Organization, by_path: dict[str, int]) -> list[int]:
    return [
        by_path[org.path[: i * org.steplen]]
        for i in range(1, org.depth)
        if org.path[: i * org.steplen] in by_path
    ]


def notify_user(
    user: User,
    *,
    kind: str,
    title: str,
    body: str,
    url: str,
    dedupe_key: str,
    org: Organization | None = None,
) -> Notification | None:
    """Create the in-app notification once (unique per recipient and key) and queue its e-mail."""
    try:
        with transaction.atomic():
            n = Notification.objects.create(
                recipient=user,
                organization=org,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                dedupe_key=dedupe_key[:200],
            )
    except IntegrityError:
        return None
    if settings.DANGJIAN_EMAIL_ENABLED and user.email:
        channels.queue(
            Channel.EMAIL,
            user.email,
            f"{dedupe_key}:u{user.pk}",
            title,
            {"text": f"{title}\n\n{body}"},
            recipient_id=user.pk,
        )
    channels.queue_many(personal_messages([_Planned(user, kind, title, body, url, dedupe_key, org)]))
    return n


def term_stage(expires_on: date | None, as_of: date) -> str | None:
    """Which reminder is due: six, three, one month(s) before expiry, or monthly once overdue."""
    if expires_on is None:
        return None
    if expires_on < as_of:
        return f"overdue:{as_of:%Y-%m}"
    for months in (1, 3, 6):
        if expires_on <= add_months(as_of, months):
            return f"before{months}"
    return None


@dataclass
class _Planned:
    user: User
    kind: str
    title: str
    body: str
    url: str
    dedupe_key: str
    org: Organization | None = None


def notify_many(planned: list[_Planned], *, email_to: set[int] | None = None) -> list[_Planned]:
    """Create the in-app notifications that do not exist yet (unique per recipient and key) with one read and
    bulk inserts, and queue their e-mails (to everyone with an address, or only to the users in `email_to`); returns those that were new, in order. As with notify_user, the
    unique keys keep each notification and each e-mail to one: a row another process inserted meanwhile is
    skipped by the insert itself."""
    wanted: dict[tuple[int, str], _Planned] = {}
    for p in planned:
        wanted.setdefault((p.user.pk, p.dedupe_key[:200]), p)
    if not wanted:
        return []
    existing = set(
        Notification.objects.filter(
            recipient__in={uid for uid, _ in wanted}, dedupe_key__in={k for _, k in wanted}
        ).values_list("recipient_id", "dedupe_key")
    )
    new = [p for key, p in wanted.items() if key not in existing]
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=p.user,
                organization=p.org,
                kind=p.kind,
                title=p.title[:200],
                body=p.body,
                url=p.url,
                dedupe_key=p.dedupe_key[:200],
            )
            for p in new
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    messages = personal_messages(new)
    if settings.DANGJIAN_EMAIL_ENABLED:
        messages += [
            channels.Message(
                Channel.EMAIL,
                p.user.email,
                f"{p.dedupe_key}:u{p.user.pk}",
                p.title,
                {"text": f"{p.title}\n\n{p.body}"},
                p.user.pk,
            )
            for p in new
            if p.user.email and (email_to is None or p.user.pk in email_to)
        ]
    channels.queue_many(messages)
    return new


def deliver(month: Period, org_items: list[OrgItems]) -> DeliveryReport:
    """Plan every notification and robot message of the month, then write them in bulk: a constant number of
    queries whatever the number of organisations (plus the sending of what is pending)."""
    report = DeliveryReport()
    orgs = [oi.org for oi in org_items]
    by_path = dict(Organization.objects.values_list("path", "id"))
    admins, bureau = _admins_by_org(orgs)
    hooks = {h.organization_id: h for h in OrgWebhook.objects.filter(is_active=True, organization__in=orgs)}
    planned: list[_Planned] = []
    messages: list[channels.Message] = []
    digest: list[str] = []
    for oi in org_items:
        if not oi.items:
            continue
        org = oi.org
        lines = [describe(i) for i in oi.items]
        own = admins.get(org.id, [])
        title = f"{month.label}工作提醒：{org.name}"
        url = f"/compliance/todo/?org={org.id}"
        body = "\n".join(lines)
        for user in own:
            planned.append(_Planned(user, "monthly", title, body, url, f"monthly:{month}:{org.id}", org))
        # Term reminders go to the organisation and every superior's admins (and the bureau), each at most once.
        for item in oi.items:
            if item["type"] != "term" or item["status"] == TermStatus.MISSING:
                continue
            expiry = date.fromisoformat(item["expires_on"]) if item.get("expires_on") else None
            stage = term_stage(expiry, month.start)
            if stage is None:
                continue
            chain = [u for aid in _ancestor_ids(org, by_path) for u in admins.get(aid, [])]
            for user in {u.pk: u for u in own + chain + bureau}.values():
                planned.append(
                    _Planned(
                        user,
                        "term",
                        f"换届提醒：{org.name}",
                        describe(item),
                        f"/orgs/{org.id}/",
                        f"term:{org.id}:{item.get('expires_on')}:{stage}",
                        org,
                    )
                )
        hook = hooks.get(org.id)
        if hook:
            messages.append(
                channels.Message(
                    Channel.WEBHOOK,
                    hook.url,
                    f"monthly:{month}:{org.id}",
                    title,
                    {"message": channels.robot_payload(hook.kind, title, lines), "secret": hook.secret},
                )
            )
        digest.append(f"{org.name}：{len(oi.items)} 项")
    if digest:
        title = f"{month.label}全局工作提醒汇总"
        body = f"共 {len(digest)} 个党组织有待办事项：\n" + "\n".join(digest)
        for user in bureau:
            planned.append(_Planned(user, "monthly", title, body, "/compliance/", f"monthly:{month}:digest"))
        if settings.DANGJIAN_WEBHOOK_URL:
            messages.append(
                channels.Message(
                    Channel.WEBHOOK,
                    settings.DANGJIAN_WEBHOOK_URL,
                    f"monthly:{month}:digest",
                    title,
                    {
                        "message": channels.robot_payload(settings.DANGJIAN_WEBHOOK_KIND, title, digest[:50]),
                        "secret": "",
                    },
                )
            )
    report.notifications = len(notify_many(planned))
    report.deliveries = channels.queue_many(messages)
    result = channels.send_pending()
    report.sent, report.failed = result["sent"], result["failed"]
    return report


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: Any, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def wants_event_email(user: Any) -> bool:
    from .models import Preference

    pref = Preference.objects.filter(user=user).first()
    return pref is None or pref.email_events


def set_event_email(user: Any, on: bool) -> None:
    """通知偏好: whether the events that concern this person also come by e-mail (audited)."""
    from dangjian.core import audit

    from .models import Preference

    pref = Preference.objects.filter(user=user).first()
    if pref is None:
        pref = Preference.objects.create(user=user, email_events=on)
        audit.log_create(pref, actor=user)
    elif pref.email_events != on:
        before = audit.snapshot(pref)
        pref.email_events = on
        pref.save()
        audit.log_update(pref, before, actor=user)


@transaction.atomic
def save_webhook(org: Organization, data: Mapping[str, Any], *, actor: Actor) -> OrgWebhook:
    """The organisation's group robot (one per organisation): created or changed, audited."""
    fields = {k: data[k] for k in ("kind", "url", "secret", "is_active") if k in data}
    row = OrgWebhook.objects.select_for_update().filter(organization=org).first()
    if row is None:
        return actions.create(
            OrgWebhook, {**fields, "organization": org}, actor=actor, event="orgwebhook.create"
        )
    before = audit.snapshot(row)
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    audit.log_update(row, before, actor=actor, event="orgwebhook.update")
    return row


# --- personal channels: 企业微信 应用消息 and 短信 (issue 19 part 3) -------------------------------------------------
WECOM_USERID = re.compile(r"^[A-Za-z0-9_.@\-]{1,64}$")


@dataclass(frozen=True)
class Reach:
    """Where a person's notifications go besides 站内通知 (empty: not that way)."""

    wecom: str = ""
    sms: str = ""


def _phones(users: list[User]) -> dict[int, str]:
    """Each user's mobile number: the account's, else the linked member record's 联系电话."""
    from dangjian.members.models import Member

    phones = {u.pk: u.phone.strip() for u in users if u.phone.strip()}
    missing = [u.pk for u in users if u.pk not in phones]
    if missing:
        for uid, phone in (
            Member.objects.filter(user_id__in=missing).exclude(phone="").values_list("user_id", "phone")
        ):
            phones.setdefault(uid, phone.strip())
    return {uid: p for uid, p in phones.items() if re.fullmatch(r"1\d{10}", p)}


def default_wecom_userid(user: User, phone: str = "") -> str:
    rule = settings.DANGJIAN_WECOM_USERID_DEFAULT
    if rule == "username":
        return user.username
    if rule == "phone":
        return phone
    return ""


def reach_of(users: list[User]) -> dict[int, Reach]:
    """The personal channels each user chose and can be reached on (two queries whatever their number)."""
    if not users:
        return {}
    prefs = {p.user_id: p for p in Preference.objects.filter(user__in=users)}
    phones = _phones(users)
    out: dict[int, Reach] = {}
    for u in users:
        pref = prefs.get(u.pk)
        if pref is None:
            continue
        phone = phones.get(u.pk, "")
        wecom = (pref.wecom_userid or default_wecom_userid(u, phone)) if pref.wecom_events else ""
        out[u.pk] = Reach(
            wecom=wecom if personal.wecom_configured() else "",
            sms=phone if pref.sms_events and personal.sms_configured() else "",
        )
    return out


def message_text(title: str, body: str, url: str) -> str:
    link = f"{settings.DANGJIAN_SITE_URL}{url}" if url and settings.DANGJIAN_SITE_URL else ""
    return "\n".join(part for part in (title, body.strip(), link) if part)


def personal_messages(planned: list[_Planned]) -> list[channels.Message]:
    """The 企业微信 and 短信 messages of new notifications, for the people who chose those channels. Keyed like
    the e-mail (`<notification key>:u<user>`): the deliveries log queues each at most once."""
    if not planned or not (personal.wecom_configured() or personal.sms_configured()):
        return []
    reach = reach_of(list({p.user.pk: p.user for p in planned}.values()))
    out: list[channels.Message] = []
    for p in planned:
        r = reach.get(p.user.pk)
        if r is None:
            continue
        key = f"{p.dedupe_key}:u{p.user.pk}"
        text = message_text(p.title, p.body, p.url)
        for channel, address in ((Channel.WECOM, r.wecom), (Channel.SMS, r.sms)):
            if address:
                out.append(channels.Message(channel, address, key, p.title, {"text": text}, p.user.pk))
    return out


def preference_of(user: User) -> Preference:
    """The person's 通知设置 (the defaults, unsaved, while they have saved none)."""
    return Preference.objects.filter(user=user).first() or Preference(user=user, version=0)


def save_preferences(
    user: User,
    *,
    email: bool,
    wecom: bool,
    sms: bool,
    wecom_userid: str = "",
    version: int | None = None,
    actor: Actor,
) -> Preference:
    """The person's own choice of channels (audited as preference.create / preference.update)."""
    wecom_userid = wecom_userid.strip()
    if wecom_userid and not WECOM_USERID.match(wecom_userid):
        raise actions.Refusal("企业微信账号只能包含字母、数字和 _ . @ -，最长 64 位", field="wecom_userid")
    if wecom and not personal.wecom_configured():
        raise actions.Refusal("系统尚未配置企业微信应用，暂不能选择企业微信消息", field="wecom_events")
    phone = _phones([user]).get(user.pk, "")
    if wecom and not (wecom_userid or default_wecom_userid(user, phone)):
        raise actions.Refusal("选择企业微信消息须填写您的企业微信账号", field="wecom_userid")
    if sms and not personal.sms_configured():
        raise actions.Refusal("系统尚未配置短信网关，暂不能选择短信", field="sms_events")
    if sms and not phone:
        raise actions.Refusal("选择短信须先登记手机号码：请联系管理员在您的账号中登记", field="sms_events")
    values = {"email_events": email, "wecom_events": wecom, "sms_events": sms, "wecom_userid": wecom_userid}
    with transaction.atomic():
        pref = Preference.objects.select_for_update().filter(user=user).first()
        if pref is None:
            return actions.create(
                Preference, {"user": user, **values}, actor=actor, event="preference.create"
            )
        for name, value in values.items():
            setattr(pref, name, value)
        actions.save_versioned(
            pref,
            expected_version=version,
            actor=actor,
            event="preference.update",
            what="通知设置",
            skip_unchanged=True,
            note="修改通知设置",
        )
    return pref


@dataclass
class TestResult:
    channel: str  # its label
    address: str  # masked
    ok: bool
    detail: str


def mask(channel: str, address: str) -> str:
    if channel == Channel.SMS and len(address) >= 7:
        return f"{address[:3]}****{address[-4:]}"
    if channel == Channel.EMAIL and "@" in address:
        name, host = address.split("@", 1)
        return f"{name[:1]}***@{host}"
    return address


def send_test(user: User, *, actor: Actor) -> list[TestResult]:
    """发送测试消息: one message over each channel the person chose, sent at once; each result logged (the
    deliveries) and reported. Refused when they chose none besides 站内通知."""
    pref = preference_of(user)
    stamp = timezone.localtime()
    key = f"test:{user.pk}:{stamp:%Y%m%d%H%M%S%f}"
    title = "测试消息"
    text = f"【党建工作管理平台】这是一条测试消息，发送于 {stamp:%Y-%m-%d %H:%M:%S}。收到即说明您选择的接收方式可用。"
    wanted: list[tuple[str, str]] = []
    if pref.email_events and user.email and settings.DANGJIAN_EMAIL_ENABLED:
        wanted.append((Channel.EMAIL, user.email))
    reach = reach_of([user]).get(user.pk) or Reach()
    if reach.wecom:
        wanted.append((Channel.WECOM, reach.wecom))
    if reach.sms:
        wanted.append((Channel.SMS, reach.sms))
    if not wanted:
        raise actions.Refusal("您尚未选择站内通知以外的接收方式（或所选方式尚不可用），请先选择并保存")
    results = []
    for channel, address in wanted:
        d = channels.queue(channel, address, key, title, {"text": text}, recipient_id=user.pk)
        if d is None:
            continue
        ok = channels.attempt(d)
        results.append(
            TestResult(Channel(channel).label, mask(channel, address), ok, d.response if ok else d.error)
        )
    audit.record(
        "preference.test",
        actor=actor,
        instance=pref if pref.pk else None,
        model="notify.preference",
        object_repr=f"{user} 通知设置",
        note="发送测试消息："
        + "；".join(f"{r.channel}{'成功' if r.ok else '失败（' + r.detail + '）'}" for r in results),
    )
    return results
