"""责任清单: lists and their items, completion reports, 我的责任, completion rates, .docx and .xlsx."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts import scope
from dangjian.accounts.policy import Perm, can
from dangjian.core import measures
from dangjian.core.actions import Refusal, refusal_to_form
from dangjian.core.params import optional_year_param, year_param
from dangjian.core.xlsx import Sheet

from .. import services
from ..access import (
    business_required,
    get_duty,
    get_list,
    lists_for,
    read_all_required,
    writer_required,
)
from ..cadence import ONCE_KEY, STATE_TAGS, OccurrenceState
from ..documents import build_list_docx, requirement_text, responsible_text
from ..forms import DutyForm, DutyListForm, ReportForm
from ..models import Duty, DutyEvidence, DutyList, DutyListKind, ListStatus
from .common import DOCX_CONTENT_TYPE, download, paginate, pct, xlsx_download


def _with_tally(lists: list[DutyList], today) -> None:
    """Attach this year's completion to each list (two queries for the whole page)."""
    duties = list(services.live_duties().filter(duty_list__in=lists).order_by("duty_list_id", "seq"))
    progress = services.progress_for(duties, today)
    tallies: dict[int, services.responsibility.Tally] = defaultdict(services.responsibility.Tally)
    counts: dict[int, int] = defaultdict(int)
    for p in progress:
        counts[p.duty.duty_list_id] += 1
        t = tallies[p.duty.duty_list_id]
        for _o, _r, s in p.rows:
            t.add(s)
    for dl in lists:
        dl.tally = tallies[dl.pk]
        dl.item_count = counts[dl.pk]


@business_required
def list_index(request: HttpRequest) -> HttpResponse:
    qs = lists_for(request.user).select_related("organization")
    year = optional_year_param(request)
    if year is not None:
        qs = qs.filter(year=year)
    kind = request.GET.get("kind", "")
    if kind in DutyListKind.values:
        qs = qs.filter(kind=kind)
    page = paginate(request, qs.order_by("-year", "organization__path", "kind", "id"))
    lists = list(page)
    _with_tally(lists, timezone.localdate())
    years = sorted(set(lists_for(request.user).values_list("year", flat=True)), reverse=True)
    return render(
        request,
        "duties/list_index.html",
        {
            "page_title": "责任清单",
            "page": page,
            "lists": lists,
            "years": years,
            "year": "" if year is None else str(year),
            "kind": kind,
            "kinds": DutyListKind.choices,
            "can_create": scope.can_write(request.user),
        },
    )


def _list_form(request: HttpRequest, dl: DutyList | None) -> HttpResponse:
    orgs = scope.editable_orgs(request.user).filter(dissolved_on__isnull=True).order_by("path")
    form = DutyListForm(request.POST or None, instance=dl, orgs=orgs, actor=request.user)
    if dl is None and request.method != "POST":
        form.initial.update(
            {
                "year": timezone.localdate().year,
                "organization": scope.scope_root(request.user) or services.bureau_org(),
            }
        )
    if request.method == "POST" and form.is_valid():
        try:
            row = services.save_duty_list(
                dl,
                form.data_for_service(),
                request.user,
                units=form.cleaned_data["in_charge_units"],
                version=form.cleaned_data["version"],
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已保存“{row.title}”。")
            return redirect("duties:list_detail", pk=row.pk)
    title = "新建责任清单" if dl is None else f"修改：{dl.title}"
    return render(
        request, "duties/form.html", {"page_title": title, "form": form, "back": "duties:list_index"}
    )


@writer_required
def list_create(request: HttpRequest) -> HttpResponse:
    return _list_form(request, None)


@writer_required
def list_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _list_form(request, get_list(request.user, pk, write=True))


def _items(dl: DutyList) -> list[Duty]:
    return list(
        services.live_duties()
        .filter(duty_list=dl)
        .select_related("duty_list__holder_user")
        .order_by("seq", "id")
    )


@business_required
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dl = get_list(request.user, pk)
    today = timezone.localdate()
    items = _items(dl)
    progress = services.progress_for(items, today)
    total = services.responsibility.Tally()
    for p in progress:
        for _o, _r, s in p.rows:
            total.add(s)
    return render(
        request,
        "duties/list_detail.html",
        {
            "page_title": dl.title,
            "dl": dl,
            "progress": progress,
            "total": total,
            "tags": STATE_TAGS,
            "units": list(dl.in_charge_units.values_list("name", flat=True)),
            "can_edit": scope.org_in_scope(request.user, dl.organization, write=True),
            "retired": dl.items.filter(is_active=False).count(),
        },
    )


@business_required
def list_docx(request: HttpRequest, pk: int) -> HttpResponse:
    dl = get_list(request.user, pk)
    units = list(dl.in_charge_units.values_list("name", flat=True))
    data = build_list_docx(dl, _items(dl), units)
    services.notices.record_export(request.user, f"打印责任清单“{dl.title}”")
    return download(data, f"{dl.title}.docx", DOCX_CONTENT_TYPE)


@business_required
def list_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    dl = get_list(request.user, pk)
    progress = services.progress_for(_items(dl), timezone.localdate())
    rows = [
        [
            n,
            p.duty.category,
            p.duty.content,
            responsible_text(p.duty),
            p.duty.time_limit,
            requirement_text(p.duty),
            p.duty.get_cadence_display(),
            p.tally.due,
            p.tally.done,
            p.tally.on_time,
            p.tally.overdue,
            pct(p.tally.rate),
        ]
        for n, p in enumerate(progress, start=1)
    ]
    header = [
        "序号",
        "类别",
        "责任内容",
        "责任人",
        "完成时限",
        "工作要求",
        "周期",
        "应完成",
        "已完成",
        "按时完成",
        "逾期未完成",
        "完成率",
    ]
    sheet = Sheet(dl.title[:31], header, rows, widths=[6, 14, 50, 18, 14, 36, 10, 8, 8, 8, 10, 8])
    return xlsx_download(request, [sheet], f"{dl.title}.xlsx", f"责任清单“{dl.title}”")


def _item_form(request: HttpRequest, dl: DutyList, duty: Duty | None) -> HttpResponse:
    form = DutyForm(request.POST or None, instance=duty, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.save_duty(
                duty, dl, form.data_for_service(), request.user, version=form.cleaned_data["version"]
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已保存第 {row.seq} 项。")
            return redirect("duties:list_detail", pk=dl.pk)
    title = f"{dl.title}：{'新增事项' if duty is None else '修改事项'}"
    return render(
        request,
        "duties/form.html",
        {"page_title": title, "form": form, "back_url": reverse("duties:list_detail", args=[dl.pk])},
    )


@writer_required
def item_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_form(request, get_list(request.user, pk, write=True), None)


def _writable_duty(request: HttpRequest, pk: int) -> Duty:
    duty = get_duty(request.user, pk)
    if not scope.org_in_scope(request.user, duty.duty_list.organization, write=True):
        raise PermissionDenied("您没有修改该清单的权限")
    return duty


@writer_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    duty = _writable_duty(request, pk)
    return _item_form(request, duty.duty_list, duty)


@require_POST
@writer_required
def item_retire(request: HttpRequest, pk: int) -> HttpResponse:
    duty = _writable_duty(request, pk)
    services.retire_duty(duty, request.user)
    messages.success(request, f"已停用第 {duty.seq} 项（记录与已报告的完成情况保留）。")
    return redirect("duties:list_detail", pk=duty.duty_list_id)


@business_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    duty = get_duty(request.user, pk)
    progress = services.progress_for([duty], timezone.localdate())[0]
    files = defaultdict(list)
    report_ids = [r.pk for _o, r, _s in progress.rows if r]
    for f in DutyEvidence.objects.filter(report_id__in=report_ids, is_deleted=False):
        files[f.report_id].append(f)
    rows = [
        (o, r, s, files.get(r.pk, []) if r else [], progress.values.get(o.key)) for o, r, s in progress.rows
    ]
    return render(
        request,
        "duties/item_detail.html",
        {
            "page_title": f"责任事项：{duty.short_title}",
            "duty": duty,
            "rows": rows,
            "tally": progress.tally,
            "tags": STATE_TAGS,
            "can_report": services.can_report(request.user, duty) and duty.is_active and not duty.measure_key,
            "measure_label": measures.label(duty.measure_key) if duty.measure_key else "",
            "can_edit": scope.org_in_scope(request.user, duty.duty_list.organization, write=True),
        },
    )


def _period_choices(duty: Duty, today) -> tuple[list[tuple[str, str]], str | None]:
    progress = services.progress_for([duty], today)[0]
    choices, default = [], None
    for occ, report, state in progress.rows:
        if state is OccurrenceState.UPCOMING and occ.key != ONCE_KEY:
            continue
        mark = "（已报告，可补充）" if report else f"（{state.value}）"
        choices.append((occ.key, f"{occ.label}，应于 {occ.due_on:%Y-%m-%d} 前完成{mark}"))
        if default is None and report is None:
            default = occ.key
    return choices, default


@business_required
def item_report(request: HttpRequest, pk: int) -> HttpResponse:
    duty = get_duty(request.user, pk)
    if not services.can_report(request.user, duty):
        raise PermissionDenied("只有责任人或本组织管理员可以报告完成情况")
    if duty.measure_key:
        messages.info(
            request, f"该事项已设为自动取数（{measures.label(duty.measure_key)}），完成情况按平台数据计算。"
        )
        return redirect("duties:item_detail", pk=duty.pk)
    today = timezone.localdate()
    choices, default = _period_choices(duty, today)
    form = ReportForm(request.POST or None, request.FILES or None, periods=choices)
    if request.method != "POST":
        form.initial["period"] = request.GET.get("period") or default
    if request.method == "POST" and form.is_valid():
        try:
            services.report_duty(
                duty,
                form.cleaned_data["period"],
                form.cleaned_data["text"],
                request.user,
                files=form.cleaned_data["files"],
                version=form.cleaned_data["version"],
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "完成情况已报告。")
            return redirect("duties:item_detail", pk=duty.pk)
    if not choices:
        messages.info(request, "该事项目前没有可报告的期间。")
    return render(
        request,
        "duties/item_report.html",
        {"page_title": f"报告完成情况：{duty.short_title}", "duty": duty, "form": form},
    )


@business_required
def mine(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    personal = services.progress_for(
        list(services.duties_of_user(request.user).order_by("duty_list_id", "seq")), today
    )
    org_rows = []
    if can(request.user, Perm.VIEW_OWN_TODO):  # 本组织待办: the duties of the organisations one manages
        org_duties = (
            services.live_duties()
            .filter(
                duty_list__status=ListStatus.ISSUED,
                duty_list__year=today.year,
                duty_list__organization__in=scope.editable_orgs(request.user),
            )
            .exclude(pk__in=[p.duty.pk for p in personal])
        )
        org_rows = [
            p
            for p in services.progress_for(list(org_duties.order_by("duty_list_id", "seq")), today)
            if p.next_open
        ]
    due_now = [p for p in personal if p.next_open]
    return render(
        request,
        "duties/mine.html",
        {
            "page_title": "我的责任",
            "personal": personal,
            "due_now": due_now,
            "org_rows": org_rows,
            "today": today,
            "tags": STATE_TAGS,
        },
    )


@read_all_required
def rates(request: HttpRequest) -> HttpResponse:
    year = year_param(request)
    today = timezone.localdate()
    data = services.completion_rates(year, today)
    if request.GET.get("export") == "xlsx":

        def rows(kind):
            return [
                [
                    r.label,
                    r.sub,
                    r.items,
                    r.tally.due,
                    r.tally.done,
                    r.tally.on_time,
                    r.tally.overdue,
                    pct(r.tally.rate),
                    pct(r.tally.on_time_rate),
                ]
                for r in data[kind]
            ]

        tail = ["事项数", "应完成", "已完成", "按时完成", "逾期未完成", "完成率", "按时完成率"]
        sheets = [
            Sheet("按清单", ["清单", "责任主体", *tail], rows("lists")),
            Sheet("按责任人", ["责任人", "职务", *tail], rows("persons")),
            Sheet("按事项", ["事项", "所属清单", *tail], rows("items")),
        ]
        return xlsx_download(request, sheets, f"{year}年责任清单完成情况.xlsx", f"{year}年责任清单完成情况")
    total = services.responsibility.Tally()
    for r in data["lists"]:
        for f in ("due", "done", "on_time", "overdue", "open"):
            setattr(total, f, getattr(total, f) + getattr(r.tally, f))
    years = sorted(
        set(DutyList.objects.filter(is_deleted=False).values_list("year", flat=True)) | {today.year},
        reverse=True,
    )
    return render(
        request,
        "duties/rates.html",
        {"page_title": f"{year}年责任清单完成情况", "year": year, "years": years, "total": total, **data},
    )
