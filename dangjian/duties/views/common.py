"""Small helpers the duties pages share."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme

from dangjian.core import audit
from dangjian.core.params import page_param
from dangjian.core.xlsx import XLSX_CONTENT_TYPE, Sheet, workbook_bytes

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PAGE_SIZE = 50


def version_param(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def safe_next(request: HttpRequest, fallback: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, require_https=request.is_secure()):
        return nxt
    return fallback


def paginate(request: HttpRequest, items: Any, size: int = PAGE_SIZE):
    return Paginator(items, size).get_page(page_param(request))


def download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_download(request: HttpRequest, sheets: list[Sheet], filename: str, what: str) -> HttpResponse:
    audit.record(audit.AuditAction.EXPORT, actor=request.user, note=f"导出{what}")
    return download(workbook_bytes(sheets), filename, XLSX_CONTENT_TYPE)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"
