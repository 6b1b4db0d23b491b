"""工作要点: the annual plan, progress updates by the responsible organisations, the year-end assessment."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts import scope
from dangjian.core import measures
from dangjian.core.actions import Refusal, refusal_to_form
from dangjian.core.xlsx import Sheet

from .. import services
from ..access import bureau_required, business_required, get_plan, get_plan_item, plans_for, writer_required
from ..forms import AssessForm, ProgressForm, WorkPlanForm, WorkPlanItemForm
from ..models import YEAR_END_TAGS, WorkPlan, WorkPlanItem, YearEndStatus
from .common import xlsx_download


@business_required
def plan_index(request: HttpRequest) -> HttpResponse:
    plans = list(plans_for(request.user).order_by("-year", "-id"))
    return render(
        request,
        "duties/plan_index.html",
        {"page_title": "工作要点", "plans": plans, "can_create": scope.is_bureau_admin(request.user)},
    )


def _plan_form(request: HttpRequest, plan: WorkPlan | None) -> HttpResponse:
    form = WorkPlanForm(request.POST or None, instance=plan)
    if plan is None and request.method != "POST":
        y = timezone.localdate().year
        form.initial.update({"year": y, "title": f"{y}年党建工作要点"})
    if request.method == "POST" and form.is_valid():
        try:
            row = services.save_plan(
                plan, form.data_for_service(), request.user, version=form.cleaned_data["version"]
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已保存“{row.title}”。")
            return redirect("duties:plan_detail", pk=row.pk)
    title = "新建工作要点" if plan is None else f"修改：{plan.title}"
    return render(
        request, "duties/form.html", {"page_title": title, "form": form, "back": "duties:plan_index"}
    )


@bureau_required
def plan_create(request: HttpRequest) -> HttpResponse:
    return _plan_form(request, None)


@bureau_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_form(request, get_plan(request.user, pk))


def _plan_items(plan: WorkPlan) -> list[WorkPlanItem]:
    items = list(
        plan.items.filter(is_active=True).select_related("organization", "assessed_by").order_by("seq", "id")
    )
    latest = services.latest_progress(items)
    for i in items:
        i.latest = latest.get(i.pk)
        i.measured = services.measured_progress(i)
    return items


@business_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan(request.user, pk)
    items = _plan_items(plan)
    if request.GET.get("export") == "xlsx":
        rows = [
            [
                i.seq,
                i.category,
                i.content,
                i.organization.name,
                i.lead,
                i.deadline,
                i.target,
                i.latest.reported_on if i.latest else None,
                i.latest.text if i.latest else "",
                i.latest.percent if i.latest and i.latest.percent is not None else None,
                i.get_year_end_status_display(),
                i.year_end_note,
            ]
            for i in items
        ]
        header = [
            "序号",
            "类别",
            "工作内容",
            "责任单位",
            "牵头",
            "完成时限",
            "量化目标",
            "最新进展日期",
            "最新进展",
            "进度(%)",
            "年终完成情况",
            "说明",
        ]
        sheet = Sheet(
            "工作要点",
            header,
            rows,
            widths=[6, 14, 50, 24, 14, 12, 30, 12, 40, 8, 12, 30],
            date_columns=[5, 7],
        )
        return xlsx_download(request, [sheet], f"{plan.title}.xlsx", f"工作要点“{plan.title}”")
    editable = set(
        scope.editable_orgs(request.user)
        .filter(pk__in=[i.organization_id for i in items])
        .values_list("pk", flat=True)
    )
    counts = {s: sum(1 for i in items if i.year_end_status == s) for s in YearEndStatus.values}
    today = timezone.localdate()
    return render(
        request,
        "duties/plan_detail.html",
        {
            "page_title": plan.title,
            "plan": plan,
            "items": items,
            "editable": editable,
            "today": today,
            "is_bureau": scope.is_bureau_admin(request.user),
            "counts": counts,
            "tags": YEAR_END_TAGS,
            "assessed": sum(counts.values()),
        },
    )


def _item_form(request: HttpRequest, plan: WorkPlan, item: WorkPlanItem | None) -> HttpResponse:
    form = WorkPlanItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_plan_item(
                item, plan, form.data_for_service(), request.user, version=form.cleaned_data["version"]
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "事项已保存。")
            return redirect("duties:plan_detail", pk=plan.pk)
    title = f"{plan.title}：{'新增事项' if item is None else '修改事项'}"
    return render(
        request,
        "duties/form.html",
        {"page_title": title, "form": form, "back_url": reverse("duties:plan_detail", args=[plan.pk])},
    )


@bureau_required
def plan_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_form(request, get_plan(request.user, pk), None)


@bureau_required
def plan_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_plan_item(request.user, pk)
    return _item_form(request, item.plan, item)


@business_required
def plan_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_plan_item(request.user, pk)
    progress = item.progress.select_related("reported_by").order_by("-reported_on", "-id")
    can_progress = scope.org_in_scope(request.user, item.organization, write=True) and not item.measure_key
    form = ProgressForm(initial={"reported_on": timezone.localdate()}) if can_progress else None
    return render(
        request,
        "duties/plan_item_detail.html",
        {
            "page_title": f"工作要点事项：{item}",
            "item": item,
            "progress": progress,
            "form": form,
            "is_bureau": scope.is_bureau_admin(request.user),
            "tags": YEAR_END_TAGS,
            "measured": services.measured_progress(item),
            "measure_label": measures.label(item.measure_key) if item.measure_key else "",
        },
    )


@require_POST
@writer_required
def plan_item_progress(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_plan_item(request.user, pk, write=True)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.add_progress(item, request.user, **form.cleaned_data)
        except Refusal as exc:
            refusal_to_form(form, exc)
    if form.errors:
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, f"进展未保存：{e}")
    else:
        messages.success(request, "进展已填报。")
    return redirect("duties:plan_item_detail", pk=item.pk)


@bureau_required
def plan_item_assess(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_plan_item(request.user, pk)
    form = AssessForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.assess_item(
                item,
                form.cleaned_data["year_end_status"],
                form.cleaned_data["year_end_note"],
                request.user,
                version=form.cleaned_data["version"],
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "年终完成情况已评定。")
            return redirect("duties:plan_detail", pk=item.plan_id)
    return render(
        request,
        "duties/form.html",
        {
            "page_title": f"年终评定：{item}",
            "form": form,
            "back_url": reverse("duties:plan_item_detail", args=[item.pk]),
        },
    )
