"""The browser import wizard every import shares: upload → preview (every row, errors highlighted, counts of
new / changed / unchanged / rejected) → confirm; and the template download.

An app's view calls `import_wizard(request, spec)` with an `ImportSpec` saying how to build its importer for
this user. The uploaded file is kept under MEDIA_ROOT/imports under a random name between preview and confirm,
and the confirm step validates again (the data may have changed in between).

The confirmed import runs as a job when a job starter is installed (`dangjian.jobs` installs one in its
AppConfig.ready: core knows no job runner): the confirm step answers with a redirect to the job's page, which
shows its progress; the worker rebuilds the spec from `ImportSpec.factory` (the dotted path of the view's spec
factory) for the job's owner. Without a starter the import runs in the request, as before."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import uploads as upload_policy
from .importing import ACTION_LABELS, REJECTED, Column, Importer, run_import, template_sheet
from .params import page_param
from .xlsx import XLSX_CONTENT_TYPE, WorkbookError, check_workbook, workbook_bytes

SESSION_KEY = "import_uploads"
PREVIEW_PAGE_SIZE = 200
# 等保 rate limit on imports: each upload is parsed in full, so one account cannot keep a worker busy with them.
UPLOAD_LIMIT = 10
UPLOAD_WINDOW_SECONDS = 600
# An upload waiting for its confirmation holds a roster (ID numbers, phones): it is deleted after a day, by
# `dangjian purge_uploads` (cron) and on the next visit of any import page.
UNCONFIRMED_MAX_AGE_SECONDS = 24 * 3600


def _upload_allowed(request: HttpRequest) -> bool:
    """Count this upload against the user's window (Django's cache); False past the limit."""
    limit = getattr(settings, "DANGJIAN_IMPORT_UPLOAD_LIMIT", UPLOAD_LIMIT)
    window = getattr(settings, "DANGJIAN_IMPORT_UPLOAD_WINDOW", UPLOAD_WINDOW_SECONDS)
    # pk and creation time: an account recreated under a reused id (a restored or test database) starts afresh
    joined = getattr(request.user, "date_joined", None)
    key = f"dangjian:import-uploads:{request.user.pk}:{joined.timestamp() if joined else ''}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


@dataclass(frozen=True)
class ImportSpec:
    key: str  # e.g. "roster": separates uploads of different wizards in the session
    title: str  # e.g. "导入党员名册"
    columns: tuple[Column, ...] | list[Column]
    make_importer: Callable[[HttpRequest], Importer]
    template_name: str  # download file name, e.g. "党员名册导入模板.xlsx"
    back_url: str  # where "返回" and "完成" go
    rules: tuple[str, ...] = ()  # extra lines of the instructions
    allow_skip_invalid: bool = True
    factory: str = ""  # dotted path of the spec factory (set by wizard_view): how a job rebuilds this spec


# (request, spec, token, skip_invalid, file name) -> the URL of the job page; installed by dangjian.jobs.
JobStarter = Callable[[HttpRequest, ImportSpec, str, bool, str], str]
_job_starter: list[JobStarter] = []


def set_job_starter(starter: JobStarter | None) -> None:
    """Install (or with None remove) what turns a confirmed import into a job."""
    _job_starter[:] = [starter] if starter is not None else []


def upload_path(token: str) -> Path | None:
    """The stored upload of a token, or None when it has expired (or the token is malformed)."""
    if not token or not token.isalnum():
        return None
    path = _upload_dir() / f"{token}.xlsx"
    return path if path.is_file() else None


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def purge_unconfirmed_uploads(max_age: int = UNCONFIRMED_MAX_AGE_SECONDS) -> int:
    """Delete the uploads kept for a preview longer than `max_age` seconds; returns how many were deleted."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    if not folder.is_dir():
        return 0
    cutoff = time.time() - max_age
    deleted = 0
    for path in folder.glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
        except FileNotFoundError:  # another process got there first
            continue
    return deleted


def _stored(request: HttpRequest, spec: ImportSpec, token: str) -> Path | None:
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry.get("key") != spec.key or not token.isalnum():
        return None
    path = _upload_dir() / f"{token}.xlsx"
    return path if path.is_file() else None


def template_response(spec: ImportSpec) -> HttpResponse:
    data = workbook_bytes([template_sheet(spec.columns)])
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(spec.template_name)}"
    return response


def import_wizard(request: HttpRequest, spec: ImportSpec) -> HttpResponse:
    purge_unconfirmed_uploads()
    if request.GET.get("template") == "1":
        return template_response(spec)
    ctx: dict[str, Any] = {
        "spec": spec,
        "page_title": spec.title,
        "max_mb": upload_policy.POLICIES["workbook"].max_bytes // (1024 * 1024),
    }
    if request.method != "POST":
        return render(request, "core/import_upload.html", ctx)
    step = request.POST.get("step", "upload")
    if step == "confirm":
        return _confirm(request, spec, ctx)
    upload = request.FILES.get("file")
    if upload is None:
        ctx["error"] = "请选择要导入的 Excel 文件（.xlsx）。"
        return render(request, "core/import_upload.html", ctx, status=400)
    if not _upload_allowed(request):
        minutes = getattr(settings, "DANGJIAN_IMPORT_UPLOAD_WINDOW", UPLOAD_WINDOW_SECONDS) // 60
        ctx["error"] = (
            f"上传过于频繁：每人 {minutes} 分钟内最多上传 "
            f"{getattr(settings, 'DANGJIAN_IMPORT_UPLOAD_LIMIT', UPLOAD_LIMIT)} 个导入文件，请稍后再试。"
        )
        return render(request, "core/import_upload.html", ctx, status=429)
    # The one upload policy's size limit; the structure is checked below by check_workbook, stricter than
    # the policy's own check for a workbook (it is what the readers rely on).
    too_big = upload_policy.POLICIES["workbook"].size_refusal(
        upload_policy.clean_name(upload.name or ""), upload.size or 0
    )
    if too_big:
        ctx["error"] = too_big
        return render(request, "core/import_upload.html", ctx, status=400)
    token = secrets.token_hex(16)
    path = _upload_dir() / f"{token}.xlsx"
    with path.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    now = time.time()
    os.utime(path, (now, now))  # the upload time the purge goes by (the application's clock)
    try:
        check_workbook(path)  # a hostile workbook is answered here, on the form, and never kept
    except WorkbookError as exc:
        path.unlink(missing_ok=True)
        ctx["error"] = str(exc)
        return render(request, "core/import_upload.html", ctx, status=400)
    uploads = request.session.get(SESSION_KEY, {})
    uploads[token] = {"key": spec.key, "name": (upload.name or "")[:100]}
    request.session[SESSION_KEY] = uploads
    return redirect(f"{request.path}?preview={token}")


def preview_or_upload(request: HttpRequest, spec: ImportSpec) -> HttpResponse:
    """GET handler: the preview of a stored upload when ?preview=<token>, else the upload form."""
    token = request.GET.get("preview", "")
    if not token:
        return import_wizard(request, spec)
    purge_unconfirmed_uploads()
    path = _stored(request, spec, token)
    ctx: dict[str, Any] = {"spec": spec, "page_title": spec.title}
    if path is None:
        messages.warning(request, "导入文件已过期或不存在，请重新上传。")
        return redirect(request.path)
    report = run_import(spec.make_importer(request), path, dry_run=True, keep_outcomes=True)
    page = Paginator(report.outcomes, PREVIEW_PAGE_SIZE).get_page(page_param(request))
    columns = [c.name for c in spec.columns]
    rows = []
    for o in page.object_list:
        rows.append(
            {
                "row": o.row,
                "cells": [o.values.get(c) for c in columns],
                "action": o.action,
                "action_label": ACTION_LABELS.get(o.action, o.action),
                "errors": o.errors,
                "changes": o.changes,
                "css": "row-error"
                if o.action == REJECTED
                else ("row-new" if o.action == "created" else "row-changed" if o.action == "updated" else ""),
            }
        )
    file_errors = [e for e in report.errors if e.row == 1 and not report.outcomes]
    ctx.update(
        {
            "report": report,
            "rows": rows,
            "page": page,
            "columns": columns,
            "token": token,
            "file_name": request.session.get(SESSION_KEY, {}).get(token, {}).get("name", ""),
            "file_errors": file_errors,
        }
    )
    return render(request, "core/import_preview.html", ctx)


def _confirm(request: HttpRequest, spec: ImportSpec, ctx: dict[str, Any]) -> HttpResponse:
    token = request.POST.get("token", "")
    path = _stored(request, spec, token)
    if path is None:
        messages.warning(request, "导入文件已过期或不存在，请重新上传。")
        return redirect(request.path)
    skip = spec.allow_skip_invalid and request.POST.get("skip_invalid") == "1"
    if _job_starter and spec.factory:
        name = request.session.get(SESSION_KEY, {}).get(token, {}).get("name", "")
        return redirect(_job_starter[0](request, spec, token, skip, name))
    report = run_import(spec.make_importer(request), path, skip_invalid=skip)
    if report.written:
        path.unlink(missing_ok=True)
        uploads = request.session.get(SESSION_KEY, {})
        uploads.pop(token, None)
        request.session[SESSION_KEY] = uploads
        messages.success(request, f"导入完成：{report.summary()}")
        return redirect(spec.back_url)
    messages.error(request, "文件中仍有错误，未导入任何数据。请修改后重新上传，或勾选“仅导入无误的行”。")
    return redirect(f"{request.path}?preview={token}")


def wizard_view(spec_factory: Callable[[HttpRequest], ImportSpec]) -> Callable[[HttpRequest], HttpResponse]:
    """Build a view from a spec factory; the caller wraps it with its own access checks."""

    factory = f"{spec_factory.__module__}.{spec_factory.__qualname__}"

    def view(request: HttpRequest) -> HttpResponse:
        spec = replace(spec_factory(request), factory=factory)
        if request.method == "GET":
            return preview_or_upload(request, spec)
        return import_wizard(request, spec)

    return view
