"""The one sniffer: what a file is, from its bytes (no database)."""

from __future__ import annotations

import io
import zipfile

import pytest

from dangjian.core import uploads
from dangjian.core.uploads import (
    DOCX,
    GIF,
    JPEG,
    OLE2,
    PDF,
    PNG,
    WEBP,
    XLSX,
    ZIP,
    human_size,
    read_head,
    sniff,
)


def _zip(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            zf.writestr(name, "<x/>")
    return buf.getvalue()


DOCX_BYTES = _zip("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX_BYTES = _zip("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml")

SAMPLES = [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", JPEG),
    (b"\xff\xd8\xff\xe1\x00\x10Exif\x00", JPEG),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", PNG),
    (b"GIF87a\x01\x00\x01\x00", GIF),
    (b"GIF89a\x01\x00\x01\x00", GIF),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", WEBP),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", PDF),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", OLE2),
    (DOCX_BYTES, DOCX),
    (XLSX_BYTES, XLSX),
    (_zip("readme.txt"), ZIP),
]


@pytest.mark.parametrize("data,kind", SAMPLES, ids=[k.ext + str(i) for i, (_, k) in enumerate(SAMPLES)])
def test_each_signature(data, kind):
    assert sniff(data) is kind


def test_the_table_covers_every_kind_and_the_head_suffices():
    assert {k for k, _ in uploads.SIGNATURES} == {JPEG, PNG, GIF, WEBP, PDF, OLE2, ZIP}
    longest = max(offset + len(magic) for _, parts in uploads.SIGNATURES for offset, magic in parts)
    assert longest <= uploads.HEAD_BYTES
    for data, kind in SAMPLES:
        if kind not in (DOCX, XLSX):
            assert sniff(data[: uploads.HEAD_BYTES]) is kind


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\xd8",  # a JPEG signature cut short
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows .exe
        b"\x7fELF\x02\x01\x01\x00",
        b"<html><script>alert(1)</script>",
        b'<svg xmlns="http://www.w3.org/2000/svg">',
        b"RIFF\x24\x00\x00\x00WAVEfmt ",  # RIFF, but a WAV not a WebP
        b"XXXX\x00\x00\x00\x00WEBPVP8 ",  # WEBP at 8 without RIFF
        b"%PDX-1.7",
        b" %PDF-1.7",  # the signature must be at the very start
        b"\xd0\xcf\x11\xe0\x00\x00\x00\x00",  # half an OLE2 header
        "名单".encode(),
    ],
)
def test_unknown_bytes_are_none(data):
    assert sniff(data) is None


def test_a_renamed_file_is_what_its_bytes_say():
    # The sniffer never sees a name: a .exe called 照片.jpg is still unknown, a PDF called scan.png is a PDF.
    exe = b"MZ\x90\x00" + b"\x00" * 60
    assert sniff(exe) is None
    assert sniff(b"%PDF-1.4\n" + b"0" * 40) is PDF
    # A spreadsheet passed off as a Word document (or the reverse) is told apart by what the archive holds.
    assert sniff(XLSX_BYTES) is XLSX and sniff(DOCX_BYTES) is DOCX


def test_office_documents_against_plain_zip():
    # A ZIP needs [Content_Types].xml *and* the part that makes it Word or Excel.
    assert sniff(_zip("word/document.xml")) is ZIP
    assert sniff(_zip("xl/workbook.xml")) is ZIP
    assert sniff(_zip("[Content_Types].xml", "ppt/presentation.xml")) is ZIP  # a .pptx
    assert sniff(_zip("[Content_Types].xml")) is ZIP
    # Only the first bytes, a truncated or a corrupt archive: still a ZIP, never a document.
    assert sniff(DOCX_BYTES[: uploads.HEAD_BYTES]) is ZIP
    assert sniff(DOCX_BYTES[: len(DOCX_BYTES) // 2]) is ZIP
    assert sniff(b"PK\x03\x04") is ZIP
    assert sniff(b"PK\x03\x04" + b"\xff" * 200) is ZIP


def test_kinds():
    assert [k.is_image for k in (JPEG, PNG, GIF, WEBP, PDF, DOCX)] == [True] * 4 + [False] * 2
    assert (DOCX.ext, XLSX.ext, PDF.content_type) == ("docx", "xlsx", "application/pdf")
    assert len({k.ext for k in (JPEG, PNG, GIF, WEBP, PDF, OLE2, DOCX, XLSX, ZIP)}) == 9


def test_read_head_leaves_the_file_at_the_start():
    f = io.BytesIO(b"%PDF-1.7" + b"x" * 100)
    f.seek(50)
    assert read_head(f) == b"%PDF-1.7" + b"x" * 8
    assert f.tell() == 0


@pytest.mark.parametrize(
    "n,text",
    [
        (0, "0 字节"),
        (1023, "1023 字节"),
        (1024, "1 KB"),
        (300 * 1024, "300 KB"),
        (1024 * 1024 - 1, "1024 KB"),
        (1024 * 1024, "1 MB"),
        (10 * 1024 * 1024, "10 MB"),
        (int(12.5 * 1024 * 1024), "12.5 MB"),
        (int(10.44 * 1024 * 1024), "10.4 MB"),
    ],
)
def test_human_size(n, text):
    assert human_size(n) == text
