"""The one stored-file model: every uploaded file kept by the platform (activity attachments, inspection photos,
rectification evidence, duties' files) is a row of a concrete subclass of StoredFile.

The file on disk has a generated name with the real extension (core.uploads.Checked.stored_name); the uploaded
name is kept only as data. Rows are never deleted (is_deleted hides them; the file stays for the audit trail)."""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models

from .audit import AuditActor
from .uploads import Checked


class StoredFile(models.Model):
    file = models.FileField("文件", max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    # Blank only for rows stored before the digest was kept.
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    is_deleted = models.BooleanField("已删除", default=False)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @classmethod
    def stored(cls, checked: Checked, folder: str, actor: AuditActor = None, **parent: Any) -> Self:
        """An unsaved row for a checked upload, its bytes already written under a generated name in `folder`."""
        row = cls(
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            **parent,
        )
        row.file.name = default_storage.save(checked.stored_name(folder), ContentFile(checked.data))
        return row
