"""Issue 8 parts 5 and 8: uploads are checked by their content, not by their name or the browser's claim. An
executable renamed .png, an HTML page renamed .pdf (and a script renamed .jpg) are refused by the checks every
upload view goes through: activity attachments, supervision photos and evidence, duties evidence, honors report
files — through HTTP where the page is simple to drive, and at the check each upload view calls."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian import factories
from dangjian.activities import services as activity_services
from dangjian.activities.models import Attachment
from dangjian.activities.tests.factories import activity
from dangjian.duties import files as duty_files
from dangjian.honors import services as honor_services
from dangjian.supervision import uploads as supervision_uploads

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\0" * 512
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SCRIPT = b"#!/bin/sh\nrm -rf /\n"
DISGUISES = [
    ("exe_as_png", "现场照片.png", "image/png", EXE),
    ("html_as_pdf", "会议纪要.pdf", "application/pdf", HTML),
    ("script_as_jpg", "照片.jpg", "image/jpeg", SCRIPT),
    ("html_as_png", "图.png", "image/png", HTML),
]
IDS = [d[0] for d in DISGUISES]


def upload(name: str, ctype: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=ctype)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- activities: attachments on the 台账 edit page (HTTP) -----------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(("case", "name", "ctype", "data"), DISGUISES, ids=IDS)
def test_activity_attachment_with_false_content_is_refused_over_http(cast, login, case, name, ctype, data):
    from dangjian.tests.test_concurrent_edits import edit_form

    a = activity(cast["a"], actor=cast["admin_a"])
    client = login(cast["admin_a"])
    url = f"/activities/{a.pk}/edit/"
    form = edit_form(client, url)
    form["attachments"] = upload(name, ctype, data)
    r = client.post(url, form)
    assert r.status_code in (200, 400)
    assert "JPG、PNG、GIF、WEBP 图片或 PDF 文件" in r.content.decode() or "不是" in r.content.decode()
    assert not Attachment.objects.filter(activity=a).exists()


@pytest.mark.parametrize(("case", "name", "ctype", "data"), DISGUISES, ids=IDS)
def test_activity_attachment_check_refuses_false_content(case, name, ctype, data):
    with pytest.raises(activity_services.ActivityInvalid):
        activity_services.check_uploads([upload(name, ctype, data)])


# --- supervision: photos and evidence ---------------------------------------------------------------------
@pytest.mark.parametrize(("case", "name", "ctype", "data"), DISGUISES, ids=IDS)
@pytest.mark.parametrize("allowed", ["IMAGES", "EVIDENCE"])
def test_supervision_photo_and_evidence_check_refuses_false_content(case, name, ctype, data, allowed):
    with pytest.raises(supervision_uploads.UploadError) as exc:
        supervision_uploads.check_all([upload(name, ctype, data)], getattr(supervision_uploads, allowed))
    assert "不是可接受的类型" in str(exc.value)


# --- duties: evidence, attachments, photos -----------------------------------------------------------------
@pytest.mark.parametrize(("case", "name", "ctype", "data"), DISGUISES, ids=IDS)
@pytest.mark.parametrize("accepted", ["EVIDENCE", "ATTACHMENTS", "IMAGES"])
def test_duties_evidence_check_refuses_false_content(case, name, ctype, data, accepted):
    with pytest.raises(ValidationError):
        duty_files.check_upload(upload(name, ctype, data), getattr(duty_files, accepted))


# --- honors: the 述职 report file (HTTP) ---------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"),
    [("述职报告.pdf", HTML), ("述职报告.pdf", EXE), ("述职报告.docx", SCRIPT)],
    ids=["html", "exe", "sh"],
)
def test_honors_report_file_with_false_content_is_refused_over_http(cast, login, name, data):
    for org in (cast["a"], cast["b"]):
        factories.term(org, elected_on=date(2025, 1, 1), secretary=f"{org.code}书记")
    rnd = honor_services.create_review_round(2026, "2026年度述职评议", actor=cast["bureau"])
    rep = rnd.reports.get(organization=cast["a"])
    r = login(cast["admin_a"]).post(
        f"/honors/reports/{rep.pk}/", {"text": "述职正文", "file": upload(name, "application/pdf", data)}
    )
    assert r.status_code == 200
    assert "不是可接受的类型（仅接受" in r.content.decode()  # the one upload policy's refusal (core.uploads)
    rep.refresh_from_db()
    assert rep.submitted_at is None and not rep.file
