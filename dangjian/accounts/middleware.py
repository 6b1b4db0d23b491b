"""Session idle timeout, forced password change (first login, expiry)."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

ALLOWED_WHEN_PASSWORD_DUE = ("accounts:password_change", "accounts:logout", "accounts:login")


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get("last_seen")
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                return redirect(f"{reverse('accounts:login')}?timeout=1")
            request.session["last_seen"] = now
            if self._password_due(user) and not self._exempt(request):
                return redirect("accounts:password_change")
        return self.get_response(request)

    @staticmethod
    def _password_due(user) -> bool:
        if user.must_change_password:
            return True
        changed = user.password_changed_at
        return changed is not None and timezone.now() - changed > timedelta(
            days=settings.PASSWORD_EXPIRY_DAYS
        )

    @staticmethod
    def _exempt(request) -> bool:
        path = request.path
        if path.startswith(settings.STATIC_URL):
            return True
        return any(path == reverse(name) for name in ALLOWED_WHEN_PASSWORD_DUE)
