"""Duties' uploads go through the one upload policy (dangjian.core.uploads): which policy each form uses, and
Django's ValidationError for the forms. Files are stored under random names and served only by views that check
the requesting user's scope (settings: MEDIA_URL is not routed)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from dangjian.core import uploads
from dangjian.core.uploads import Checked, Kind

# Policy names (core.uploads.POLICIES) per use.
IMAGES = "photo"  # 问题线索照片
EVIDENCE = "attachment"  # 责任落实佐证, 反馈材料
ATTACHMENTS = "document"  # 通知附件: Word and Excel too
MAX_FILES_PER_UPLOAD = 10

CheckedFile = Checked


def check_upload(upload: UploadedFile, accepted: str = EVIDENCE) -> Checked:
    try:
        return uploads.check(accepted, upload)
    except uploads.UploadRefused as exc:
        raise ValidationError(exc.messages, code=exc.code)


def check_uploads(files: list[UploadedFile], accepted: str = EVIDENCE) -> list[Checked]:
    try:
        return uploads.check_all(accepted, files, MAX_FILES_PER_UPLOAD)
    except uploads.UploadRefused as exc:
        raise ValidationError(exc.messages, code=exc.code)


def random_name(folder: str, kind: Kind) -> str:
    """duties/<folder>/<year>/<32 hex>.<ext>: nothing of the uploader's file name survives."""
    return Checked(b"", kind, "", "").stored_name(f"duties/{folder}")
