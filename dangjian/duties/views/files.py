"""Uploaded files are served only here, after checking that the user may read the record they belong to."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.utils.http import content_disposition_header

from ..access import business_required, get_case, get_duty, get_notice, get_target
from ..models import CasePhoto, DutyEvidence, FeedbackFile, NoticeAttachment, StoredFile

KINDS = {"evidence", "feedback", "attachment", "photo"}


def _stored(kind: str, user, pk: int) -> StoredFile:
    try:
        if kind == "evidence":
            f = DutyEvidence.objects.select_related("report").get(pk=pk, is_deleted=False)
            get_duty(user, f.report.duty_id)
        elif kind == "feedback":
            f = FeedbackFile.objects.get(pk=pk, is_deleted=False)
            get_target(user, f.target_id)
        elif kind == "attachment":
            f = NoticeAttachment.objects.get(pk=pk, is_deleted=False)
            get_notice(user, f.notice_id)
        elif kind == "photo":
            f = CasePhoto.objects.get(pk=pk, is_deleted=False)
            get_case(user, f.case_id)
        else:
            raise Http404("未找到该文件")
    except (
        DutyEvidence.DoesNotExist,
        FeedbackFile.DoesNotExist,
        NoticeAttachment.DoesNotExist,
        CasePhoto.DoesNotExist,
    ):
        raise Http404("未找到该文件")
    return f


@business_required
def file(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    f = _stored(kind, request.user, pk)
    try:
        handle = default_storage.open(f.file.name, "rb")
    except FileNotFoundError:
        raise Http404("文件已丢失，请联系管理员从备份恢复")
    response = FileResponse(handle, content_type=f.content_type)
    response["Content-Disposition"] = content_disposition_header(not f.is_image, f.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
