"""What an uploaded file is, decided by its first bytes (magic numbers), never by its name or the browser's claim.

One signature table and one sniffer for every app. Each app keeps its own accepted set of kinds, its own size
checks and its own Chinese messages; this module only says what the bytes are. Pure (no Django, no database).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    ext: str  # without the dot, for naming stored files
    content_type: str
    label: str  # Chinese, for "仅限 …" messages

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


JPEG = Kind("jpg", "image/jpeg", "JPEG 图片")
PNG = Kind("png", "image/png", "PNG 图片")
GIF = Kind("gif", "image/gif", "GIF 图片")
WEBP = Kind("webp", "image/webp", "WebP 图片")
PDF = Kind("pdf", "application/pdf", "PDF 文件")
# The OLE2 compound-file header, shared by Word/Excel/PowerPoint 97-2003 files (.doc, .xls, .ppt); telling them
# apart needs the directory inside, which nobody here reads.
OLE2 = Kind("doc", "application/msword", "Office 97-2003 文档")
DOCX = Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word 文档")
XLSX = Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel 表格")
# Any other ZIP container, including a .docx/.xlsx whose archive could not be read (truncated, or only its first
# bytes were given).
ZIP = Kind("zip", "application/zip", "ZIP 压缩包")

# (kind, ((offset, bytes), ...)): every part must match. The first match wins.
SIGNATURES: tuple[tuple[Kind, tuple[tuple[int, bytes], ...]], ...] = (
    (JPEG, ((0, b"\xff\xd8\xff"),)),
    (PNG, ((0, b"\x89PNG\r\n\x1a\n"),)),
    (GIF, ((0, b"GIF87a"),)),
    (GIF, ((0, b"GIF89a"),)),
    (WEBP, ((0, b"RIFF"), (8, b"WEBP"))),
    (PDF, ((0, b"%PDF-"),)),
    (OLE2, ((0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),)),
    (ZIP, ((0, b"PK\x03\x04"),)),
)
# Enough bytes to match every signature above. Telling .docx and .xlsx from other ZIP files needs the whole file.
HEAD_BYTES = 16


def _matches(data: bytes, parts: tuple[tuple[int, bytes], ...]) -> bool:
    return all(data[offset : offset + len(magic)] == magic for offset, magic in parts)


def _zip_kind(data: bytes) -> Kind:
    """DOCX or XLSX when the archive is an Office Open XML document of that sort, ZIP otherwise."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())  # the central directory only: nothing is decompressed
    except (zipfile.BadZipFile, ValueError):
        return ZIP
    if "[Content_Types].xml" not in names:
        return ZIP
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return ZIP


def sniff(data: bytes) -> Kind | None:
    """The kind of a file from its bytes (the first HEAD_BYTES suffice except for DOCX/XLSX); None if unknown."""
    for kind, parts in SIGNATURES:
        if _matches(data, parts):
            return _zip_kind(data) if kind is ZIP else kind
    return None


def read_head(upload, n: int = HEAD_BYTES) -> bytes:
    """The first n bytes of an uploaded file, leaving it at the start for whoever stores it next."""
    upload.seek(0)
    head = upload.read(n)
    upload.seek(0)
    return head


def human_size(n: int) -> str:
    """A size for messages: 10 MB, 12.5 MB, 300 KB, 512 字节."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} 字节"
