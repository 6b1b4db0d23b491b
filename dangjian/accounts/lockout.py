"""Login throttling besides django-axes' lock (issue 14 item 7).

django-axes locks a *username from one client address* after AXES_FAILURE_LIMIT failures, so that nobody can
lock the bureau admin or the 三员 out of their accounts by typing wrong passwords from another machine. Guessing
one account's password from many addresses meets a per-username delay instead: from the (N+1)-th failure of a
username within the cool-off time (all addresses together) the next try of that username is answered only
after 2, 4, 8 … seconds (at most DANGJIAN_LOGIN_DELAY_MAX_SECONDS) have passed since the last failure. The
delay refuses without checking the password (nothing is counted), so it never grows into a lockout.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone


def _valid_ip(value: str | None) -> str | None:
    value = (value or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: Any) -> str | None:
    """The client's address (AXES_CLIENT_IP_CALLABLE; also what the audit log records).

    Without a proxy (DANGJIAN_PROXY_COUNT=0) REMOTE_ADDR: an X-Forwarded-For header sent by the client is
    ignored, since anybody can forge it. Behind N trusted proxies, each of which appends the address it
    received the request from (nginx: `$proxy_add_x_forwarded_for`), the N-th entry from the right is the
    one the outermost proxy saw; entries to its left are the client's own claims and are ignored."""
    meta = getattr(request, "META", {}) or {}
    remote = _valid_ip(meta.get("REMOTE_ADDR"))
    count = int(getattr(settings, "DANGJIAN_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    hops = [h.strip() for h in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
    if len(hops) < count:
        # Not through the whole proxy chain (e.g. a request to gunicorn from the server itself).
        return remote
    return _valid_ip(hops[-count]) or remote


def typed_username(request: Any, credentials: dict[str, Any] | None) -> str:
    if credentials:
        return str(credentials.get("username") or "")[:150]
    data = getattr(request, "POST", None) or {}
    return str(data.get("username") or "")[:150]


def stored_username(request: Any, credentials: dict[str, Any] | None = None) -> str:
    """AXES_USERNAME_CALLABLE: what the lockout records keep as the username — the account's name, or a
    keyed digest when the text names no account (a password typed into the username box is not stored)."""
    from .signals import logged_username

    return logged_username(typed_username(request, credentials))


def delay_seconds(failures: int) -> int:
    """The wait after `failures` failures of one username (0: none)."""
    extra = failures - settings.DANGJIAN_LOGIN_DELAY_AFTER
    if extra <= 0:
        return 0
    return min(2 ** min(extra, 16), settings.DANGJIAN_LOGIN_DELAY_MAX_SECONDS)


def wait_for(username: str) -> int:
    """Seconds this username must still wait before its next try may be checked (0: go ahead)."""
    from axes.models import AccessAttempt

    if not username:
        return 0
    from .signals import logged_username

    username = logged_username(username)
    since = timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    row = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    delay = delay_seconds(row["failures"] or 0)
    if not delay or row["last"] is None:
        return 0
    remaining = (row["last"] + timedelta(seconds=delay) - timezone.now()).total_seconds()
    return max(0, int(remaining + 0.999))
