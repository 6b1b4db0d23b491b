"""Home-page panels for the three administrators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.core.models import AuditEntry

from . import policy
from .models import SecurityConfig
from .roles import Role


def accounts_overview(request: Any) -> dict[str, Any] | None:
    from .views.users import locked_usernames

    otp = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    accounts = policy.visible_accounts(request.user)
    counts = accounts.annotate(has_otp=Exists(otp)).aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(is_active=True)),
        inactive=Count("id", filter=Q(is_active=False)),
        must_change=Count("id", filter=Q(is_active=True, must_change_password=True)),
        awaits_role=Count("id", filter=Q(is_active=True, role=Role.NONE)),
        otp=Count("id", filter=Q(has_otp=True)),
    )
    return {
        **counts,
        "locked": len(locked_usernames(accounts.values("username"))),
        "config": SecurityConfig.current(),
    }


def audit_overview(request: Any) -> dict[str, Any] | None:
    since = timezone.now() - timedelta(days=1)
    recent = AuditEntry.objects.filter(
        action__in=["account.login_failed", "user.permission"]  # named events (core.audit_events)
    ).order_by("-id")
    return {
        "failures_24h": AuditEntry.objects.filter(action="account.login_failed", at__gte=since).count(),
        "recent": list(recent[:8]),
    }
