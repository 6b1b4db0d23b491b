"""Audit of sign-ins: logins, failed logins (with the username tried — only when it names an account — and the
address), logouts.

Connected in AccountsConfig.ready(). Logins without an HTTP request behind them (the test client's
force_login, scripts) are not sign-ins through the site and are not recorded.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.utils.crypto import salted_hmac

from dangjian.core import audit
from dangjian.core.models import AuditAction

# Set on the request by the views to say how the sign-in or sign-out happened.
LOGIN_NOTE_ATTR = "_dangjian_login_note"
LOGOUT_NOTE_ATTR = "_dangjian_logout_note"
FAILURE_NOTE_ATTR = "_dangjian_failure_note"
UNKNOWN_USERNAME = "不存在的用户名"
SUPERUSER_NOTE = "超级用户登录：该账号仅供安装和维护使用，没有业务数据权限"


def lockout_minutes() -> int:
    from django.conf import settings

    return round(float(settings.AXES_COOLOFF_TIME) * 60)


def client_ip(request: Any) -> str | None:
    if request is None:
        return None
    ip = getattr(request, "axes_ip_address", None)
    if not ip:
        from axes.helpers import get_client_ip_address

        ip = get_client_ip_address(request)
    return ip or None


def _through_site(request: Any) -> bool:
    return request is not None and bool(getattr(request, "path", ""))


def start_idle_clock(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """The idle clock (middleware) starts at login, saved with the new session, so that the first request
    after it does not write the session again."""
    session = getattr(request, "session", None)
    if session is not None:
        from .middleware import SESSION_LAST_SEEN

        session[SESSION_LAST_SEEN] = time.time()


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if not _through_site(request):
        return
    notes = [getattr(request, LOGIN_NOTE_ATTR, "") or "用户名和密码"]
    if user.is_superuser:
        notes.append(SUPERUSER_NOTE)
    audit.record(
        AuditAction.LOGIN,
        actor=user,
        instance=user,
        object_repr=user.get_username(),
        ip=client_ip(request),
        note="；".join(notes),
    )


def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None or not _through_site(request):
        return
    audit.record(
        AuditAction.LOGOUT,
        actor=user,
        instance=user,
        object_repr=user.get_username(),
        ip=client_ip(request),
        note=getattr(request, LOGOUT_NOTE_ATTR, "") or "用户退出",
    )


def logged_username(typed: str) -> str:
    """What the audit log keeps of the username typed at a failed login: the name when it is an account's,
    otherwise a keyed digest. People type their password into the username box; the log must not keep it,
    while repeated tries of one unknown name still show as the same digest."""
    if not typed:
        return ""
    from .models import User

    if User.objects.filter(username=typed).exists():
        return typed
    digest = salted_hmac("dangjian.accounts.failed-login-username", typed, algorithm="sha256").hexdigest()
    return f"{UNKNOWN_USERNAME}（摘要 {digest[:16]}）"


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = logged_username(str(credentials.get("username") or "")[:150])
    # django-axes handles the signal first (its app loads earlier): it has either refused an already locked
    # account (no failure counted) or counted this failure and perhaps locked the account now.
    locked = request is not None and getattr(request, "axes_locked_out", False)
    failures = getattr(request, "axes_failures_since_start", None) if request is not None else None
    if locked and failures is None:
        reason = "账号已锁定，拒绝登录"
    else:
        reason = getattr(request, FAILURE_NOTE_ATTR, "") or "用户名或密码不正确"
        if failures:
            reason += f"（连续第 {failures} 次）"
        if locked:
            reason += f"；账号已锁定 {lockout_minutes()} 分钟"
    audit.record(
        AuditAction.LOGIN_FAILED,
        actor_name=username or "（未填写用户名）",
        model="accounts.user",
        object_repr=username,
        ip=client_ip(request),
        changes={"username": username},
        note=f"登录失败：{reason}",
    )


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="dangjian.accounts.audit_login")
    user_logged_in.connect(start_idle_clock, dispatch_uid="dangjian.accounts.idle_clock")
    user_logged_out.connect(on_logged_out, dispatch_uid="dangjian.accounts.audit_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="dangjian.accounts.audit_login_failed")
