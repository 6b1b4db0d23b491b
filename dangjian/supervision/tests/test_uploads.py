"""Supervision's uploads go through the one core policy ('photo' for 检查照片, 'attachment' for 整改佐证)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from dangjian.core.tests import samples
from dangjian.core.uploads import clean_name
from dangjian.supervision.uploads import EVIDENCE, IMAGES, UploadError, check_all

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 12
GIF = b"GIF89a" + b"\x00" * 10
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 "
PDF = samples.pdf()


def _f(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.mark.parametrize(
    "head,ext", [(PNG, "png"), (JPEG, "jpg"), (GIF, "gif"), (WEBP, "webp"), (PDF, "pdf")]
)
def test_every_evidence_kind_is_accepted(head, ext):
    [c] = check_all([_f("证据", head)], EVIDENCE)
    assert c.kind.ext == ext and c.stored_name("supervision/evidence").endswith(f".{ext}")


def test_name_does_not_matter_content_does():
    assert check_all([_f("会议照片.exe", JPEG)], IMAGES)[0].content_type == "image/jpeg"
    with pytest.raises(UploadError, match="不是可接受的类型"):
        check_all([_f("照片.jpg", b"<html><script>alert(1)</script>")], IMAGES)
    with pytest.raises(UploadError, match="仅接受JPEG 图片、PNG 图片、GIF 图片、WebP 图片、PDF 文件"):
        check_all([_f("整改报告.pdf", b"PK\x03\x04" + b"\x00" * 12)], EVIDENCE)


def test_pdf_is_evidence_but_not_a_photo():
    assert check_all([_f("整改报告.pdf", PDF)], EVIDENCE)[0].kind.ext == "pdf"
    with pytest.raises(UploadError, match="手机照片请以 JPG 格式上传"):
        check_all([_f("整改报告.pdf", PDF)], IMAGES)


@override_settings(DANGJIAN_UPLOAD_MAX_BYTES=1000)
def test_size_cap_empty_and_count():
    with pytest.raises(UploadError, match="超过上限 1000 字节"):
        check_all([_f("大图.jpg", JPEG + b"\x00" * 1000)], IMAGES)
    with pytest.raises(UploadError, match="空文件"):
        check_all([_f("空.jpg", b"")], IMAGES)
    with pytest.raises(UploadError, match="一次最多上传 9 个文件"):
        check_all([_f(f"{i}.jpg", JPEG) for i in range(10)], IMAGES)


def test_stored_name_reveals_nothing():
    [c] = check_all([_f("我的照片.jpg", JPEG)], IMAGES)
    path = c.stored_name("supervision/photos")
    assert path.startswith("supervision/photos/") and path.endswith(".jpg") and "我的" not in path
    assert len(path.rsplit("/", 1)[1]) == 36  # 32 hex + .jpg
    assert c.stored_name("supervision/photos") != path


def test_clean_original_name():
    assert clean_name("C:\\Users\\a\\照片 1.jpg") == "照片 1.jpg"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("a\x00b.png") == "ab.png"
