"""Uploads are checked by content, capped in size, stored under random names and served after a scope check."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.test import override_settings

from dangjian.core import uploads as kinds
from dangjian.duties import files as filekinds
from dangjian.duties import services

from . import factories as f


def test_content_decides_not_name():
    # What the bytes are is core.uploads' business (tested there); here: duties' accepted sets use it.
    checked = filekinds.check_upload(f.upload("scan.png", f.PDF))
    assert checked.kind is kinds.PDF and checked.original_name == "scan.png"
    assert (
        filekinds.check_upload(f.upload("通知.pdf", f.docx_bytes()), filekinds.ATTACHMENTS).kind is kinds.DOCX
    )
    assert filekinds.check_upload(f.upload("a.bin", f.xlsx_bytes()), filekinds.ATTACHMENTS).kind is kinds.XLSX
    # (GIF became acceptable with the one core policy, as it already was for activities and supervision.)
    for name, data in (
        ("图.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("附件.docx", f.zip_bytes("readme.txt")),
    ):
        with pytest.raises(ValidationError, match="内容不是可接受的类型"):
            filekinds.check_upload(f.upload(name, data), filekinds.ATTACHMENTS)


def test_rejections_name_the_file_and_the_fix():
    with pytest.raises(ValidationError, match="“恶意.jpg”的内容不是可接受的类型"):
        filekinds.check_upload(f.upload("恶意.jpg", b"<html>"))
    with pytest.raises(ValidationError, match="仅接受"):
        filekinds.check_upload(f.upload("通知.docx", f.docx_bytes()), filekinds.EVIDENCE)
    with pytest.raises(ValidationError, match="空文件"):
        filekinds.check_upload(f.upload("空.pdf", b""))
    with override_settings(DANGJIAN_UPLOAD_MAX_BYTES=100):
        with pytest.raises(ValidationError, match="超过上限"):
            filekinds.check_upload(f.upload("大.pdf", f.PDF + b"0" * 200))
    with pytest.raises(ValidationError, match="最多上传"):
        filekinds.check_uploads([f.upload(f"{i}.png", f.PNG) for i in range(11)])
    with pytest.raises(ValidationError) as exc:
        filekinds.check_uploads(
            [f.upload("好.png", f.PNG), f.upload("坏.png", b"x"), f.upload("也坏.pdf", b"y")]
        )
    assert len(exc.value.messages) == 2


@pytest.mark.django_db
def test_stored_under_random_names_and_served_only_in_scope(cast, login):
    w = f.world(cast)
    ev = w["evidence"]
    assert ev.file.name.startswith("duties/evidence/") and "记录" not in ev.file.name
    assert ev.file.name.endswith(".png") and len(ev.file.name.rsplit("/", 1)[1]) == 36
    assert ev.sha256 and ev.size == len(f.PNG) and ev.content_type == "image/png"
    r = login(cast["member"]).get(f"/duties/files/evidence/{ev.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert b"".join(r.streaming_content) == f.PNG
    assert "inline" in r["Content-Disposition"]
    pdf = w["feedback_file"]
    r = login(cast["admin_a"]).get(f"/duties/files/feedback/{pdf.pk}/")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    assert login(cast["admin_b"]).get(f"/duties/files/feedback/{pdf.pk}/").status_code == 404
    assert login(cast["admin_b"]).get(f"/duties/files/evidence/{ev.pk}/").status_code == 404
    # a published case's photos are for every business user; its drafts' are not
    photo = w["photo"]
    assert login(cast["admin_b"]).get(f"/duties/files/photo/{photo.pk}/").status_code == 200
    assert login(cast["admin_b"]).get(f"/duties/files/other/{photo.pk}/").status_code == 404
    services.remove_file(ev, cast["bureau"])
    assert login(cast["member"]).get(f"/duties/files/evidence/{ev.pk}/").status_code == 404


@pytest.mark.django_db
def test_removing_files_needs_the_right_to_change_the_record(cast, login):
    w = f.world(cast)
    ev = w["evidence"]
    assert login(cast["inspector"]).post(f"/duties/files/evidence/{ev.pk}/remove/").status_code == 403
    assert login(cast["admin_b"]).post(f"/duties/files/evidence/{ev.pk}/remove/").status_code == 404
    r = login(cast["member"]).post(f"/duties/files/evidence/{ev.pk}/remove/")
    assert r.status_code == 302 and r["Location"] == f"/duties/items/{w['a_duty'].pk}/"
    ev.refresh_from_db()
    assert ev.is_deleted and default_storage.exists(ev.file.name)  # flagged, never erased
    # a published case's photos are fixed; so are the attachments of an issued notice
    photo = w["photo"]
    assert login(cast["admin_a"]).post(f"/duties/files/photo/{photo.pk}/remove/").status_code == 403
    draft_photo = services.save_case(
        w["case_draft"], cast["a"], {}, cast["admin_a"], photos=[f.checked()]
    ).photos.get()
    assert login(cast["admin_a"]).post(f"/duties/files/photo/{draft_photo.pk}/remove/").status_code == 302
    assert w["case_draft"].photos.filter(is_deleted=False).count() == 0
