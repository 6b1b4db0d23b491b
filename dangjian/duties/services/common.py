"""What every write of the duties app shares: optimistic versions, audited saves, stored files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from dangjian.core import audit

from ..files import CheckedFile
from ..models import StoredFile

M = TypeVar("M", bound=models.Model)
F = TypeVar("F", bound=StoredFile)


class StaleVersion(ValidationError):
    pass


def locked(instance: M) -> M:
    """The row re-read under a lock (call inside a transaction)."""
    return type(instance).objects.select_for_update().get(pk=instance.pk)


def check_version(current: models.Model, expected: int | None) -> None:
    """Refuse a save based on a stale copy of the record (someone else saved in between)."""
    if expected is not None and int(expected) != current.version:
        raise StaleVersion(
            "该记录已被他人修改（您编辑的是第 %(mine)s 版，当前为第 %(now)s 版）。请刷新页面，核对后重新填写。",
            params={"mine": expected, "now": current.version},
            code="stale",
        )


def update_fields(
    instance: M, data: Mapping[str, Any], actor: Any, *, expected_version: int | None = None, note: str = ""
) -> M:
    """Apply `data` to a locked copy of `instance`, bump its version, save and audit. Call inside atomic()."""
    row = locked(instance)
    check_version(row, expected_version)
    before = audit.snapshot(row)
    for name, value in data.items():
        setattr(row, name, value)
    if hasattr(row, "version"):
        row.version += 1
    row.save()
    audit.log_update(row, before, actor=actor, note=note)
    return row


def create(model: type[M], data: Mapping[str, Any], actor: Any, *, note: str = "") -> M:
    row = model.objects.create(**data)
    audit.log_create(row, actor=actor, note=note)
    return row


def store_files(
    model: type[F], checked: Iterable[CheckedFile], folder: str, actor: Any, **parent: Any
) -> list[F]:
    """Save checked uploads under random names and record them (one audit entry per batch)."""
    rows = []
    for c in checked:
        rows.append(model.stored(c, f"duties/{folder}", actor, **parent))
    if rows:
        model.objects.bulk_create(rows)
        audit.record_many(
            audit.Entry(
                action=audit.AuditAction.CREATE,
                actor=actor,
                model=model._meta.label_lower,
                object_repr=r.original_name,
                changes={"file": [None, r.file.name], "sha256": [None, r.sha256]},
                note="上传文件",
            )
            for r in rows
        )
    return rows


def remove_file(row: StoredFile, actor: Any) -> None:
    """Files are never erased: the row is flagged and no longer listed or served."""
    if row.is_deleted:
        return
    before = audit.snapshot(row)
    row.is_deleted = True
    row.save(update_fields=["is_deleted"])
    audit.log_update(row, before, actor=actor, note="移除文件")
