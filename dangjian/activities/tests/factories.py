"""Builders for activity tests (data in code, through the services)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.activities import services
from dangjian.activities.models import Activity
from dangjian.core.tests import samples

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = samples.pdf()


def png(name: str = "现场照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name: str = "会议纪要.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def activity(
    org: Any,
    kinds: list[str] | None = None,
    *,
    day: date = date(2025, 3, 12),
    topic: str = "学习上级文件精神",
    actor: Any = None,
    as_entered_by_branch: bool = True,
    **details: Any,
) -> Activity:
    """A record through the service. Without an actor the service acts for the bureau and approves at entry;
    by default the record is then put back to 未提交, as the branch's own admin would have entered it (most
    review tests start there). `as_entered_by_branch=False` keeps what the service decided."""
    details.setdefault("host", "张书记")
    a = services.record_activity(
        organization=org,
        kinds=kinds or ["theme_day"],
        date=day,
        topic=topic,
        actor=actor,
        actor_name="测试",
        **details,
    )
    if actor is None and as_entered_by_branch and not details.get("submit"):
        Activity.objects.filter(pk=a.pk).update(status="draft", submitted_at=None, reviewed_at=None)
        a.review_steps.all().delete()
        a.refresh_from_db()
    return a
