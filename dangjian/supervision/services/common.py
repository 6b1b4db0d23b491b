"""Small pieces shared by the supervision services."""

from __future__ import annotations

from typing import Any

from django.db import models


class ServiceError(ValueError):
    """Input refused by a service; the message is Chinese, names the field or row and says what to do."""


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


def bump(model: type[models.Model], pk: int, version: int, what: str = "该记录", **fields: Any) -> int:
    """Conditional UPDATE … WHERE version = old: the row changes only if nobody changed it in between."""
    done = model.objects.filter(pk=pk, version=version).update(version=version + 1, **fields)
    if not done:
        raise StaleVersion(what)
    return version + 1
