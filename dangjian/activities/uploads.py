"""Attachment types, recognised by their first bytes (magic numbers), never by the file name. Pure."""

from __future__ import annotations

# (prefix, offset, content type, extension)
_SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"%PDF-", 0, "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", 0, "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", ".png"),
    (b"GIF87a", 0, "image/gif", ".gif"),
    (b"GIF89a", 0, "image/gif", ".gif"),
    (b"WEBP", 8, "image/webp", ".webp"),
)
HEAD_BYTES = 16
ACCEPTED_LABEL = "JPG、PNG、GIF、WEBP 图片或 PDF 文件"
MAX_FILES_PER_RECORD = 30


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an image or PDF, from its first bytes; None for anything else."""
    for prefix, offset, content_type, ext in _SIGNATURES:
        if head[offset : offset + len(prefix)] == prefix:
            if ext == ".webp" and head[:4] != b"RIFF":
                continue
            return content_type, ext
    return None


def is_image(content_type: str) -> bool:
    return content_type.startswith("image/")


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} 字节"
