"""Uploaded photos and evidence: the type is decided by the file's content (magic numbers), never by its name
or the browser's claim; files are stored under random names and served only through views that check scope."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.utils import timezone

from dangjian.core.actions import Refusal as ServiceError
from dangjian.core.uploads import GIF, JPEG, PDF, PNG, WEBP, Kind, human_size, identify, read_head, sniff

MAX_FILES_PER_UPLOAD = 9
IMAGES: tuple[Kind, ...] = (JPEG, PNG, GIF, WEBP)
EVIDENCE: tuple[Kind, ...] = (*IMAGES, PDF)


class UploadError(ServiceError):
    pass


def max_bytes() -> int:
    return int(settings.DANGJIAN_UPLOAD_MAX_BYTES)


def check(name: str, size: int, head: bytes, allowed: tuple[Kind, ...] = IMAGES) -> Kind:
    """The kind of an uploaded file, or UploadError with a message naming the file and the fix."""
    label = f"文件“{name[:60]}”"
    if size <= 0:
        raise UploadError(f"{label}是空文件")
    if size > max_bytes():
        raise UploadError(f"{label}超过 {human_size(max_bytes())}，请压缩后重新上传")
    kind = sniff(head)
    if kind is None or kind not in allowed:
        accepted = "、".join(k.label for k in allowed)
        raise UploadError(f"{label}不是可接受的类型（仅限 {accepted}）；手机照片请以 JPG 格式上传")
    return kind


def check_upload(upload, allowed: tuple[Kind, ...] = IMAGES) -> Kind:
    """Check a Django UploadedFile by its content: the first bytes, then the whole structure."""
    kind = check(upload.name or "", upload.size or 0, read_head(upload), allowed)
    if identify(upload) is not kind:
        accepted = "、".join(k.label for k in allowed)
        raise UploadError(f"文件“{(upload.name or '')[:60]}”的内容不是完整的{kind.label}（仅限 {accepted}）")
    return kind


def random_path(folder: str, ext: str) -> str:
    """A storage path that reveals nothing of the original name: supervision/<folder>/<yyyy>/<random>.<ext>."""
    return f"supervision/{folder}/{timezone.now():%Y}/{secrets.token_hex(16)}.{ext}"


def clean_original_name(name: str) -> str:
    """Keep only the last path component and drop control characters; used for display and downloads."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:200] or "未命名"
