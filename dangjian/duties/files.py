"""Uploaded evidence, photos and attachments: checked by content, size-capped, stored under random names.

The browser's file name and type are never trusted: the first bytes decide what a file is, the stored name is a
random hex string with the extension of the detected type, and files are only ever served by views that check
the requesting user's scope (settings: MEDIA_URL is not routed).
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone


@dataclass(frozen=True)
class FileKind:
    ext: str
    content_type: str
    label: str
    inline: bool  # shown in the browser (images) rather than downloaded


JPEG = FileKind("jpg", "image/jpeg", "JPEG 图片", True)
PNG = FileKind("png", "image/png", "PNG 图片", True)
WEBP = FileKind("webp", "image/webp", "WebP 图片", True)
PDF = FileKind("pdf", "application/pdf", "PDF 文件", False)
DOCX = FileKind(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word 文档", False
)
XLSX = FileKind(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel 表格", False
)

IMAGES = (JPEG, PNG, WEBP)
EVIDENCE = (*IMAGES, PDF)
ATTACHMENTS = (*EVIDENCE, DOCX, XLSX)
MAX_FILES_PER_UPLOAD = 10
KINDS_BY_EXT = {k.ext: k for k in ATTACHMENTS}


def _office_kind(head: bytes, data: bytes) -> FileKind | None:
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def sniff(data: bytes) -> FileKind | None:
    """What the bytes are, from their signature; None when they are none of the accepted kinds."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return _office_kind(head, data)


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    kind: FileKind
    original_name: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def max_bytes() -> int:
    return int(getattr(settings, "DANGJIAN_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def _human(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def check_upload(upload: UploadedFile, accepted: tuple[FileKind, ...] = EVIDENCE) -> CheckedFile:
    """Read and check one uploaded file; ValidationError (Chinese, naming the file and the fix) otherwise."""
    name = (upload.name or "未命名文件").replace("\\", "/").split("/")[-1][:120]
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            f"文件“{name}”大小为 {_human(upload.size)}，超过上限 {_human(limit)}；请压缩后重新上传"
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"文件“{name}”超过上限 {_human(limit)}；请压缩后重新上传")
    if not data:
        raise ValidationError(f"文件“{name}”是空文件")
    kind = sniff(data)
    if kind not in accepted:
        allowed = "、".join(k.label for k in accepted)
        raise ValidationError(f"文件“{name}”的内容不是可接受的类型；仅接受{allowed}")
    return CheckedFile(data=data, kind=kind, original_name=name, sha256=hashlib.sha256(data).hexdigest())


def check_uploads(
    uploads: list[UploadedFile], accepted: tuple[FileKind, ...] = EVIDENCE
) -> list[CheckedFile]:
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


def random_name(folder: str, kind: FileKind) -> str:
    """duties/<folder>/<year>/<32 hex>.<ext>: nothing of the uploader's file name survives."""
    return f"duties/{folder}/{timezone.localdate():%Y}/{uuid.uuid4().hex}.{kind.ext}"
