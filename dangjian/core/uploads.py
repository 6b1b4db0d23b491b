"""What an uploaded file is, decided by its first bytes (magic numbers), never by its name or the browser's claim.

One signature table and one sniffer for every app. Each app keeps its own accepted set of kinds, its own size
checks and its own Chinese messages; this module only says what the bytes are. Pure (no Django, no database).
"""

from __future__ import annotations

import io
import re
import secrets
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


# ------------------------------------------------------------------------------------------------ structure
# The first bytes say what a file claims to be; an HTML or SVG page behind `%PDF-` or `PK` claims it too. A file
# is accepted as PDF / Word / Excel only when its whole structure is that format's.
_PDF_VERSION = re.compile(rb"%PDF-[12]\.[0-9]")
_STARTXREF = re.compile(rb"startxref\s+([0-9]{1,12})\s+%%EOF\s*\Z")
_XREF_STREAM = re.compile(rb"\s*[0-9]{1,10}\s+[0-9]{1,5}\s+obj\b(.{0,4096}?)\bstream\b", re.S)
_PDF_TAIL = 2048
_ROOT_ELEMENT = {
    DOCX: ("word/document.xml", re.compile(rb"<(?:\w+:)?document[\s>]"), b"wordprocessingml"),
    XLSX: ("xl/workbook.xml", re.compile(rb"<(?:\w+:)?workbook[\s>]"), b"spreadsheetml"),
}
_OLE2_HEADER = 512


def _pdf_ok(data: bytes) -> bool:
    """Header, a cross-reference table (or stream) where `startxref` says, its trailer naming the root, %%EOF."""
    if not _PDF_VERSION.match(data):
        return False
    tail = data[-_PDF_TAIL:]
    m = _STARTXREF.search(tail[tail.rfind(b"startxref") :]) if b"startxref" in tail else None
    if m is None:
        return False
    offset = int(m.group(1))
    if not 0 < offset < len(data):
        return False
    rest = data[offset:]
    if rest.startswith(b"xref"):
        trailer = rest.find(b"trailer")
        return trailer > 0 and b"/Root" in rest[trailer : trailer + 4096]
    stream = _XREF_STREAM.match(rest)
    return bool(stream and re.search(rb"/Type\s*/XRef", stream.group(1)) and b"/Root" in stream.group(1))


def _office_ok(kind: Kind, data: bytes) -> bool:
    """A readable ZIP whose content types name the format and whose main part is that format's root element."""
    part, root, content_type = _ROOT_ELEMENT[kind]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if zf.getinfo(part).file_size > 64 << 20 or zf.getinfo("[Content_Types].xml").file_size > 1 << 20:
                return False
            types = zf.read("[Content_Types].xml")
            with zf.open(part) as fh:
                head = fh.read(4096)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, NotImplementedError):
        return False
    return b"<Types" in types and content_type in types and bool(root.search(head))


def _ole2_ok(data: bytes) -> bool:
    """The compound-file header: byte order mark, 512- or 4096-byte sectors, and room for them."""
    return (
        len(data) >= _OLE2_HEADER * 2
        and data[28:30] == b"\xfe\xff"
        and data[30:32] in (b"\x09\x00", b"\x0c\x00")
    )


def well_formed(kind: Kind, data: bytes) -> bool:
    """Whether the whole file has the structure of `kind` (formats without a check here pass on the magic)."""
    if kind is PDF:
        return _pdf_ok(data)
    if kind in _ROOT_ELEMENT:
        return _office_ok(kind, data)
    if kind is OLE2:
        return _ole2_ok(data)
    if kind is ZIP:
        try:
            with zipfile.ZipFile(io.BytesIO(data)):
                return True
        except (zipfile.BadZipFile, ValueError, OSError):
            return False
    return True


def identify(upload) -> Kind | None:
    """What an upload (or its bytes) is: the kind its first bytes say, if the whole file has that kind's
    structure; None otherwise. The one check every upload goes through (callers limit the size first)."""
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
    kind = sniff(data)
    if kind is None or not well_formed(kind, data):
        return None
    return kind


def stored_name(kind: Kind) -> str:
    """A generated file name with the real extension: nothing of the uploaded name reaches the disk."""
    return f"{secrets.token_hex(16)}.{kind.ext}"


def download_name(original: str, kind: Kind) -> str:
    """The uploaded name for downloads, its extension replaced by the real one (never `.html` for a PDF)."""
    base = (original or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = "".join(ch for ch in base if ch.isprintable()).rsplit(".", 1)[0].strip()[:150] or "文件"
    return f"{stem}.{kind.ext}"


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
