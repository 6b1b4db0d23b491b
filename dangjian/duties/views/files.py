"""Uploaded files are served only here, after checking that the user may read the record they belong to;
removing one (it is flagged, never erased) needs the right to change that record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from dangjian.accounts import scope

from .. import services
from ..access import business_required, get_case, get_duty, get_notice, get_target, is_bureau
from ..models import CasePhoto, DutyEvidence, FeedbackFile, NoticeAttachment, NoticeStatus, StoredFile
from ..workflow import EDITABLE, CaseStatus

MODELS: dict[str, type[StoredFile]] = {
    "evidence": DutyEvidence,
    "feedback": FeedbackFile,
    "attachment": NoticeAttachment,
    "photo": CasePhoto,
}


def _stored(kind: str, user, pk: int, *, include_removed: bool = False) -> tuple[StoredFile, object]:
    """The file and the record it belongs to, or 404 when either is out of the user's read scope."""
    model = MODELS.get(kind)
    if model is None:
        raise Http404("未找到该文件")
    qs = model.objects.all() if include_removed else model.objects.filter(is_deleted=False)
    f = qs.filter(pk=pk).first()
    if f is None:
        raise Http404("未找到该文件")
    if kind == "evidence":
        owner = get_duty(user, f.report.duty_id)
    elif kind == "feedback":
        owner = get_target(user, f.target_id)
    elif kind == "attachment":
        owner = get_notice(user, f.notice_id)
    else:
        owner = get_case(user, f.case_id)
    return f, owner


@business_required
def file(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    f, _owner = _stored(kind, request.user, pk)
    try:
        handle = default_storage.open(f.file.name, "rb")
    except FileNotFoundError:
        raise Http404("文件已丢失，请联系管理员从备份恢复")
    response = FileResponse(handle, content_type=f.content_type)
    response["Content-Disposition"] = content_disposition_header(not f.is_image, f.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _may_remove(user, kind: str, owner) -> tuple[bool, str]:
    """(allowed, where to go back to)."""
    if kind == "evidence":
        return services.can_report(user, owner), reverse("duties:item_detail", args=[owner.pk])
    if kind == "feedback":
        ok = owner.notice.status == NoticeStatus.ISSUED and scope.org_in_scope(
            user, owner.organization, write=True
        )
        return ok, reverse("duties:notice_feedback", args=[owner.pk])
    if kind == "attachment":
        return is_bureau(user) and owner.status == NoticeStatus.DRAFT, reverse(
            "duties:notice_detail", args=[owner.pk]
        )
    ok = scope.org_in_scope(user, owner.organization, write=True) and CaseStatus(owner.status) in EDITABLE
    return ok, reverse("duties:case_detail", args=[owner.pk])


@require_POST
@business_required
def file_remove(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    f, owner = _stored(kind, request.user, pk, include_removed=True)
    allowed, back = _may_remove(request.user, kind, owner)
    if not allowed:
        raise PermissionDenied("您不能移除该文件（记录已提交、已下发，或不由您负责）")
    if f.is_deleted:
        messages.info(request, f"“{f.original_name}”此前已移除。")
    else:
        services.remove_file(f, request.user)
        messages.success(request, f"已移除“{f.original_name}”。")
    return redirect(back)
