"""External channels: e-mail and group robots (企业微信 / 钉钉 JSON). Each message is a Delivery row claimed with a
conditional UPDATE before it is sent, so that two runs (or two processes) never send it twice."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone

from .models import Channel, Delivery, WebhookKind

MAX_ATTEMPTS = 3
TIMEOUT_S = 10


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
    channel: str, address: str, dedupe_key: str, subject: str, payload: dict[str, Any]
) -> Delivery | None:
    """Create the delivery unless it already exists; returns it only when newly created."""
    obj, created = Delivery.objects.get_or_create(
        channel=channel,
        address=address,
        dedupe_key=dedupe_key[:200],
        defaults={"subject": subject[:200], "payload": payload},
    )
    return obj if created else None


@dataclass(frozen=True)
class Message:
    channel: str
    address: str
    dedupe_key: str
    subject: str
    payload: dict[str, Any]


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
        Delivery(channel=c, address=a, dedupe_key=k, subject=m.subject[:200], payload=m.payload)
        for (c, a, k), m in wanted.items()
        if (c, a, k) not in existing
    ]
    Delivery.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return len(new)


def _claim(d: Delivery) -> bool:
    return bool(
        Delivery.objects.filter(
            pk=d.pk, status__in=["pending", "failed"], attempts=d.attempts, attempts__lt=MAX_ATTEMPTS
        ).update(attempts=F("attempts") + 1)
    )


def _send(d: Delivery) -> None:
    if d.channel == Channel.EMAIL:
        send_mail(
            d.subject,
            d.payload.get("text", ""),
            settings.DEFAULT_FROM_EMAIL,
            [d.address],
            fail_silently=False,
        )
        return
    url = signed_url(d.address, d.payload.get("secret", ""))
    body = json.dumps(d.payload["message"], ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json; charset=utf-8"}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:  # noqa: S310 - an address the bureau configured
        answer = json.loads(resp.read().decode("utf-8") or "{}")
    if answer.get("errcode", 0) != 0:
        raise RuntimeError(f"机器人返回错误：{answer.get('errmsg', answer)}")


def send_pending(limit: int = 500) -> dict[str, int]:
    sent = failed = 0
    for d in list(
        Delivery.objects.filter(status__in=["pending", "failed"], attempts__lt=MAX_ATTEMPTS).order_by("id")[
            :limit
        ]
    ):
        if not _claim(d):
            continue
        try:
            _send(d)
        except Exception as exc:  # noqa: BLE001 - any channel failure is recorded and retried next run
            Delivery.objects.filter(pk=d.pk).update(status="failed", error=str(exc)[:300])
            failed += 1
        else:
            Delivery.objects.filter(pk=d.pk).update(status="sent", sent_at=timezone.now(), error="")
            sent += 1
    return {"sent": sent, "failed": failed}
