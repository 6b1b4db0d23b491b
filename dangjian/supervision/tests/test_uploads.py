"""Upload checks by content (no database)."""

import pytest
from django.test import override_settings

from dangjian.supervision.uploads import (
    EVIDENCE,
    IMAGES,
    UploadError,
    check,
    clean_original_name,
    random_path,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 12
GIF = b"GIF89a" + b"\x00" * 10
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 "
PDF = b"%PDF-1.7\n%\xe2\xe3"


@pytest.mark.parametrize(
    "head,ext", [(PNG, "png"), (JPEG, "jpg"), (GIF, "gif"), (WEBP, "webp"), (PDF, "pdf")]
)
def test_every_evidence_kind_is_accepted(head, ext):
    assert check("证据", 100, head, EVIDENCE).ext == ext


def test_name_does_not_matter_content_does():
    assert check("会议照片.exe", 100, JPEG).content_type == "image/jpeg"
    with pytest.raises(UploadError, match="不是可接受的类型"):
        check("照片.jpg", 100, b"<html><script>alert(1)</script>")
    with pytest.raises(UploadError, match="仅限 JPEG 图片、PNG 图片、GIF 图片、WebP 图片、PDF 文件"):
        check("整改报告.pdf", 100, b"PK\x03\x04" + b"\x00" * 12, EVIDENCE)


def test_pdf_is_evidence_but_not_a_photo():
    assert check("整改报告.pdf", 100, PDF, EVIDENCE).ext == "pdf"
    with pytest.raises(UploadError, match="仅限"):
        check("整改报告.pdf", 100, PDF, IMAGES)


@override_settings(DANGJIAN_UPLOAD_MAX_BYTES=1000)
def test_size_cap_and_empty():
    with pytest.raises(UploadError, match="超过"):
        check("大图.jpg", 1001, JPEG)
    with override_settings(DANGJIAN_UPLOAD_MAX_BYTES=10 * 1024 * 1024), pytest.raises(UploadError) as exc:
        check("大图.jpg", 11 * 1024 * 1024, JPEG)
    assert str(exc.value) == "文件“大图.jpg”超过 10 MB，请压缩后重新上传"
    with pytest.raises(UploadError, match="空文件"):
        check("空.jpg", 0, JPEG)


def test_random_path_reveals_nothing():
    path = random_path("photos", "jpg")
    assert path.startswith("supervision/photos/") and path.endswith(".jpg")
    assert len(path.rsplit("/", 1)[1]) == 36  # 32 hex + .jpg
    assert random_path("photos", "jpg") != path


def test_clean_original_name():
    assert clean_original_name("C:\\Users\\a\\照片 1.jpg") == "照片 1.jpg"
    assert clean_original_name("../../etc/passwd") == "passwd"
    assert clean_original_name("a\x00b.png") == "ab.png"
