"""Uploaded evidence, photos and attachments: checked by content, size-capped, stored under random names.

The browser's file name and type are never trusted: the first bytes decide what a file is, the stored name is a
random hex string with the extension of the detected type, and files are only ever served by views that check
the requesting user's scope (settings: MEDIA_URL is not routed).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from dangjian.core.uploads import DOCX, JPEG, PDF, PNG, WEBP, XLSX, Kind, human_size, identify

IMAGES: tuple[Kind, ...] = (JPEG, PNG, WEBP)
EVIDENCE: tuple[Kind, ...] = (*IMAGES, PDF)
ATTACHMENTS: tuple[Kind, ...] = (*EVIDENCE, DOCX, XLSX)
MAX_FILES_PER_UPLOAD = 10


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    kind: Kind
    original_name: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def max_bytes() -> int:
    return int(getattr(settings, "DANGJIAN_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def check_upload(upload: UploadedFile, accepted: tuple[Kind, ...] = EVIDENCE) -> CheckedFile:
    """Read and check one uploaded file; ValidationError (Chinese, naming the file and the fix) otherwise."""
    name = (upload.name or "未命名文件").replace("\\", "/").split("/")[-1][:120]
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            f"文件“{name}”大小为 {human_size(upload.size)}，超过上限 {human_size(limit)}；请压缩后重新上传"
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"文件“{name}”超过上限 {human_size(limit)}；请压缩后重新上传")
    if not data:
        raise ValidationError(f"文件“{name}”是空文件")
    kind = identify(data)  # the first bytes and the whole structure
    if kind not in accepted:
        allowed = "、".join(k.label for k in accepted)
        raise ValidationError(f"文件“{name}”的内容不是可接受的类型；仅接受{allowed}")
    return CheckedFile(data=data, kind=kind, original_name=name, sha256=hashlib.sha256(data).hexdigest())


def check_uploads(uploads: list[UploadedFile], accepted: tuple[Kind, ...] = EVIDENCE) -> list[CheckedFile]:
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        raise ValidationError(f"一次最多上传 {MAX_FILES_PER_UPLOAD} 个文件，请分批上传")
    errors, checked = [], []
    for u in uploads:
        try:
            checked.append(check_upload(u, accepted))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return checked


def random_name(folder: str, kind: Kind) -> str:
    """duties/<folder>/<year>/<32 hex>.<ext>: nothing of the uploader's file name survives."""
    return f"duties/{folder}/{timezone.localdate():%Y}/{uuid.uuid4().hex}.{kind.ext}"
