"""The one upload policy (core.uploads.POLICIES / check): per named kind, a good file passes, a file of the wrong
structure and a file over the size limit (from settings) are refused with a message naming the file."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from dangjian.core import uploads
from dangjian.core.tests import samples

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def _xlsx() -> bytes:
    buf = io.BytesIO()
    openpyxl.Workbook().save(buf)
    return buf.getvalue()


GOOD = {
    "photo": (JPEG, uploads.JPEG),
    "attachment": (samples.pdf(), uploads.PDF),
    "document": (samples.docx(), uploads.DOCX),
    "report": (samples.docx(), uploads.DOCX),
    "workbook": (_xlsx(), uploads.XLSX),
}
# Each: the magic of an accepted type over the wrong structure (an HTML page behind it), or another type.
WRONG = {
    "photo": samples.pdf(),  # a PDF is not a photo
    "attachment": b"%PDF-1.7\n<html><script>alert(1)</script></html>",
    "document": b"PK\x03\x04<html>not a zip</html>" + b"\x00" * 32,
    "report": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1<html>",  # OLE2 magic, no compound-file header
    "workbook": samples.docx(),  # a Word document is not a workbook
}
SIZE_SETTING = {"workbook": "DANGJIAN_IMPORT_MAX_BYTES"}


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_every_named_kind_is_tested():
    assert set(uploads.POLICIES) == set(GOOD) == set(WRONG)


@pytest.mark.parametrize("policy", sorted(GOOD))
def test_a_good_file_passes(policy):
    data, kind = GOOD[policy]
    c = uploads.check(policy, _upload("C:\\材料\\文件.bin", data))
    assert c.kind is kind and c.data == data and c.size == len(data)
    assert c.original_name == "文件.bin" and len(c.sha256) == 64
    assert c.stored_name("x").endswith(f".{kind.ext}") and "文件" not in c.stored_name("x")


@pytest.mark.parametrize("policy", sorted(WRONG))
def test_a_file_of_the_wrong_structure_is_refused(policy):
    with pytest.raises(uploads.UploadRefused, match="“坏.bin”的内容不是可接受的类型") as exc:
        uploads.check(policy, _upload("坏.bin", WRONG[policy]))
    assert exc.value.code == "type" and uploads.POLICIES[policy].label in exc.value.messages[0]


@pytest.mark.parametrize("policy", sorted(GOOD))
def test_a_file_over_the_limit_from_settings_is_refused(policy):
    data, _kind = GOOD[policy]
    setting = SIZE_SETTING.get(policy, "DANGJIAN_UPLOAD_MAX_BYTES")
    with override_settings(**{setting: len(data) - 1}):
        with pytest.raises(uploads.UploadRefused, match="“大.bin”大小为 .*超过上限") as exc:
            uploads.check(policy, _upload("大.bin", data))
        assert exc.value.code == "too_big"
        # a size the browser under-reports is caught when reading
        lying = _upload("大.bin", data)
        lying.size = 1
        with pytest.raises(uploads.UploadRefused, match="超过上限"):
            uploads.check(policy, lying)
    with override_settings(**{setting: len(data)}):
        assert uploads.check(policy, _upload("刚好.bin", data)).size == len(data)


def test_empty_files_and_batches():
    with pytest.raises(uploads.UploadRefused, match="“空.jpg”是空文件"):
        uploads.check("photo", _upload("空.jpg", b""))
    with pytest.raises(uploads.UploadRefused, match="一次最多上传 2 个文件"):
        uploads.check_all("photo", [_upload(f"{i}.jpg", JPEG) for i in range(3)], 2)
    with pytest.raises(uploads.UploadRefused) as exc:
        uploads.check_all("photo", [_upload("好.jpg", JPEG), _upload("坏1", b"x"), _upload("坏2", b"y")], 9)
    assert len(exc.value.messages) == 2


@override_settings(DANGJIAN_UPLOAD_MAX_BYTES=3 * 1024 * 1024)
def test_help_text_states_types_and_the_size_limit():
    policy = uploads.POLICIES["attachment"]
    assert (
        policy.help_text
        == "仅接受JPEG 图片、PNG 图片、GIF 图片、WebP 图片、PDF 文件（按文件内容识别），单个文件不超过 3 MB"
    )
    assert policy.accept == ".jpg,.png,.gif,.webp,.pdf"
