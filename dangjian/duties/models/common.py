"""Shared model pieces: stored files (the one core model) and optimistic versions."""

from __future__ import annotations

from django.db import models

from dangjian.core.files import StoredFile

__all__ = ["StoredFile", "Versioned"]


class Versioned(models.Model):
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True
