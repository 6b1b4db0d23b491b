"""Per-request account controls: idle session timeout, forced password change (first login, after a reset,
expiry) and, when the system administrator requires it, a TOTP device before anything else.

Costs no query on an ordinary request: the idle clock lives in the session, the password state on the user row
already loaded, and whether TOTP is required is decided once at login (SESSION_OTP_REQUIRED).
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .signals import LOGOUT_NOTE_ATTR

SESSION_LAST_SEEN = "last_seen"
SESSION_OTP_REQUIRED = "otp_required"
LAST_SEEN_STEP = 60  # seconds: the idle timeout is exact to within this
# The installable app's files (site.pwa) hold nothing personal: a browser fetches them on its own.
APP_FILES = ("site:manifest", "site:service_worker", "site:offline")
ALLOWED_WHEN_PASSWORD_DUE = ("accounts:password_change", "accounts:logout", "accounts:login", *APP_FILES)
ALLOWED_WHEN_OTP_DUE = ("accounts:otp_setup", "accounts:logout", "accounts:login", *APP_FILES)


def password_due(user) -> bool:
    """First login, reset by an administrator, or older than PASSWORD_EXPIRY_DAYS."""
    if user.must_change_password:
        return True
    return password_expired(user)


def password_expired(user) -> bool:
    changed = user.password_changed_at
    return changed is not None and timezone.now() - changed > timedelta(days=settings.PASSWORD_EXPIRY_DAYS)


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(SESSION_LAST_SEEN)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                setattr(
                    request,
                    LOGOUT_NOTE_ATTR,
                    f"空闲超过 {settings.SESSION_IDLE_TIMEOUT // 60} 分钟，自动退出",
                )
                logout(request)
                return redirect(f"{reverse('accounts:login')}?timeout=1")
            if last is None or now - last >= LAST_SEEN_STEP:
                # The idle clock moves in steps: a session write on every request would serialise the
                # requests of a busy system on the session table (SQLite has one writer at a time).
                request.session[SESSION_LAST_SEEN] = now
            if not request.path.startswith(settings.STATIC_URL):
                if password_due(user) and not self._allowed(request, ALLOWED_WHEN_PASSWORD_DUE):
                    return redirect("accounts:password_change")
                if self._otp_due(request) and not self._allowed(request, ALLOWED_WHEN_OTP_DUE):
                    return redirect("accounts:otp_setup")
        return self.get_response(request)

    @staticmethod
    def _otp_due(request) -> bool:
        if not request.session.get(SESSION_OTP_REQUIRED):
            return False
        is_verified = getattr(request.user, "is_verified", None)
        return not (is_verified and is_verified())

    @staticmethod
    def _allowed(request, names) -> bool:
        return any(request.path == reverse(name) for name in names)
