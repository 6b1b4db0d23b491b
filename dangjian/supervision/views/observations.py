"""半年观摩 pages: events, the rubric, each rater's score sheet, results and their export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.policy import Perm
from dangjian.core import audit
from dangjian.core.models import AuditAction
from dangjian.core.xlsx import XLSX_CONTENT_TYPE, workbook_bytes

from .. import access, scoring, services
from ..forms import ObservationForm
from ..models import Observation, ObservationRater, ObservationScore, ObservationTarget, RubricItem
from ..services.common import ServiceError
from ..services.observations import export_sheets, may_score_for

NEW_RUBRIC_ROWS = 3


@access.requires(Perm.VIEW_BUSINESS)
def observation_list(request: HttpRequest) -> HttpResponse:
    """The inspector side sees every event; anyone else the events they rate."""
    seats = ObservationRater.objects.filter(observation=OuterRef("pk"), user=request.user)
    qs = Observation.objects.annotate(
        n_orgs=Count("targets", distinct=True),
        n_raters=Count("raters", distinct=True),
        is_rater=Exists(seats),
    ).order_by("-year", "-half", "-held_on", "-id")
    if not access.is_inspector_side(request.user):
        qs = qs.filter(is_rater=True)
    return render(
        request,
        "supervision/observation_list.html",
        {
            "observations": qs,
            "can_manage": access.is_bureau(request.user),
            "can_read_results": access.is_inspector_side(request.user),
            "page_title": "半年观摩",
        },
    )


def _observation_input(form: ObservationForm) -> services.ObservationInput:
    d = form.cleaned_data
    return services.ObservationInput(
        title=d["title"],
        year=d["year"],
        half=d["half"],
        held_on=d["held_on"],
        place=d["place"],
        note=d["note"],
        org_ids=[o.pk for o in d["orgs"]],
        rater_ids=[u.pk for u in d["raters"]],
    )


@access.requires(Perm.MANAGE_BUREAU)
def observation_create(request: HttpRequest) -> HttpResponse:
    form = ObservationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            obs = services.create_observation(_observation_input(form), actor=request.user)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "观摩活动已创建，已套用默认评分表，可在“评分表”中修改。")
            return redirect("supervision:observation_detail", pk=obs.pk)
    return render(request, "supervision/observation_form.html", {"form": form, "page_title": "新建观摩活动"})


@access.requires(Perm.MANAGE_BUREAU)
def observation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obs = get_object_or_404(Observation, pk=pk)
    initial = {
        "title": obs.title,
        "year": obs.year,
        "half": obs.half,
        "held_on": obs.held_on,
        "place": obs.place,
        "note": obs.note,
        "orgs": list(obs.targets.values_list("organization_id", flat=True)),
        "raters": list(obs.raters.values_list("user_id", flat=True)),
    }
    form = ObservationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_observation(
                obs, _observation_input(form), version=request.POST.get("version"), actor=request.user
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "观摩活动已保存。")
            return redirect("supervision:observation_detail", pk=obs.pk)
    return render(
        request, "supervision/observation_form.html", {"form": form, "obs": obs, "page_title": "修改观摩活动"}
    )


@access.requires(Perm.INSPECT)
def observation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obs = get_object_or_404(Observation, pk=pk)
    res = services.results(obs)
    done = {
        r: n
        for r, n in ObservationScore.objects.filter(target__observation=obs, item__is_active=True)
        .values_list("rater_id")
        .annotate(n=Count("id"))
    }
    cells = len(res.rows) * len(res.items)
    raters = [{"seat": r, "done": done.get(r.pk, 0), "cells": cells} for r in res.raters]
    rows = [
        {
            "rank": row.rank,
            "org": row.organization,
            "totals": [
                {"rater": str(seat.user), "value": scoring.as_decimal(t)}
                for seat, t in zip(res.raters, row.totals, strict=True)
            ],
            "high": scoring.as_decimal(row.result.dropped_high),
            "low": scoring.as_decimal(row.result.dropped_low),
            "score": scoring.as_decimal(row.result.score),
            "counted": len(row.result.totals),
        }
        for row in res.rows
    ]
    return render(
        request,
        "supervision/observation_detail.html",
        {
            "obs": obs,
            "res": res,
            "rows": rows,
            "raters": raters,
            "can_manage": access.is_bureau(request.user),
            "page_title": obs.title,
        },
    )


@require_POST
@access.requires(Perm.MANAGE_BUREAU)
def observation_final(request: HttpRequest, pk: int) -> HttpResponse:
    """Finalise the scores (final=1), reopen them (final=0) or call the event off (cancel=1 with a reason)."""
    obs = get_object_or_404(Observation, pk=pk)
    version = request.POST.get("version")
    try:
        if request.POST.get("cancel") == "1":
            services.cancel_observation(
                obs, request.POST.get("reason", ""), version=version, actor=request.user
            )
            done = "观摩活动已取消（记录保留，不再计入年终总评）。"
        else:
            final = request.POST.get("final") == "1"
            services.set_final(obs, final, version=version, actor=request.user)
            done = "评分已定稿。" if final else "已撤销定稿，可以继续修改评分。"
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("supervision:observation_detail", pk=obs.pk)


@access.requires(Perm.MANAGE_BUREAU)
def observation_rubric(request: HttpRequest, pk: int) -> HttpResponse:
    obs = get_object_or_404(Observation, pk=pk)
    error = ""
    if request.method == "POST":
        rows = []
        for i in range(int(request.POST.get("rows") or 0)):
            raw_id = request.POST.get(f"id_{i}", "")
            name = request.POST.get(f"name_{i}", "")
            if not raw_id and not name.strip():
                continue  # an unused blank row
            rows.append(
                services.RubricRow(
                    item_id=int(raw_id) if raw_id.isdigit() else None,
                    name=name,
                    max_points=request.POST.get(f"max_{i}", ""),
                    guidance=request.POST.get(f"guidance_{i}", ""),
                    remove=request.POST.get(f"remove_{i}") == "1",
                )
            )
        try:
            services.save_rubric(obs, rows, version=request.POST.get("version"), actor=request.user)
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, "评分表已保存。")
            return redirect("supervision:observation_detail", pk=obs.pk)
    items = list(RubricItem.objects.filter(observation=obs, is_active=True).order_by("sort", "id"))
    blanks = [None] * NEW_RUBRIC_ROWS
    return render(
        request,
        "supervision/observation_rubric.html",
        {
            "obs": obs,
            "rows": [*items, *blanks],
            "n_rows": len(items) + NEW_RUBRIC_ROWS,
            "error": error,
            "page_title": "评分表",
        },
        status=400 if error else 200,
    )


@login_required
def observation_score(request: HttpRequest, pk: int) -> HttpResponse:
    """One rater's sheet. A rater opens their own; the bureau admin may open any (?rater=<seat id>)."""
    access.require(request.user, Perm.VIEW_BUSINESS)
    obs = get_object_or_404(Observation, pk=pk)
    seats = list(
        ObservationRater.objects.filter(observation=obs).select_related("user").order_by("sort", "id")
    )
    wanted = request.GET.get("rater") or request.POST.get("rater")
    mine = next((s for s in seats if s.user_id == request.user.pk), None)
    seat = next((s for s in seats if str(s.pk) == wanted), None) if wanted else mine
    if seat is None and access.is_bureau(request.user) and seats:
        seat = seats[0]
    if seat is None or not may_score_for(request.user, seat):
        raise PermissionDenied("您不是本次观摩的评委")
    targets = list(
        ObservationTarget.objects.filter(observation=obs)
        .select_related("organization")
        .order_by("sort", "id")
    )
    items = list(RubricItem.objects.filter(observation=obs, is_active=True).order_by("sort", "id"))
    error = ""
    posted: dict[tuple[int, int], str] = {}
    if request.method == "POST":
        posted = {(t.pk, i.pk): request.POST.get(f"s_{t.pk}_{i.pk}", "") for t in targets for i in items}
        try:
            changed = services.save_scores(obs, seat, posted, actor=request.user)
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, f"评分已保存（变动 {changed} 项）。")
            target_url = f"{request.path}?rater={seat.pk}" if seat != mine else request.path
            return redirect(target_url)
    saved = {
        (s.target_id, s.item_id): s.points
        for s in ObservationScore.objects.filter(rater=seat, target__observation=obs, item__is_active=True)
    }
    sheet = []
    for t in targets:
        cells = []
        for i in items:
            value = posted.get((t.pk, i.pk), saved.get((t.pk, i.pk), ""))
            cells.append({"item": i, "name": f"s_{t.pk}_{i.pk}", "value": value})
        total = sum((saved[(t.pk, i.pk)] for i in items if (t.pk, i.pk) in saved), start=0)
        complete = all((t.pk, i.pk) in saved for i in items)
        sheet.append({"target": t, "cells": cells, "total": total, "complete": complete})
    return render(
        request,
        "supervision/observation_score.html",
        {
            "obs": obs,
            "seat": seat,
            "seats": seats if access.is_bureau(request.user) else [],
            "sheet": sheet,
            "items": items,
            "locked": obs.is_final or obs.is_cancelled,
            "proxy": seat != mine,
            "error": error,
            "page_title": f"{obs.title} · 评分",
        },
        status=400 if error else 200,
    )


@access.requires(Perm.INSPECT)
def observation_export(request: HttpRequest, pk: int) -> HttpResponse:
    obs = get_object_or_404(Observation, pk=pk)
    data = workbook_bytes(export_sheets(services.results(obs)))
    audit.record(AuditAction.EXPORT, actor=request.user, instance=obs, note="导出观摩评分结果")
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{_quote(f'{obs.title}-评分结果-{stamp}.xlsx')}"
    )
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
