"""Writes on users: creation, password changes, role changes. Audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.models import AuditAction

from .models import PasswordHistory, User


@transaction.atomic
def set_password(
    user: User, raw_password: str, *, actor: Any = None, actor_name: str = "", forced_change: bool = False
) -> None:
    """Validate against the policy, remember the old hash, store the new one."""
    validate_password(raw_password, user)
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(raw_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = forced_change
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        actor_name=actor_name,
        instance=user,
        changes={"password": ["***", "***"]},
        note="修改密码",
    )
