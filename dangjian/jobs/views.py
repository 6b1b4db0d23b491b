"""我的后台任务: the list of one's own jobs, a job's page with its progress (htmx polls the fragment), the
result's download, and the forms that start a report, 月提醒 or a warm-up as a job. Another user's job answers
404, like an object outside one's scope."""

from __future__ import annotations

from typing import cast
from urllib.parse import quote

from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts import scope
from dangjian.accounts.policy import Perm, can, requires
from dangjian.core.import_views import ImportSpec
from dangjian.core.params import MAX_YEAR, MIN_YEAR, page_param
from dangjian.core.periods import Period, PeriodKind

from . import services
from .models import Job, JobKind


def get_job_for_user(user, pk: int) -> Job:
    """The user's own job, or 404: nobody sees another's jobs (their files hold others' data)."""
    job = services.for_user(user).select_related("result_file").filter(pk=pk).first()
    if job is None:
        raise Http404("没有找到该任务")
    return services.live(job)


def start_import(request: HttpRequest, spec: ImportSpec, token: str, skip_invalid: bool, name: str) -> str:
    """The job starter core.import_views calls on a confirmed import: enqueue, answer the job page's URL."""
    job = services.enqueue(
        request.user,
        JobKind.IMPORT,
        f"{spec.title}：{name}" if name else spec.title,
        {
            "factory": spec.factory,
            "token": token,
            "skip_invalid": skip_invalid,
            "file_name": name,
            "retry_url": f"{request.path}?preview={token}",
        },
    )
    return reverse("jobs:detail", args=[job.pk])


@requires(Perm.VIEW_JOBS)
def job_list(request: HttpRequest) -> HttpResponse:
    services.reclaim_stale()  # a job whose worker died is queued again rather than shown running forever
    page = Paginator(services.for_user(request.user).select_related("result_file"), 30).get_page(
        page_param(request)
    )
    for job in page.object_list:
        services.live(job)
    return render(
        request,
        "jobs/list.html",
        {
            "page_title": "我的后台任务",
            "page": page,
            "this_year": timezone.localdate().year - 1,
            # 月提醒 is pushed at the start of a month, for that month
            "this_month": f"{timezone.localdate():%Y-%m}",
            "can_report": can(request.user, Perm.VIEW_STAFF),
            "can_manage": can(request.user, Perm.MANAGE_BUREAU),
        },
    )


@requires(Perm.VIEW_JOBS)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    services.reclaim_stale()
    job = get_job_for_user(request.user, pk)
    return render(request, "jobs/detail.html", {"page_title": job.title, "job": job})


@requires(Perm.VIEW_JOBS)
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the job page polls (htmx) until the job has finished."""
    services.reclaim_stale()
    job = get_job_for_user(request.user, pk)
    return render(request, "jobs/_progress.html", {"job": job})


@requires(Perm.VIEW_JOBS)
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    stored = job.result_file
    if stored is None or stored.is_deleted:
        raise Http404("该任务没有可下载的结果文件")
    response = FileResponse(stored.file.open("rb"), content_type=stored.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stored.original_name)}"
    return cast(HttpResponse, response)  # streamed; the decorators' type knows only HttpResponse


@requires(Perm.VIEW_STAFF)
@require_POST
def start_report(request: HttpRequest) -> HttpResponse:
    year = _post_year(request)
    org = request.POST.get("org") or None
    if org:
        scope.get_org_for_user(request.user, org)  # 404 outside the scope, before anything is queued
    job = services.enqueue(
        request.user, JobKind.REPORT, f"{year}年度党建工作情况分析报告", {"year": year, "org": org}
    )
    return redirect("jobs:detail", pk=job.pk)


def _post_year(request: HttpRequest) -> int:
    raw = request.POST.get("year", "").strip()
    if not raw.isdigit() or not MIN_YEAR <= int(raw) <= MAX_YEAR:
        raise BadRequest(f"年份应为 {MIN_YEAR}—{MAX_YEAR} 之间的四位数字")
    return int(raw)


@requires(Perm.MANAGE_BUREAU)
@require_POST
def start_remind(request: HttpRequest) -> HttpResponse:
    try:
        month = Period.parse(request.POST.get("month", ""))
    except ValueError:
        month = None
    if month is None or month.kind != PeriodKind.MONTH:
        raise BadRequest("月份应写作 YYYY-MM，如 2026-12")
    job = services.enqueue(request.user, JobKind.REMIND, f"{month.label}提醒", {"month": str(month)})
    return redirect("jobs:detail", pk=job.pk)


@requires(Perm.MANAGE_BUREAU)
@require_POST
def start_warm(request: HttpRequest) -> HttpResponse:
    job = services.enqueue(request.user, JobKind.WARM, "缓存预热（驾驶舱）")
    return redirect("jobs:detail", pk=job.pk)
