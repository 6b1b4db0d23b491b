"""Shared bits of the 督查考核 pages."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest
from django.utils.http import urlencode

from dangjian.core.params import page_param

CSS = "supervision/supervision.css"


def paginate(request: HttpRequest, items: Any, per_page: int = 50) -> tuple[Page, str]:
    """The requested page (out-of-range numbers give the last page) and the query string without `page`."""
    page = Paginator(items, per_page).get_page(page_param(request))
    rest = urlencode([(k, v) for k, vs in request.GET.lists() if k != "page" for v in vs])
    return page, rest


def file_response(stored: Any, *, content_type: str, name: str, inline: bool) -> FileResponse:
    """Stream a stored upload. The sandboxing CSP keeps a crafted file from running anything in our origin."""
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("文件不存在或已被移除")
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=name)
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
