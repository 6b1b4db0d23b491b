"""季抽查 pages: rounds, the draw, a drawn organisation's findings and photos, the checklist."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts import scope
from dangjian.accounts.policy import Perm
from dangjian.core.dates import DateParseError, parse_date

from .. import access, services
from ..forms import ChecklistItemForm, DrawForm
from ..models import (
    ChecklistItem,
    Finding,
    FindingPhoto,
    InspectionRound,
    InspectionTarget,
    ResultChoice,
    RoundStatus,
)
from ..services.common import ServiceError
from ..services.inspections import default_deadline
from .common import file_response, paginate


@access.requires(Perm.INSPECT)
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = InspectionRound.objects.annotate(
        n_targets=Count("targets", distinct=True),
        n_done=Count("targets", filter=Q(targets__inspected_on__isnull=False), distinct=True),
        n_fail=Count(
            "targets__findings", filter=Q(targets__findings__result=ResultChoice.FAIL), distinct=True
        ),
    ).order_by("-quarter", "-id")
    page, query = paginate(request, rounds, 20)
    return render(
        request,
        "supervision/round_list.html",
        {"page": page, "query": query, "page_title": "季度抽查", "can_draw": access.is_bureau(request.user)},
    )


@access.requires(Perm.MANAGE_BUREAU)
def draw(request: HttpRequest) -> HttpResponse:
    form = DrawForm(request.POST or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        req = services.DrawRequest(
            quarter=d["quarter"],
            count=d["count"],
            ratio=d["ratio"],
            seed=d["seed"],
            stratify=d["stratify"],
            include_failing=d["include_failing"],
            replace=d["replace"],
        )
        try:
            plan = services.plan_draw(req)
            if "confirm" in request.POST:
                if d["seed"] is None:
                    raise ServiceError("请先“预览抽取结果”，确认无误后再正式抽取（种子须与预览一致）")
                rnd = services.create_round(plan, actor=request.user)
                messages.success(request, f"已抽取 {len(plan.codes)} 个党组织，随机种子 {plan.seed}。")
                return redirect("supervision:round_detail", pk=rnd.pk)
        except ServiceError as exc:
            form.add_error(None, str(exc))
            plan = None
    if plan is not None:
        form = DrawForm({**request.POST.dict(), "seed": plan.seed})
        form.is_valid()
    return render(
        request,
        "supervision/draw.html",
        {
            "form": form,
            "plan": plan,
            "drawn": [plan.orgs[c] for c in plan.codes] if plan else [],
            "strata": plan.result.allocation if plan else {},
            # every organisation failing last quarter is inspected; only the places left are drawn at random
            "randomly_drawn": len(plan.result.codes) - len(plan.result.forced) if plan else 0,
            "page_title": "抽取抽查对象",
        },
    )


@access.requires(Perm.INSPECT)
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(InspectionRound.objects.select_related("drawn_by"), pk=pk)
    targets = (
        InspectionTarget.objects.filter(round=rnd)
        .select_related("organization", "inspector")
        .annotate(
            n_pass=Count("findings", filter=Q(findings__result=ResultChoice.PASS)),
            n_partial=Count("findings", filter=Q(findings__result=ResultChoice.PARTIAL)),
            n_fail=Count("findings", filter=Q(findings__result=ResultChoice.FAIL)),
        )
        .order_by("organization__code")
    )
    page, query = paginate(request, targets, 100)
    return render(
        request,
        "supervision/round_detail.html",
        {
            "round": rnd,
            "page": page,
            "query": query,
            "replay_ok": services.replay_round(rnd),
            "n_candidates": len(rnd.candidates),
            "n_items": ChecklistItem.objects.filter(is_active=True).count(),
            "page_title": str(rnd),
        },
    )


def _target_for(request: HttpRequest, pk: int) -> InspectionTarget:
    access.require(request.user, Perm.VIEW_STAFF)
    return scope.get_object_for_user(
        request.user,
        InspectionTarget.objects.select_related("round", "organization", "inspector"),
        pk=pk,
    )


def _rows(target: InspectionTarget, posted: dict[int, tuple[str, str]] | None = None) -> list[dict]:
    """One row per checklist item: active items and any item that already has a finding here."""
    findings = {
        f.item_id: f
        for f in Finding.objects.filter(target=target)
        .select_related("rectification")
        .prefetch_related(Prefetch("photos", queryset=FindingPhoto.objects.filter(is_deleted=False)))
    }
    items = ChecklistItem.objects.filter(Q(is_active=True) | Q(pk__in=list(findings))).order_by("sort", "id")
    rows = []
    for item in items:
        f = findings.get(item.pk)
        result, note = (posted or {}).get(item.pk, (f.result, f.note) if f else ("", ""))
        rows.append({"item": item, "finding": f, "result": result, "note": note})
    return rows


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target_for(request, pk)
    can_record = access.is_inspector_side(request.user) and target.round.status == RoundStatus.ACTIVE
    posted = None
    error = ""
    inspected_on: date | str = target.inspected_on or ""
    deadline: date | str = ""
    summary = target.summary
    if request.method == "POST":
        access.require(request.user, Perm.INSPECT, "只有督查员或局党建管理员可以录入检查结果")
        item_ids = [
            int(k.split("_", 1)[1]) for k in request.POST if k.startswith("result_") and k[7:].isdigit()
        ]
        posted = {
            i: (request.POST.get(f"result_{i}", ""), request.POST.get(f"note_{i}", "")) for i in item_ids
        }
        summary = request.POST.get("summary", "")
        inspected_on, deadline = request.POST.get("inspected_on", ""), request.POST.get("deadline", "")
        try:
            try:
                day = parse_date(inspected_on)
                due = parse_date(deadline)
            except DateParseError as exc:
                raise ServiceError(f"日期有误：{exc}")
            counts = services.save_inspection(
                target,
                [services.FindingInput(i, r, n) for i, (r, n) in posted.items()],
                photos={i: request.FILES.getlist(f"photos_{i}") for i in item_ids},
                remove_photos=[int(v) for v in request.POST.getlist("remove_photo") if v.isdigit()],
                inspected_on=day,
                summary=summary,
                deadline=due,
                version=request.POST.get("version"),
                actor=request.user,
            )
        except ServiceError as exc:
            error = str(exc)
            if request.FILES:
                error += "（已填写的结论和说明均已保留；所选照片未保存，请重新选择）"
        else:
            msg = f"检查结果已保存（新增 {counts['created']} 项，修改 {counts['updated']} 项）"
            if counts["rectifications"]:
                msg += f"，已下达整改 {counts['rectifications']} 项"
            if counts["photos"]:
                msg += f"，上传照片 {counts['photos']} 张"
            if counts["removed"]:
                msg += f"，删除照片 {counts['removed']} 张"
            messages.success(request, msg + "。")
            return redirect("supervision:target_detail", pk=target.pk)
    rows = _rows(target, posted)
    return render(
        request,
        "supervision/target_detail.html",
        {
            "target": target,
            "rows": rows,
            "results": ResultChoice.choices,
            "can_record": can_record,
            "inspector_side": access.is_inspector_side(request.user),
            "error": error,
            "inspected_on": inspected_on,
            "deadline": deadline or default_deadline(),
            "summary": summary,
            "page_title": f"{target.organization.name} · {target.round}",
        },
        status=400 if error else 200,
    )


@require_POST
@access.requires(Perm.INSPECT)
def photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding.objects.select_related("target"), pk=pk)
    try:
        saved = services.add_finding_photos(finding, request.FILES.getlist("photos"), actor=request.user)
    except ServiceError as exc:
        messages.error(request, f"“{finding.item_name}”的照片未上传：{exc}")
    else:
        messages.success(request, f"已上传 {len(saved)} 张照片。")
    return redirect(
        f"{reverse('supervision:target_detail', args=[finding.target_id])}#item-{finding.item_id}"
    )


@require_POST
@access.requires(Perm.INSPECT)
def photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    photo = get_object_or_404(FindingPhoto.objects.select_related("finding"), pk=pk)
    if not photo.is_deleted:  # deleting twice (a double click) is harmless
        services.remove_finding_photo(photo, actor=request.user)
    messages.success(request, "照片已删除。")
    return redirect(
        f"{reverse('supervision:target_detail', args=[photo.finding.target_id])}#item-{photo.finding.item_id}"
    )


@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Perm.VIEW_STAFF)
    obj = scope.get_object_for_user(
        request.user,
        FindingPhoto.objects.filter(is_deleted=False),
        org_field="finding__target__organization",
        pk=pk,
    )
    return file_response(obj.file, content_type=obj.content_type, name=obj.original_name, inline=True)


@access.requires(Perm.INSPECT)
def checklist(request: HttpRequest) -> HttpResponse:
    items = ChecklistItem.objects.order_by("-is_active", "sort", "id")
    return render(
        request,
        "supervision/checklist.html",
        {"items": items, "can_edit": access.is_bureau(request.user), "page_title": "检查清单"},
    )


@access.requires(Perm.MANAGE_BUREAU)
def checklist_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    item = get_object_or_404(ChecklistItem, pk=pk) if pk is not None else None
    initial = (
        {"name": item.name, "guidance": item.guidance, "sort": item.sort, "is_active": item.is_active}
        if item
        else {
            "sort": (ChecklistItem.objects.order_by("-sort").values_list("sort", flat=True).first() or 0) + 10
        }
    )
    form = ChecklistItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.save_checklist_item(
                item,
                name=d["name"],
                guidance=d["guidance"],
                sort=d["sort"],
                is_active=d["is_active"],
                version=request.POST.get("version"),
                actor=request.user,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "检查项目已保存。")
            return redirect("supervision:checklist")
    return render(
        request,
        "supervision/checklist_edit.html",
        {"form": form, "item": item, "page_title": "修改检查项目" if item else "新增检查项目"},
    )
