"""What every orgs write shares: refusals with a Chinese message, the optimistic version check."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.utils import timezone

from dangjian.core import audit

from ..models import PostTitle, RenewalStepKind

POST_LABELS = dict(PostTitle.choices)
STEP_LABELS = dict(RenewalStepKind.choices)


class ServiceError(Exception):
    """A refused write; `message` is Chinese and says what to do; `field` names the form field, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleVersion(ServiceError):
    pass


def today_or_now(today: date | None) -> date:
    return today or timezone.localdate()


def lock_for_edit(model: type[models.Model], pk: Any, expected_version: int | None, what: str) -> Any:
    """The row, locked for this transaction; StaleVersion when someone saved it after the form was opened."""
    obj = model.objects.select_for_update().get(pk=pk)
    if expected_version is not None and obj.version != expected_version:
        raise StaleVersion(
            f"该{what}已被他人修改（您编辑的是第 {expected_version} 版，当前为第 {obj.version} 版）；"
            "请刷新页面，核对最新内容后重新提交"
        )
    return obj


def save_new_version(obj: Any, before: dict[str, Any], actor: Any, actor_name: str, note: str = "") -> dict:
    """Save with version + 1 and audit what changed (nothing is saved when nothing changed)."""
    changes = audit.diff(before, audit.snapshot(obj))
    if not changes:
        return {}
    obj.version += 1
    obj.save()
    audit.log_update(obj, before, actor=actor, actor_name=actor_name, note=note)
    return changes
