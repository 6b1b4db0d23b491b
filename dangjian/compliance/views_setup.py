"""Pages that configure compliance: requirements (read by all business users, set by the bureau) and
exemptions (granted and revoked by the bureau, read in scope)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts import policy
from dangjian.accounts.policy import Perm
from dangjian.accounts.scope import filter_by_org, get_object_for_user
from dangjian.core.actions import Refusal
from dangjian.core.params import page_param
from dangjian.core.periods import Period
from dangjian.orgs.models import OrgKind

from . import services
from .access import bureau_admin, business_reader
from .forms import ExemptionForm, RequirementForm, RevokeForm
from .models import Exemption, Requirement

KIND_LABELS = dict(OrgKind.choices)


_apply_errors = services.put_on_form


# --- requirements -------------------------------------------------------------------------------------------
@business_reader
def requirement_list(request: HttpRequest) -> HttpResponse:
    reqs = list(Requirement.objects.select_related("kind").order_by("sort", "id"))
    for r in reqs:
        r.org_kinds_label = "、".join(KIND_LABELS.get(k, k) for k in r.org_kinds or [])
    return render(
        request,
        "compliance/requirements.html",
        {
            "page_title": "制度要求",
            "requirements": reqs,
            "can_edit": policy.can(request.user, Perm.MANAGE_BUREAU),
        },
    )


@bureau_admin
def requirement_add(request: HttpRequest) -> HttpResponse:
    form = RequirementForm(request.POST or None, initial={"is_active": True, "is_core": True, "minimum": 1})
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        try:
            req = services.create_requirement(
                data,
                actor=request.user,
                valid_from=form.cleaned_data.get("valid_from"),
                reason=form.cleaned_data.get("reason") or "",
            )
        except Refusal as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已新增制度要求“{req.name}”。")
            return redirect("compliance:requirements")
    return render(request, "compliance/requirement_form.html", {"page_title": "新增制度要求", "form": form})


@bureau_admin
def requirement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a requirement. A change of its rule is a new revision from the chosen period start (default: the
    next period). A start that has come is a correction: the page first lists the past results it changes and
    saves only once the bureau admin confirms, with a reason."""
    req = get_object_or_404(Requirement.objects.select_related("kind"), pk=pk)
    form = RequirementForm(request.POST or None, instance=req)
    today = timezone.localdate()
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        valid_from = form.cleaned_data.get("valid_from")
        correction = (
            valid_from is not None
            and services.is_correction(valid_from, today)
            and bool(services.rule_changes(req, data, valid_from))
        )
        if correction and not form.cleaned_data.get("confirm"):
            preview = services.correction_preview(req, data, valid_from, today)
            form.add_error(
                "confirm",
                "生效日期不晚于今天，将改变已开始期间的统计结果（见下方列表）；请核对后勾选确认并填写修订说明。",
            )
        else:
            try:
                services.update_requirement(
                    req,
                    data,
                    version=form.cleaned_data["version"] or 0,
                    actor=request.user,
                    valid_from=valid_from,
                    reason=form.cleaned_data.get("reason") or "",
                    today=today,
                )
            except Refusal as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, f"已保存制度要求“{req.name}”。")
                return redirect("compliance:requirements")
    revisions = req.revisions.select_related("kind", "created_by").order_by("valid_from")
    return render(
        request,
        "compliance/requirement_form.html",
        {
            "page_title": f"修改制度要求：{req.name}",
            "form": form,
            "req": req,
            "revisions": revisions,
            "preview": preview,
            "preview_shown": (preview or [])[:100],
            "next_start": services.next_period_start(req.period, today),
        },
    )


# --- exemptions -------------------------------------------------------------------------------------------
EXEMPTION_STATES = [("active", "有效"), ("revoked", "已撤销"), ("all", "全部")]


@business_reader
def exemption_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "active")
    state = state if state in dict(EXEMPTION_STATES) else "active"
    qs = filter_by_org(
        Exemption.objects.select_related("organization", "requirement", "granted_by", "revoked_by"),
        request.user,
    ).order_by("-starts_on", "-id")
    if state == "active":
        qs = qs.filter(revoked=False)
    elif state == "revoked":
        qs = qs.filter(revoked=True)
    page = Paginator(qs, 50).get_page(page_param(request))
    return render(
        request,
        "compliance/exemptions.html",
        {
            "page_title": "豁免管理",
            "page": page,
            "state": state,
            "states": EXEMPTION_STATES,
            "can_grant": policy.can(request.user, Perm.MANAGE_BUREAU),
        },
    )


def _exemption_initial(request: HttpRequest) -> dict:
    """Prefill from a matrix cell: ?org=<id>&requirement=<key>&period=2025Q3."""
    initial: dict = {}
    org_id = request.GET.get("org", "")
    if org_id.isdigit():
        initial["organization"] = int(org_id)
    req = Requirement.objects.filter(key=request.GET.get("requirement", "")).first()
    if req is not None:
        initial["requirement"] = req.pk
    try:
        p = Period.parse(request.GET.get("period", ""))
    except ValueError:
        p = None
    if p is not None:
        initial["starts_on"], initial["ends_on"] = p.start, p.end
    return initial


@bureau_admin
def exemption_add(request: HttpRequest) -> HttpResponse:
    form = ExemptionForm(request.POST or None, initial=_exemption_initial(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            ex = services.grant_exemption(
                d["organization"],
                d["requirement"],
                d["starts_on"],
                d["ends_on"],
                d["reason"],
                actor=request.user,
            )
        except Refusal as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已批准{ex.organization.name}“{ex.requirement.name}”的豁免。")
            return redirect("compliance:exemption_detail", pk=ex.pk)
    return render(request, "compliance/exemption_form.html", {"page_title": "授予豁免", "form": form})


@business_reader
def exemption_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ex = get_object_for_user(
        request.user,
        Exemption.objects.select_related("organization", "requirement", "granted_by", "revoked_by"),
        pk=pk,
    )
    can_revoke = policy.can(request.user, Perm.MANAGE_BUREAU) and not ex.revoked
    return render(
        request,
        "compliance/exemption_detail.html",
        {
            "page_title": "豁免详情",
            "ex": ex,
            "can_revoke": can_revoke,
            "form": RevokeForm(initial={"version": ex.version}) if can_revoke else None,
            "today": timezone.localdate(),
        },
    )


@bureau_admin
@require_POST
def exemption_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    ex = get_object_or_404(Exemption, pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "撤销未成功：请填写撤销理由。")
        return redirect("compliance:exemption_detail", pk=pk)
    try:
        services.revoke_exemption(
            ex,
            form.cleaned_data["revoke_reason"],
            version=form.cleaned_data["version"],
            actor=request.user,
            effective=form.cleaned_data.get("effective"),
        )
    except Refusal as exc:
        messages.error(request, "撤销未成功：" + exc.message)
    else:
        messages.success(request, "已撤销该豁免，相关期间将恢复按制度要求统计。")
    return redirect("compliance:exemption_detail", pk=pk)
