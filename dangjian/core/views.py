"""The audit log pages, for the audit administrator only.

core knows no roles: access is asked of `user.has_perm("core.view_auditentry")`, which accounts.policy answers
(三员分立: only the audit administrator reads the log). The log is read-only here as everywhere.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from . import audit
from .forms import AuditFilterForm, object_type_label
from .models import AuditEntry
from .params import page_param

PAGE_SIZE = 50
AUDIT_PERM = "core.view_auditentry"


def _require_auditor(request: HttpRequest) -> None:
    if not request.user.has_perm(AUDIT_PERM):
        raise PermissionDenied("只有审计管理员可以查阅审计日志")


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_entries(qs: QuerySet[AuditEntry], data: dict[str, Any]) -> QuerySet[AuditEntry]:
    if data.get("start"):
        qs = qs.filter(at__gte=_day_start(data["start"]))
    if data.get("end"):
        qs = qs.filter(at__lt=_day_start(data["end"] + timedelta(days=1)))
    if data.get("actor"):
        actor = data["actor"].strip()
        qs = qs.filter(Q(actor_name__icontains=actor) | Q(actor__username__iexact=actor))
    if data.get("action"):
        action = data["action"]
        # `*.verb`: that generic verb on every kind of object (all `<model>.create` …)
        qs = qs.filter(action__endswith=action[1:]) if action.startswith("*.") else qs.filter(action=action)
    if data.get("model"):
        qs = qs.filter(model=data["model"])
    if data.get("ip"):
        qs = qs.filter(ip=data["ip"])
    if data.get("q"):
        q = data["q"].strip()
        qs = qs.filter(Q(object_id=q) | Q(object_repr__icontains=q) | Q(note__icontains=q))
    return qs


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    form = AuditFilterForm(request.GET or None)
    qs: QuerySet[AuditEntry] = AuditEntry.objects.order_by("-id")
    if form.is_valid():
        qs = filter_entries(qs, form.cleaned_data)
    elif form.is_bound:
        qs = qs.none()
    page = Paginator(qs, PAGE_SIZE).get_page(page_param(request))
    rows = [(e, object_type_label(e.model)) for e in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"page_title": "审计日志", "form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


def _field_label(model_label: str, name: str) -> str:
    try:
        model = apps.get_model(model_label)
        return str(model._meta.get_field(name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return name


def change_rows(entry: AuditEntry) -> list[dict[str, Any]]:
    """The changed fields as rows: label, before, after. Changes are {field: [before, after]}; entries that
    record a single value (e.g. the username tried at a failed login) show it as the value after."""
    rows = []
    for name, value in (entry.changes or {}).items():
        if isinstance(value, list) and len(value) == 2:
            before, after = value
        else:
            before, after = None, value
        rows.append(
            {"name": name, "label": _field_label(entry.model, name), "before": before, "after": after}
        )
    return rows


@login_required
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_auditor(request)
    entry = get_object_or_404(AuditEntry, pk=pk)
    previous = AuditEntry.objects.filter(id__lt=entry.id).order_by("-id").only("id", "hash").first()
    return render(
        request,
        "core/audit_detail.html",
        {
            "page_title": f"审计日志 第 {entry.id} 条",
            "entry": entry,
            "object_type": object_type_label(entry.model),
            "rows": change_rows(entry),
            "hash_ok": audit.entry_hash_ok(entry, audit.genesis_id()),
            "link_ok": (previous.hash == entry.prev_hash) if previous else entry.prev_hash == "",
            "previous": previous,
            "same_object": bool(entry.model and entry.object_id),
        },
    )


@login_required
def audit_verify(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    result = audit.verify()
    return render(
        request,
        "core/audit_verify.html",
        {
            "page_title": "校验审计日志",
            "problem": result.problem,
            "result": result,
            "entries": result.entries,
            "checked_at": timezone.now(),
        },
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a malformed query (core.params) gets a page that says which parameter was wrong."""
    message = str(exception) if exception is not None and str(exception) else "请求参数有误"
    return render(request, "400.html", {"page_title": "请求有误", "message": message}, status=400)
