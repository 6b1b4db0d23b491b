"""Issue 14 item 12: the 述职报告 upload takes only a whole PDF or Word file, stored under a generated name.

The attack: an HTML or SVG page behind `%PDF-` or `PK` magic bytes, named `.html`, was accepted and kept under
its name. Now the whole structure is checked (core.uploads.identify, which every upload goes through) and an
accepted file is stored as <random>.<real extension> and downloaded with its real extension and type."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian import factories
from dangjian.core import uploads
from dangjian.core.tests import samples
from dangjian.honors import services

SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


ATTACKS = {
    "html_behind_pdf_magic": b"%PDF-1.7\n" + SCRIPT,
    "svg_behind_pdf_magic_with_eof": b"%PDF-1.4\n" + SVG + b"\nstartxref\n9\n%%EOF\n",
    "html_behind_zip_magic": b"PK\x03\x04" + SCRIPT,
    "svg_as_document_part": _zip(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": SVG, "index.html": SCRIPT}
    ),
    "html_in_a_plain_zip": _zip({"index.html": SCRIPT}),
    "ole2_magic_then_html": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + SCRIPT,
}


@pytest.fixture
def report(cast):
    factories.term(cast["a"], elected_on=date(2025, 1, 1), secretary="A书记")
    rnd = services.create_review_round(2026, "2026年度述职评议", actor=cast["bureau"])
    return rnd.reports.get(organization=cast["a"])


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_identify_refuses_markup_behind_magic_bytes(attack):
    assert uploads.sniff(ATTACKS[attack]) is not None  # the first bytes alone would pass
    # a readable ZIP of HTML is a ZIP, never a Word document; the rest is nothing
    expected = uploads.ZIP if attack == "html_in_a_plain_zip" else None
    assert uploads.identify(ATTACKS[attack]) is expected


def test_identify_accepts_real_files():
    assert uploads.identify(samples.pdf()) is uploads.PDF
    assert uploads.identify(samples.docx()) is uploads.DOCX
    assert uploads.identify(samples.ole2()) is uploads.OLE2
    assert uploads.identify(io.BytesIO(samples.pdf())) is uploads.PDF


@pytest.mark.django_db
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_the_report_upload_refuses_it(report, cast, login, settings, tmp_path, attack):
    settings.MEDIA_ROOT = tmp_path
    c = login(cast["admin_a"])
    r = c.post(
        f"/honors/reports/{report.pk}/",
        {"text": "", "file": SimpleUploadedFile("述职.html", ATTACKS[attack])},
    )
    assert (
        r.status_code == 200
        and "的内容不是可接受的类型（仅接受PDF 文件、Office 97-2003 文档、Word 文档）" in r.content.decode()
    )
    report.refresh_from_db()
    assert not report.file and not list(tmp_path.rglob("*.*"))


@pytest.mark.django_db
def test_a_real_pdf_named_html_is_kept_as_pdf(report, cast, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = login(cast["admin_a"])
    r = c.post(
        f"/honors/reports/{report.pk}/", {"text": "", "file": SimpleUploadedFile("述职.html", samples.pdf())}
    )
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.file.name.endswith(".pdf") and "述职" not in report.file.name
    assert report.file_name == "述职.pdf"
    assert [p.suffix for p in tmp_path.rglob("*.*")] == [".pdf"]
    download = c.get(f"/honors/reports/{report.pk}/file/")
    assert download["Content-Type"] == "application/pdf"
    assert ".pdf" in download["Content-Disposition"] and ".html" not in download["Content-Disposition"]
