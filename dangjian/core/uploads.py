"""What an uploaded file is, decided by its first bytes (magic numbers), never by its name or the browser's claim.

One signature table, one sniffer, and one upload policy (named kinds with their types and size limits, `check`)
used by every upload form and service. No database; settings are read only for the size limits.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import zipfile
from dataclasses import dataclass

from .actions import Refusal


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


# ------------------------------------------------------------------------------------------------ policy
# The one upload policy: every upload form and service names one of these kinds, and `check` decides size, type
# and structure with the same Chinese messages everywhere. Sizes are read from settings at each check (so that a
# deployment, or a test, can change them).
@dataclass(frozen=True)
class Policy:
    name: str
    kinds: tuple[Kind, ...]
    size_setting: str  # the settings name holding the limit in bytes
    hint: str = ""  # appended to a type refusal: how to fix it

    @property
    def max_bytes(self) -> int:
        from django.conf import settings

        return int(getattr(settings, self.size_setting))

    @property
    def label(self) -> str:
        return "、".join(dict.fromkeys(k.label for k in self.kinds))

    @property
    def accept(self) -> str:
        """For <input accept=…>: a browser hint only; the content decides."""
        return ",".join(dict.fromkeys("." + k.ext for k in self.kinds))

    @property
    def help_text(self) -> str:
        return f"仅接受{self.label}（按文件内容识别），单个文件不超过 {human_size(self.max_bytes)}"

    def size_refusal(self, name: str, size: int | None) -> str | None:
        """The refusal for a file of `size` bytes, or None if the size is within the limit."""
        if size is None or size <= self.max_bytes:
            return None
        return f"文件“{name}”大小为 {human_size(size)}，超过上限 {human_size(self.max_bytes)}；请压缩或拆分后重新上传"


IMAGES: tuple[Kind, ...] = (JPEG, PNG, GIF, WEBP)
POLICIES: dict[str, Policy] = {
    p.name: p
    for p in (
        # 检查照片, 问题线索照片
        Policy("photo", IMAGES, "DANGJIAN_UPLOAD_MAX_BYTES", "手机照片请以 JPG 格式上传"),
        # 活动记录附件, 整改佐证材料, 责任落实佐证
        Policy("attachment", (*IMAGES, PDF), "DANGJIAN_UPLOAD_MAX_BYTES", "其他文档请转换为 PDF 后上传"),
        # 通知附件与反馈材料: also Word and Excel
        Policy("document", (*IMAGES, PDF, DOCX, XLSX), "DANGJIAN_UPLOAD_MAX_BYTES"),
        # 述职报告
        Policy("report", (PDF, OLE2, DOCX), "DANGJIAN_UPLOAD_MAX_BYTES", "请上传 PDF 或 Word 文件"),
        # 导入表格 (checked further, cell by cell, by core.importing)
        Policy("workbook", (XLSX,), "DANGJIAN_IMPORT_MAX_BYTES", "请使用下载的模板（.xlsx）填写"),
    )
}


class UploadRefused(Refusal, ValueError):
    """An upload the policy refuses; `messages` are Chinese, each naming the file and the fix. A refusal of the
    write kernel (core.actions); still a ValueError for callers that caught it as one."""

    def __init__(self, messages: list[str], code: str = "upload") -> None:
        super().__init__("；".join(messages), code=code)
        self.messages = messages


@dataclass(frozen=True)
class Checked:
    """An accepted upload, read whole: what to store and the columns of a stored-file row."""

    data: bytes
    kind: Kind
    original_name: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def content_type(self) -> str:
        return self.kind.content_type

    def stored_name(self, folder: str) -> str:
        """<folder>/<yyyy>/<random>.<real ext>: nothing of the uploader's name reaches the disk."""
        from django.utils import timezone

        return f"{folder}/{timezone.localdate():%Y}/{stored_name(self.kind)}"


def clean_name(name: str, limit: int = 200) -> str:
    """The last path component of an uploaded name, without control characters (for display and downloads)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:limit] or "未命名文件"


def check(policy: str, upload) -> Checked:
    """Read and check one upload against a named policy: size, then the kind its whole content has."""
    rule = POLICIES[policy]
    name = clean_name(getattr(upload, "name", "") or "", 120)
    limit = rule.max_bytes
    refusal = rule.size_refusal(name, getattr(upload, "size", None))
    if refusal:
        raise UploadRefused([refusal], "too_big")
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise UploadRefused([rule.size_refusal(name, len(data)) or ""], "too_big")
    if not data:
        raise UploadRefused([f"文件“{name}”是空文件"], "empty")
    kind = identify(data)  # the first bytes and the whole structure
    if kind not in rule.kinds:
        hint = f"；{rule.hint}" if rule.hint else ""
        raise UploadRefused([f"文件“{name}”的内容不是可接受的类型（仅接受{rule.label}）{hint}"], "type")
    return Checked(data=data, kind=kind, original_name=name, sha256=hashlib.sha256(data).hexdigest())


def check_all(policy: str, uploads, max_files: int) -> list[Checked]:
    """Every upload checked before any is stored; one refusal listing every bad file."""
    uploads = list(uploads)
    if len(uploads) > max_files:
        raise UploadRefused([f"一次最多上传 {max_files} 个文件，请分批上传"], "too_many")
    errors: list[str] = []
    checked: list[Checked] = []
    for u in uploads:
        try:
            checked.append(check(policy, u))
        except UploadRefused as exc:
            errors.extend(exc.messages)
    if errors:
        raise UploadRefused(errors)
    return checked
