"""年终总评 pages. Published versions are read from their frozen data only; the preview computes live."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dangjian.accounts import scope
from dangjian.accounts.policy import Perm
from dangjian.core.xlsx import XLSX_CONTENT_TYPE, workbook_bytes

from .. import access
from ..models import Adjustment, Appraisal, AppraisalVersion, Indicator, IndicatorSource, ManualScore
from ..services.common import ServiceError
from . import services, sources
from .forms import AdjustmentForm, AppraisalCreateForm, AppraisalForm, IndicatorForm

# The inspector (督查员) is a read-only role: it reads hand scores and adjustments but only the bureau admin
# enters or revokes them (issue 14 item 11: no writes for the inspector in 年终总评).
WRITE_REFUSED = "督查员只能查阅年终总评，评分和加减分由局党建管理员录入"


def _own_org_ids(user) -> set[int] | None:
    """None for the inspector side (all rows); otherwise the organisations in the user's scope."""
    if access.is_inspector_side(user):
        return None
    return set(scope.visible_orgs(user).values_list("pk", flat=True))


@access.requires(Perm.VIEW_STAFF)
def appraisal_list(request: HttpRequest) -> HttpResponse:
    appraisals = list(Appraisal.objects.order_by("-year"))
    latest: dict[int, AppraisalVersion] = {}
    for v in AppraisalVersion.objects.filter(appraisal__in=appraisals).only(
        "id", "appraisal_id", "number", "published_at"
    ):
        if v.appraisal_id not in latest or v.number > latest[v.appraisal_id].number:
            latest[v.appraisal_id] = v
    inspector = access.is_inspector_side(request.user)
    rows = [(a, latest.get(a.pk)) for a in appraisals if inspector or a.pk in latest]
    return render(
        request,
        "supervision/appraisal/list.html",
        {
            "rows": rows,
            "inspector": inspector,
            "can_manage": access.is_bureau(request.user),
            "form": AppraisalCreateForm(),
            "page_title": "年终总评",
        },
    )


@access.requires(Perm.MANAGE_BUREAU)
def appraisal_create(request: HttpRequest) -> HttpResponse:
    form = AppraisalCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            a = services.create_appraisal(
                form.cleaned_data["year"], form.cleaned_data["title"], actor=request.user
            )
        except ServiceError as exc:
            form.add_error("year", str(exc))
        else:
            messages.success(request, "年终总评已建立，已套用默认考核指标，可在“考核指标”中修改。")
            return redirect("supervision:appraisal_detail", pk=a.pk)
    return render(request, "supervision/appraisal/create.html", {"form": form, "page_title": "新建年终总评"})


@access.requires(Perm.INSPECT)
def appraisal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Settings, versions, and a live preview of the result from the data as it is now."""
    appraisal = get_object_or_404(Appraisal, pk=pk)
    preview = services.ResultView(services.compute(appraisal))
    tops = services.active_tree(appraisal)
    manual = [
        ind for top in tops for ind in (top.active_children or [top]) if ind.source == IndicatorSource.MANUAL
    ]
    return render(
        request,
        "supervision/appraisal/detail.html",
        {
            "appraisal": appraisal,
            "versions": appraisal.versions.order_by("-number"),
            "view": preview,
            "rows": preview.rows(),
            "manual": manual,
            "can_manage": access.is_bureau(request.user),
            "page_title": appraisal.title,
        },
    )


@access.requires(Perm.MANAGE_BUREAU)
def appraisal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = get_object_or_404(Appraisal, pk=pk)
    form = AppraisalForm(request.POST or None, instance=Appraisal.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_appraisal(
                appraisal, form.cleaned_data, version=_int(request.POST.get("version")), actor=request.user
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存。")
            return redirect("supervision:appraisal_detail", pk=pk)
    return render(
        request,
        "supervision/appraisal/edit.html",
        {"appraisal": appraisal, "form": form, "page_title": f"{appraisal.title} · 设置"},
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@access.requires(Perm.MANAGE_BUREAU)
def appraisal_indicators(request: HttpRequest, pk: int) -> HttpResponse:
    """The indicator tree editor: the tree, and a form adding a new indicator or editing `?edit=<id>`."""
    appraisal = get_object_or_404(Appraisal, pk=pk)
    editing = None
    edit_id = _int(request.POST.get("indicator") or request.GET.get("edit"))
    if edit_id:
        editing = get_object_or_404(Indicator, pk=edit_id, appraisal=appraisal, is_active=True)
    form = IndicatorForm(request.POST or None, instance=editing, appraisal=appraisal)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "version": _int(request.POST.get("version"))}
        try:
            services.save_indicator(
                appraisal, Indicator.objects.get(pk=editing.pk) if editing else None, data, actor=request.user
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "考核指标已保存。")
            return redirect("supervision:appraisal_indicators", pk=pk)
    tops = services.active_tree(appraisal)
    return render(
        request,
        "supervision/appraisal/indicators.html",
        {
            "appraisal": appraisal,
            "tops": tops,
            "form": form,
            "editing": editing,
            "max_total": sum(t.max_points for t in tops),
            "page_title": f"{appraisal.title} · 考核指标",
        },
    )


@require_POST
@access.requires(Perm.MANAGE_BUREAU)
def indicator_remove(request: HttpRequest, pk: int) -> HttpResponse:
    ind = get_object_or_404(Indicator, pk=pk, is_active=True)
    services.remove_indicator(ind, actor=request.user)
    messages.success(request, f"已停用指标“{ind.name}”。")
    return redirect("supervision:appraisal_indicators", pk=ind.appraisal_id)


@access.requires(Perm.INSPECT)
def appraisal_manual(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    """Hand scores of one indicator for every appraised organisation."""
    appraisal = get_object_or_404(Appraisal, pk=pk)
    ind = get_object_or_404(
        Indicator, pk=indicator, appraisal=appraisal, is_active=True, source=IndicatorSource.MANUAL
    )
    orgs = sources.appraised_orgs(appraisal.year, sources.reference_day(appraisal.year))
    existing = {s.organization_id: s for s in ManualScore.objects.filter(indicator=ind)}
    errors: list[str] = []
    values: dict[int, tuple[str, str]] = {}
    if request.method == "POST":
        access.require(request.user, Perm.MANAGE_BUREAU, WRITE_REFUSED)
        entries = {}
        for o in orgs:
            text = request.POST.get(f"points-{o.pk}", "")
            note = request.POST.get(f"note-{o.pk}", "").strip()[:200]
            values[o.pk] = (text, note)
            try:
                entries[o.pk] = (services.parse_points(text, ind.max_points, o.name), note)
            except ServiceError as exc:
                errors.append(str(exc))
        if not errors:
            n = services.save_manual_scores(ind, entries, actor=request.user)
            messages.success(request, f"已保存（{n} 处修改）。")
            return redirect("supervision:appraisal_manual", pk=pk, indicator=ind.pk)
    rows = []
    for o in orgs:
        s = existing.get(o.pk)
        scored = s is not None and s.points is not None
        text, note = values.get(o.pk, (f"{s.points}" if scored else "", s.note if scored else ""))
        rows.append({"org": o, "points": text, "note": note})
    return render(
        request,
        "supervision/appraisal/manual.html",
        {
            "appraisal": appraisal,
            "indicator": ind,
            "rows": rows,
            "errors": errors,
            "can_write": access.is_bureau(request.user),
            "page_title": f"{appraisal.title} · {ind.name}",
        },
    )


@access.requires(Perm.INSPECT)
def appraisal_adjustments(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = get_object_or_404(Appraisal, pk=pk)
    orgs_qs = (
        scope.visible_orgs(request.user)
        .filter(
            pk__in=[
                o.pk for o in sources.appraised_orgs(appraisal.year, sources.reference_day(appraisal.year))
            ]
        )
        .order_by("code")
    )
    if request.method == "POST":
        access.require(request.user, Perm.MANAGE_BUREAU, WRITE_REFUSED)
    form = AdjustmentForm(request.POST or None, orgs=orgs_qs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.add_adjustment(
                appraisal, d["organization"], d["kind"], d["points"], d["reason"], actor=request.user
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已录入。")
            return redirect("supervision:appraisal_adjustments", pk=pk)
    return render(
        request,
        "supervision/appraisal/adjustments.html",
        {
            "appraisal": appraisal,
            "adjustments": appraisal.adjustments.select_related("organization", "entered_by").order_by(
                "is_revoked", "organization__code", "id"
            ),
            "form": form,
            "can_write": access.is_bureau(request.user),
            "page_title": f"{appraisal.title} · 加减分及否决",
        },
    )


@require_POST
@access.requires(Perm.MANAGE_BUREAU)
def adjustment_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    adj = get_object_or_404(Adjustment, pk=pk)
    services.revoke_adjustment(adj, actor=request.user)
    messages.success(request, "已撤销。")
    return redirect("supervision:appraisal_adjustments", pk=adj.appraisal_id)


@require_POST
@access.requires(Perm.MANAGE_BUREAU)
def appraisal_publish(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = get_object_or_404(Appraisal, pk=pk)
    try:
        v = services.publish(appraisal, actor=request.user, note=request.POST.get("note", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("supervision:appraisal_detail", pk=pk)
    messages.success(request, f"已发布第 {v.number} 版结果；此后数据变化不影响该版本。")
    return redirect("supervision:appraisal_version", pk=pk, number=v.number)


def _version(request: HttpRequest, pk: int, number: int) -> AppraisalVersion:
    return get_object_or_404(
        AppraisalVersion.objects.select_related("appraisal"), appraisal_id=pk, number=number
    )


@access.requires(Perm.VIEW_STAFF)
def appraisal_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    v = _version(request, pk, number)
    view = services.ResultView(v.data)
    own = _own_org_ids(request.user)
    rows = view.rows(own)
    if own is not None and not rows:
        raise Http404
    others = AppraisalVersion.objects.filter(appraisal_id=pk).exclude(pk=v.pk).order_by("-number")
    return render(
        request,
        "supervision/appraisal/version.html",
        {
            "v": v,
            "appraisal": v.appraisal,
            "view": view,
            "rows": rows,
            "others": others.values("number", "published_at"),
            "inspector": own is None,
            "page_title": f"{v.data['title']} · 第{v.number}版",
        },
    )


@access.requires(Perm.VIEW_STAFF)
def appraisal_version_org(request: HttpRequest, pk: int, number: int, org_id: int) -> HttpResponse:
    v = _version(request, pk, number)
    own = _own_org_ids(request.user)
    if own is not None and org_id not in own:
        raise Http404
    return _breakdown(request, v.appraisal, services.ResultView(v.data), org_id, v)


@access.requires(Perm.INSPECT)
def appraisal_preview_org(request: HttpRequest, pk: int, org_id: int) -> HttpResponse:
    appraisal = get_object_or_404(Appraisal, pk=pk)
    return _breakdown(request, appraisal, services.ResultView(services.compute(appraisal)), org_id, None)


def _breakdown(request, appraisal, view: services.ResultView, org_id: int, v) -> HttpResponse:
    row = view.row(org_id)
    if row is None:
        raise Http404
    return render(
        request,
        "supervision/appraisal/org.html",
        {
            "appraisal": appraisal,
            "v": v,
            "view": view,
            "row": row,
            "breakdown": view.breakdown(row),
            "page_title": f"{row['name']} · {view.data['title']}",
        },
    )


@access.requires(Perm.INSPECT)
def appraisal_export(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    v = _version(request, pk, number)
    body = workbook_bytes(services.export_sheets(services.ResultView(v.data), f"第{v.number}版"))
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    filename = f"{v.data['year']}年终总评结果第{v.number}版.xlsx"
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
