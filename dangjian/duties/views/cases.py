"""党建品牌 and 典型经验: submission by organisations, review and publication by the bureau, the showcase."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts import scope
from dangjian.core.actions import Refusal, refusal_to_form
from dangjian.core.params import optional_year_param

from .. import services
from ..access import bureau_required, business_required, cases_for, get_case, reads_all, writer_required
from ..forms import CaseActionForm, CaseForm
from ..models import BrandCase, CaseKind, CasePhoto
from ..workflow import (
    CASE_ACTION_LABELS,
    CASE_STATUS_LABELS,
    EDITABLE,
    ORG_ACTIONS,
    CaseAction,
    CaseStatus,
    allowed_actions,
)
from .common import paginate

STATUS_TAGS = {
    CaseStatus.DRAFT: "",
    CaseStatus.SUBMITTED: "tag-warn",
    CaseStatus.RETURNED: "tag-bad",
    CaseStatus.APPROVED: "tag-info",
    CaseStatus.PUBLISHED: "tag-ok",
}


def _photos() -> Prefetch:
    return Prefetch(
        "photos", queryset=CasePhoto.objects.filter(is_deleted=False).order_by("id"), to_attr="live_photos"
    )


@business_required
def case_index(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = cases_for(user).select_related("organization")
    if reads_all(user):
        qs = qs.exclude(status=CaseStatus.DRAFT)  # drafts stay with their organisation until submitted
    else:
        qs = qs.filter(organization__in=scope.visible_orgs(user))
    status = request.GET.get("status", "")
    if status in {s.value for s in CaseStatus}:
        qs = qs.filter(status=status)
    page = paginate(request, qs.order_by("-year", "-id"))
    pending = (
        BrandCase.objects.filter(is_deleted=False, status=CaseStatus.SUBMITTED).count()
        if scope.is_bureau_admin(user)
        else None
    )
    return render(
        request,
        "duties/case_index.html",
        {
            "page_title": "党建品牌案例",
            "page": page,
            "tags": STATUS_TAGS,
            "status": status,
            "statuses": [(s.value, CASE_STATUS_LABELS[s]) for s in CaseStatus],
            "pending": pending,
            "can_create": scope.can_write(user),
        },
    )


def _case_form(request: HttpRequest, case: BrandCase | None) -> HttpResponse:
    if case is not None and CaseStatus(case.status) not in EDITABLE:
        messages.error(request, "案例已提交审核，不能再修改；如需修改，请联系局党建办退回。")
        return redirect("duties:case_detail", pk=case.pk)
    orgs = scope.editable_orgs(request.user).filter(dissolved_on__isnull=True).order_by("path")
    form = CaseForm(request.POST or None, request.FILES or None, instance=case, orgs=orgs)
    if case is None and request.method != "POST":
        form.initial.update(
            {"year": timezone.localdate().year, "organization": scope.scope_root(request.user)}
        )
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        org = case.organization if case else data.pop("organization")
        data.pop("organization", None)
        try:
            row = services.save_case(
                case,
                org,
                data,
                request.user,
                photos=form.cleaned_data["photos"],
                version=form.cleaned_data["version"],
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "案例已保存。确认无误后请点击“提交审核”。")
            return redirect("duties:case_detail", pk=row.pk)
    title = "申报党建品牌案例" if case is None else f"修改案例：{case.title}"
    back = reverse("duties:case_detail", args=[case.pk]) if case else reverse("duties:case_index")
    return render(
        request, "duties/form.html", {"page_title": title, "form": form, "back_url": back, "multipart": True}
    )


@writer_required
def case_create(request: HttpRequest) -> HttpResponse:
    return _case_form(request, None)


@writer_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_form(request, get_case(request.user, pk, write=True))


@business_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request.user, pk)
    user = request.user
    can_org = scope.org_in_scope(user, case.organization, write=True)
    is_bureau = scope.is_bureau_admin(user)
    actions = [
        (a.value, CASE_ACTION_LABELS[a])
        for a in allowed_actions(case.status)
        if (a in ORG_ACTIONS and can_org) or (a not in ORG_ACTIONS and is_bureau)
    ]
    return render(
        request,
        "duties/case_detail.html",
        {
            "page_title": case.title,
            "case": case,
            "tags": STATUS_TAGS,
            "actions": actions,
            "photos": case.photos.filter(is_deleted=False),
            "reviews": case.reviews.select_related("actor"),
            "can_edit": can_org and CaseStatus(case.status) in EDITABLE,
            "is_bureau": is_bureau,
            "form": CaseActionForm(initial={"version": case.version}),
        },
    )


@require_POST
@writer_required
def case_act(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request.user, pk)
    form = CaseActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "操作无效，请刷新页面后重试。")
        return redirect("duties:case_detail", pk=case.pk)
    action = CaseAction(form.cleaned_data["action"])
    if action in ORG_ACTIONS:
        if not scope.org_in_scope(request.user, case.organization, write=True):
            raise PermissionDenied("只有申报党组织可以提交")
    elif not scope.is_bureau_admin(request.user):
        raise PermissionDenied("审核与发布由局党建管理员办理")
    try:
        services.act_on_case(
            case,
            action,
            request.user,
            comment=form.cleaned_data["comment"],
            version=form.cleaned_data["version"],
        )
    except Refusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{CASE_ACTION_LABELS[action]}。")
    return redirect("duties:case_detail", pk=case.pk)


@require_POST
@bureau_required
def case_exemplary(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request.user, pk)
    flag = request.POST.get("flag") == "1"
    try:
        services.set_exemplary(case, flag, request.user)
    except Refusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已评为典型。" if flag else "已取消典型。")
    return redirect("duties:case_detail", pk=case.pk)


@business_required
def showcase(request: HttpRequest) -> HttpResponse:
    qs = (
        BrandCase.objects.filter(is_deleted=False, status=CaseStatus.PUBLISHED)
        .select_related("organization")
        .prefetch_related(_photos())
        .order_by("-is_exemplary", "-published_at", "-id")
    )
    year = optional_year_param(request)
    if year is not None:
        qs = qs.filter(year=year)
    kind = request.GET.get("kind", "")
    if kind in CaseKind.values:
        qs = qs.filter(kind=kind)
    if request.GET.get("exemplary") == "1":
        qs = qs.filter(is_exemplary=True)
    page = paginate(request, qs, size=24)
    return render(
        request,
        "duties/showcase.html",
        {
            "page_title": "党建品牌展示",
            "page": page,
            "year": "" if year is None else str(year),
            "kind": kind,
            "kinds": CaseKind.choices,
            "exemplary": request.GET.get("exemplary") == "1",
        },
    )
