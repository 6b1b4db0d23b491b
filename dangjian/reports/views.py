"""报表统计: the yearly analysis report, its editable analysis rules, the dashboard, 台账 and statistics."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from dangjian.accounts import policy, scope
from dangjian.accounts.policy import Perm
from dangjian.core import audit
from dangjian.core.models import AuditAction
from dangjian.core.params import page_param, year_param
from dangjian.core.replica import reads_replica
from dangjian.core.xlsx import XLSX_CONTENT_TYPE
from dangjian.orgs.picker import top_options

from . import annual, services
from .models import ReportRule

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _root(request: HttpRequest):
    """Bureau and inspector: the whole system or a chosen organisation; an org admin: their subtree."""
    if not policy.can(request.user, Perm.VIEW_ALL):
        return scope.scope_root(request.user)
    org_id = request.GET.get("org")
    return scope.get_org_for_user(request.user, org_id) if org_id else None


def download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@policy.requires(Perm.VIEW_STAFF)
@reads_replica
def annual_report(request: HttpRequest) -> HttpResponse:
    year, root = year_param(request), _root(request)
    report = annual.build(year, root)
    if request.GET.get("download") == "docx":
        audit.record(
            AuditAction.EXPORT, actor=request.user, model="reports.annual", object_repr=f"{year}年度分析报告"
        )
        return download(
            report.to_document().to_bytes(), f"{report.subject}{year}年度党建工作情况分析报告.docx", DOCX
        )
    if request.GET.get("download") == "appendix":
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            model="reports.annual",
            object_repr=f"{year}年度分析报告附表",
        )
        return download(
            report.appendix_workbook(), f"{report.subject}{year}年度分析报告附表.xlsx", XLSX_CONTENT_TYPE
        )
    return render(
        request,
        "reports/annual.html",
        {
            "page_title": "年度分析报告",
            "report": report,
            "year": year,
            "root": root,
            "orgs": scope.visible_orgs(request.user).filter(depth__lte=2).order_by("path")
            if policy.can(request.user, Perm.VIEW_ALL)
            else [],
            "is_bureau": scope.is_bureau_admin(request.user),
        },
    )


class RuleForm(forms.ModelForm):
    class Meta:
        model = ReportRule
        fields = ["enabled", "threshold", "cause", "suggestion"]
        widgets = {
            "cause": forms.Textarea(attrs={"rows": 4}),
            "suggestion": forms.Textarea(attrs={"rows": 4}),
        }


@policy.requires(Perm.MANAGE_BUREAU)
def rules(request: HttpRequest) -> HttpResponse:
    items = list(ReportRule.objects.all())
    forms_ = [RuleForm(request.POST or None, instance=r, prefix=str(r.pk)) for r in items]
    if request.method == "POST":
        if all(f.is_valid() for f in forms_):
            services.update_rules(
                [(f.instance, f.cleaned_data) for f in forms_ if f.has_changed()], actor=request.user
            )
            messages.success(request, "分析规则已保存，下次生成报告时生效。")
            return redirect("reports:rules")
    return render(request, "reports/rules.html", {"forms": forms_, "page_title": "报告分析规则"})


@policy.requires(Perm.VIEW_STAFF)
@reads_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    from django.utils import timezone

    from . import dashboard as dash

    root = _root(request)
    charts = dash.build(root, timezone.localdate())
    can_choose = policy.can(request.user, Perm.VIEW_ALL)
    # the scope is chosen with the organisation picker: the top levels (capped) and a search for the rest
    options, more = top_options(request.user, root) if can_choose else ([], False)
    return render(
        request,
        "reports/dashboard.html",
        {
            "page_title": "驾驶舱",
            "charts": charts,
            "chart_data": [c.as_json() for c in charts],
            "root": root,
            "can_choose": can_choose,
            "options": options,
            "more": more,
        },
    )


@policy.requires(Perm.VIEW_STAFF)
@reads_replica
def drill(request: HttpRequest) -> HttpResponse:
    """The list behind a dashboard figure, inside the user's scope."""
    from django.core.paginator import Paginator

    from . import drill as drill_lists

    title, columns, qs = drill_lists.resolve(request.user, request.GET)
    page = Paginator(qs, 50).get_page(page_param(request))
    rows = []
    for obj in page.object_list:
        r = drill_lists.row(obj, request.GET.get("metric", ""))
        rows.append({"cells": list(zip(columns, r["cells"], strict=False)), "url": r["url"]})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/drill.html",
        {
            "page_title": title,
            "title": title,
            "columns": columns,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
        },
    )


EXPORT_JOB_ROWS = 5000  # records: a bigger 台账 workbook is made as a job


def ledger_job(user: Any, params: dict[str, Any]) -> tuple[str, bytes, str]:
    """The 台账 workbook as a job (jobs.services.run_export_job): the permission and the scope checked again
    for the job's owner as they are now, audited like the direct download."""
    from . import ledgers as ledger_exports

    policy.check(user, Perm.VIEW_STAFF)
    org = scope.get_org_for_user(user, params["org"])
    year = int(params["year"])
    data = ledger_exports.ledger_workbook(org, year)
    audit.record(
        AuditAction.EXPORT, actor=user, model="reports.ledger", object_repr=f"{year} ledger {org.name}"
    )
    return f"{org.name}{year}年台账.xlsx", data, XLSX_CONTENT_TYPE


@policy.requires(Perm.VIEW_STAFF)
@reads_replica
def ledgers(request: HttpRequest) -> HttpResponse:
    """台账 and statistics downloads for an organisation (or the whole system) and a year."""
    from . import ledgers as ledger_exports

    year = year_param(request)
    orgs = scope.visible_orgs(request.user).filter(dissolved_on__isnull=True).order_by("path")
    what = request.GET.get("download")
    if what:
        org = scope.get_org_for_user(request.user, request.GET.get("org")) if request.GET.get("org") else None
        if what in ("ledger", "handbook") and org is None:
            messages.error(request, "请先选择党组织。")
            return redirect(f"{request.path}?year={year}")
        if what == "ledger" and ledger_exports.ledger_size(org, year) > getattr(
            settings, "DANGJIAN_EXPORT_JOB_ROWS", EXPORT_JOB_ROWS
        ):
            # a big 台账 is made by the task worker (issue 20): the job page shows its progress, then the file
            from dangjian.jobs import services as jobs
            from dangjian.jobs.models import JobKind

            job = jobs.enqueue(
                request.user,
                JobKind.EXPORT,
                f"导出{org.name}{year}年台账",
                {"export": "dangjian.reports.views.ledger_job", "org": org.pk, "year": year},
            )
            return redirect("jobs:detail", pk=job.pk)
        if what == "statistics" and org is None and not policy.can(request.user, Perm.VIEW_ALL):
            org = scope.scope_root(request.user)
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            model="reports.ledger",
            object_repr=f"{year} {what} {org.name if org else '全局'}",
        )
        if what == "ledger":
            return download(
                ledger_exports.ledger_workbook(org, year), f"{org.name}{year}年台账.xlsx", XLSX_CONTENT_TYPE
            )
        if what == "handbook":
            return download(
                ledger_exports.handbook_document(org, year).to_bytes(),
                f"{org.name}{year}年工作手册.docx",
                DOCX,
            )
        if what == "statistics":
            name = org.name if org else "全系统"
            return download(
                ledger_exports.statistics_workbook(org, year),
                f"{name}{year}年党内统计.xlsx",
                XLSX_CONTENT_TYPE,
            )
    return render(
        request,
        "reports/ledgers.html",
        {
            "page_title": "台账与统计",
            "year": year,
            "orgs": orgs,
            "can_all": policy.can(request.user, Perm.VIEW_ALL),
        },
    )
