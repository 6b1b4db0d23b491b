"""Small pieces shared by the supervision services."""

from __future__ import annotations

from typing import Any

from django.db import models

from ..errors import ServiceError

__all__ = ["ServiceError", "StaleVersion", "check_version"]


class StaleVersion(ServiceError):
    def __init__(self, what: str = "该记录") -> None:
        super().__init__(f"{what}已被他人修改，请刷新页面后重新操作（您的修改未保存）")


def check_version(instance: models.Model, version: Any, what: str = "该记录") -> None:
    """Optimistic concurrency: refuse a save based on an old copy. `None` skips the check (commands, demo)."""
    if version is None:
        return
    try:
        given = int(version)
    except (TypeError, ValueError):
        raise StaleVersion(what)
    if given != instance.version:
        raise StaleVersion(what)
