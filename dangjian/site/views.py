"""The home page: each app contributes panels for the roles it serves (core.nav.register_panel)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangjian.core.nav import REGISTRY, allowed


@login_required
def home(request: HttpRequest) -> HttpResponse:
    panels = []
    for panel in sorted(REGISTRY.panels, key=lambda p: p.order):
        if not allowed(panel.perm, request.user):
            continue
        ctx = panel.context(request)
        if ctx is not None:
            panels.append({"template": panel.template, "ctx": ctx, "key": panel.key})
    return render(request, "site/home.html", {"panels": panels, "page_title": "首页"})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
