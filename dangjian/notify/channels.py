"""External channels: e-mail, group robots (企业微信 / 钉钉 JSON), and to one person 企业微信 应用消息 and 短信
(notify/personal.py). Each message is a Delivery row claimed with a conditional UPDATE before it is sent, so that
two runs (or two processes) never send it twice. The row is the message's log: every attempt's result; a failed
one is tried again after a growing pause (BACKOFF_SECONDS) by whichever runs next — the retry task the job
runner holds (`dangjian worker`, scheduled for the earliest retry), `remind`, or the next event — up to
MAX_ATTEMPTS attempts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.utils import timezone

from . import personal
from .models import Channel, Delivery, WebhookKind

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = (60, 300, 1800, 7200)  # after the 1st, 2nd, 3rd, 4th failed attempt
TIMEOUT_S = 10
ROBOT_HOSTS = ("qyapi.weixin.qq.com", "oapi.dingtalk.com")


class WebhookAddressError(ValueError):
    """A robot address the server must not post to; the message is Chinese and says why."""


def allowed_webhook_hosts() -> set[str]:
    """企业微信 / 钉钉, the host of the operator's DANGJIAN_WEBHOOK_URL, and DANGJIAN_WEBHOOK_ALLOWED_HOSTS."""
    hosts = set(ROBOT_HOSTS) | {h.lower() for h in getattr(settings, "DANGJIAN_WEBHOOK_ALLOWED_HOSTS", [])}
    operator = urllib.parse.urlsplit(getattr(settings, "DANGJIAN_WEBHOOK_URL", "") or "").hostname
    if operator:
        hosts.add(operator.lower())
    return hosts


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global is False for private, loopback, link-local (169.254.169.254), shared, reserved, unspecified
    return ip.is_global and not ip.is_multicast


def check_webhook_url(url: str) -> None:
    """Refuse an address `remind` must not post to: not http(s), or a host that is not allowed by name and
    resolves (any of its addresses) to a private, loopback or link-local address. Checked when the address
    is saved and again before each send (a name can be pointed elsewhere in between)."""
    try:
        parts = urllib.parse.urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise WebhookAddressError("机器人地址格式不正确")
    if parts.scheme not in ("http", "https") or not host:
        raise WebhookAddressError("机器人地址须以 https:// 或 http:// 开头并包含主机名")
    host = host.lower().rstrip(".")
    if host in allowed_webhook_hosts():
        return
    try:
        infos = socket.getaddrinfo(
            host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError, OSError):
        raise WebhookAddressError(f"无法解析机器人地址的主机名“{host}”")
    if not infos or not all(_public(info[4][0]) for info in infos):
        raise WebhookAddressError(
            f"机器人地址“{host}”指向内部网络地址，不能使用；企业微信、钉钉机器人地址可直接使用，"
            "内网网关须由系统管理员在 DANGJIAN_WEBHOOK_ALLOWED_HOSTS 中登记"
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A robot answers; it never redirects. Following one would let a public host send `remind` inside."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(req.full_url, code, "机器人地址返回了重定向，已拒绝", headers, fp)


_OPENER = urllib.request.build_opener(_NoRedirect)


def robot_payload(kind: str, title: str, lines: list[str]) -> dict[str, Any]:
    text = f"### {title}\n" + "\n".join(f"- {line}" for line in lines)
    if kind == WebhookKind.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def signed_url(url: str, secret: str) -> str:
    """钉钉 加签: timestamp + HmacSHA256(secret, "timestamp\\nsecret"), base64, URL-encoded."""
    if not secret:
        return url
    ts = str(int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={sign}"


def queue(
    channel: str,
    address: str,
    dedupe_key: str,
    subject: str,
    payload: dict[str, Any],
    recipient_id: int | None = None,
) -> Delivery | None:
    """Create the delivery unless it already exists; returns it only when newly created."""
    obj, created = Delivery.objects.get_or_create(
        channel=channel,
        address=address,
        dedupe_key=dedupe_key[:200],
        defaults={"subject": subject[:200], "payload": payload, "recipient_id": recipient_id},
    )
    return obj if created else None


@dataclass(frozen=True)
class Message:
    channel: str
    address: str
    dedupe_key: str
    subject: str
    payload: dict[str, Any]
    recipient_id: int | None = None  # the person it is for (personal channels), for their log


def queue_many(messages: list[Message]) -> int:
    """Create the deliveries that do not exist yet, in two queries whatever their number; returns how many were
    new. The unique key (channel, address, dedupe_key) still guarantees each is queued once: a row another
    process inserted meanwhile is skipped by the insert itself."""
    wanted: dict[tuple[str, str, str], Message] = {}
    for m in messages:
        wanted.setdefault((m.channel, m.address, m.dedupe_key[:200]), m)
    if not wanted:
        return 0
    keys = {k[2] for k in wanted}
    existing = set(
        Delivery.objects.filter(dedupe_key__in=keys).values_list("channel", "address", "dedupe_key")
    )
    new = [
        Delivery(
            channel=c,
            address=a,
            dedupe_key=k,
            subject=m.subject[:200],
            payload=m.payload,
            recipient_id=m.recipient_id,
        )
        for (c, a, k), m in wanted.items()
        if (c, a, k) not in existing
    ]
    Delivery.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return len(new)


def _due() -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())


def _claim(d: Delivery) -> bool:
    return bool(
        Delivery.objects.filter(
            pk=d.pk, status__in=["pending", "failed"], attempts=d.attempts, attempts__lt=MAX_ATTEMPTS
        )
        .filter(_due())
        .update(attempts=F("attempts") + 1, last_attempt_at=timezone.now())
    )


def _send(d: Delivery) -> str:
    """Send one claimed delivery; returns what the other side answered (for the log)."""
    text = d.payload.get("text", "")
    if d.channel == Channel.EMAIL:
        send_mail(d.subject, text, settings.DEFAULT_FROM_EMAIL, [d.address], fail_silently=False)
        return "邮件服务器已接收"
    if d.channel == Channel.WECOM:
        return personal.send_wecom(d.address, text)
    if d.channel == Channel.SMS:
        return personal.send_sms(d.address, text)
    check_webhook_url(d.address)  # again at send time: the saved name may now resolve inside
    url = signed_url(d.address, d.payload.get("secret", ""))
    body = json.dumps(d.payload["message"], ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json; charset=utf-8"}, method="POST"
    )
    with _OPENER.open(req, timeout=TIMEOUT_S) as resp:  # an address checked just above
        answer = json.loads(resp.read().decode("utf-8") or "{}")
    if answer.get("errcode", 0) != 0:
        raise RuntimeError(f"机器人返回错误：{answer.get('errmsg', answer)}")
    return f"errcode=0 {answer.get('errmsg', '')}".strip()


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When a delivery that failed its `attempts`-th attempt is tried again (None: given up)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])


def attempt(d: Delivery) -> bool:
    """Claim and send one delivery, logging the result; True when sent. False when it failed, or when it was
    not this run's to send (taken by another run, not yet due, given up)."""
    if not _claim(d):
        return False
    d.refresh_from_db(fields=["attempts"])
    now = timezone.now()
    try:
        response = _send(d)
    except Exception as exc:  # noqa: BLE001 - any channel failure is logged and retried after a pause
        again = retry_at(d.attempts, now)
        Delivery.objects.filter(pk=d.pk).update(status="failed", error=str(exc)[:300], next_attempt_at=again)
        d.status, d.error, d.next_attempt_at = "failed", str(exc)[:300], again
        return False
    Delivery.objects.filter(pk=d.pk).update(
        status="sent", sent_at=now, error="", response=response[:300], next_attempt_at=None
    )
    d.status, d.sent_at, d.error, d.response = "sent", now, "", response[:300]
    return True


def send_pending(limit: int = 500) -> dict[str, int]:
    sent = failed = 0
    due = Delivery.objects.filter(status__in=["pending", "failed"], attempts__lt=MAX_ATTEMPTS).filter(_due())
    for d in list(due.order_by("id")[:limit]):
        if attempt(d):
            sent += 1
        elif d.status == "failed":
            failed += 1
    if failed:
        schedule_retry()
    return {"sent": sent, "failed": failed}


def schedule_retry() -> None:
    """Hand the earliest pending retry to the job runner (`dangjian worker`), to run when it is due. Backends
    that cannot defer a task (tests run tasks at once) leave it to `remind` and the next event."""
    from django_tasks import default_task_backend

    nxt = (
        Delivery.objects.filter(status="failed", attempts__lt=MAX_ATTEMPTS, next_attempt_at__isnull=False)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if nxt is None or not default_task_backend.supports_defer:
        return
    from .tasks import send_deliveries

    send_deliveries.using(run_after=max(nxt, timezone.now())).enqueue()
