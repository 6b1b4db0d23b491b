"""整改 pages: the list (filter by status, overdue), the detail with the actions, evidence files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, Prefetch, Q, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts import scope
from dangjian.accounts.policy import Perm
from dangjian.core import uploads as core_uploads
from dangjian.core.dates import DateParseError, parse_date

from .. import access, flow, services
from .. import uploads as sup_uploads
from ..forms import RectificationFilter
from ..models import EvidenceFile, Rectification, RectificationEvent
from ..services.common import ServiceError
from .common import file_response, paginate

OPEN = [s.value for s in flow.OPEN_STATES]


def _scoped(request: HttpRequest):
    return scope.filter_by_org(Rectification.objects.all(), request.user)


@access.requires(Perm.VIEW_STAFF)
def rectification_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = RectificationFilter(request.GET or None)
    qs = _scoped(request).select_related("organization", "finding__target__round")
    if form.is_valid():
        status = form.cleaned_data["status"]
        if status == "open":
            qs = qs.filter(status__in=OPEN)
        elif status:
            qs = qs.filter(status=status)
        if form.cleaned_data["overdue"]:
            qs = qs.filter(status__in=OPEN, deadline__lt=today)
        if q := form.cleaned_data["q"].strip():
            qs = qs.filter(
                Q(organization__name__icontains=q) | Q(organization__code__iexact=q) | Q(title__icontains=q)
            )
    stats = _scoped(request).aggregate(
        **{s.value: Count("id", filter=Q(status=s.value)) for s in flow.State},
        overdue=Count("id", filter=Q(status__in=OPEN, deadline__lt=today)),
    )
    page, query = paginate(
        request, qs.order_by(Case(When(status__in=OPEN, then=0), default=1), "deadline", "id"), 50
    )
    for r in page.object_list:
        r.overdue = r.is_overdue(today)
    return render(
        request,
        "supervision/rectification_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "stats": [(flow.STATE_LABELS[s], stats[s.value], s.value) for s in flow.State],
            "overdue_count": stats["overdue"],
            "page_title": "整改落实",
        },
    )


def _get(request: HttpRequest, pk: int) -> Rectification:
    access.require(request.user, Perm.VIEW_STAFF)
    return scope.get_object_for_user(
        request.user,
        Rectification.objects.select_related(
            "organization", "finding__target__round", "created_by", "verified_by"
        ),
        pk=pk,
    )


@login_required
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rect = _get(request, pk)
    today = timezone.localdate()
    parties = access.rectification_parties(request.user, rect.organization)
    events = (
        RectificationEvent.objects.filter(rectification=rect)
        .select_related("actor")
        .prefetch_related(Prefetch("files", queryset=EvidenceFile.objects.order_by("id")))
    )
    return render(
        request,
        "supervision/rectification_detail.html",
        {
            "rect": rect,
            "events": events,
            "overdue": rect.is_overdue(today),
            "actions": [(a.value, flow.ACTION_LABELS[a]) for a in flow.available(rect.status, parties)],
            "status_label": flow.STATE_LABELS[flow.State(rect.status)],
            # the evidence input's accepted types and size limit, from the one upload policy (core/uploads.py)
            "evidence_policy": core_uploads.POLICIES[sup_uploads.EVIDENCE],
            "max_files": sup_uploads.MAX_FILES_PER_UPLOAD,
            "page_title": rect.title,
        },
    )


@require_POST
@login_required
def rectification_action(request: HttpRequest, pk: int) -> HttpResponse:
    rect = _get(request, pk)
    action = request.POST.get("action", "")
    deadline = None
    try:
        if action == flow.Action.DEADLINE:
            try:
                deadline = parse_date(request.POST.get("deadline"))
            except DateParseError as exc:
                raise ServiceError(f"新的整改期限有误：{exc}")
        services.act(
            rect,
            action,
            actor=request.user,
            text=request.POST.get("text", ""),
            version=request.POST.get("version"),
            deadline=deadline,
            files=request.FILES.getlist("files"),
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        label = flow.ACTION_LABELS.get(flow.Action(action), "操作")
        messages.success(request, f"{label}：已完成。")
    return redirect("supervision:rectification_detail", pk=rect.pk)


@login_required
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Perm.VIEW_STAFF)
    obj = scope.get_object_for_user(
        request.user, EvidenceFile.objects.all(), org_field="event__rectification__organization", pk=pk
    )
    return file_response(obj.file, content_type=obj.content_type, name=obj.original_name, inline=obj.is_image)
