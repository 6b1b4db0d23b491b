"""Installable and forgiving (issue 19 part 4): the web app manifest, the service worker and its offline page.

The worker is served from the site's root (/sw.js) so that its scope is the whole site. It keeps only what holds
no personal data: the static assets (stale-while-revalidate) and the offline page. Pages are always fetched from
the server (they are `no-store` for a signed-in user); when the network is gone, a page request answers the
offline page, which says that what was typed in a form is kept on this device (static/js/drafts.js) until the
server has saved it.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

APP_NAME = "党建工作管理平台"
SHORT_NAME = "党建工作"
THEME_COLOR = "#c8161d"  # --red of static/css/app.css
BACKGROUND_COLOR = "#f5f6f8"  # --bg
ICONS = (
    ("img/icon-192.png", "192x192", "any"),
    ("img/icon-512.png", "512x512", "any"),
    ("img/icon-maskable-512.png", "512x512", "maskable"),
)
# What the worker stores ahead: the layout's own assets (every page needs them) and the icons.
PRECACHE_STATIC = (
    "css/app.css",
    "js/app.js",
    "js/drafts.js",
    "vendor/htmx-2.0.11.min.js",
    "img/favicon.svg",
    *(path for path, _size, _purpose in ICONS),
)
CACHE_PREFIX = "dangjian-"
WORKER_REVISION = "1"  # bump when sw.js itself changes in a way the asset list does not show

MANIFEST_TYPE = "application/manifest+json"
WORKER_TYPE = "text/javascript; charset=utf-8"


def manifest_data() -> dict:
    return {
        "name": APP_NAME,
        "short_name": SHORT_NAME,
        "description": "商务局党建工作管理：组织生活、扫码签到、学习教育、督查考核",
        "lang": "zh-CN",
        "dir": "ltr",
        "id": "/",
        "start_url": reverse("site:home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static(path), "sizes": size, "type": "image/png", "purpose": purpose}
            for path, size, purpose in ICONS
        ],
    }


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    body = json.dumps(manifest_data(), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type=MANIFEST_TYPE)
    response["Cache-Control"] = "no-cache"
    return response


def worker_context() -> dict:
    offline = reverse("site:offline")
    precache = [static(p) for p in PRECACHE_STATIC] + [offline]
    digest = hashlib.sha256(json.dumps([WORKER_REVISION, precache]).encode()).hexdigest()[:12]
    return {
        "cache_name": f"{CACHE_PREFIX}{digest}",
        "cache_prefix": CACHE_PREFIX,
        "precache_json": json.dumps(precache),
        "offline_url_json": json.dumps(offline),
        "static_prefix_json": json.dumps(settings.STATIC_URL),
    }


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(render_to_string("site/sw.js", worker_context()), content_type=WORKER_TYPE)
    # Browsers look for a new worker at most a day apart anyway; no-cache makes a deployment take effect at once.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What a page request answers while the network is gone (stored by the worker; no personal data)."""
    response = HttpResponse(render_to_string("site/offline.html", {"site_title": APP_NAME}))
    response["Cache-Control"] = "no-cache"
    return response
