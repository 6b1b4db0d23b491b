"""Small pieces shared by the supervision services: the kernel's refusal and version check (core.actions) with
this app's wording of a stale copy."""

from __future__ import annotations

from typing import Any

from django.db import models

from dangjian.core import actions
from dangjian.core.actions import Refusal, Stale

__all__ = ["Refusal", "ServiceError", "Stale", "StaleVersion", "check_version"]

# The names the pages, commands and the demo have always used for the kernel's types.
ServiceError = Refusal
StaleVersion = Stale


def check_version(instance: models.Model, version: Any, what: str = "该记录") -> None:
    """Optimistic concurrency: refuse a save based on an old copy. `None` skips the check (commands, demo)."""
    actions.check_version(instance, version, f"{what}已被他人修改，请刷新页面后重新操作（您的修改未保存）")
