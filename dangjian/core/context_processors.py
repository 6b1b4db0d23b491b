from __future__ import annotations

from . import drafts
from .nav import REGISTRY, visible_nav


def active_url(path: str, urls: list[str]) -> str | None:
    """The nav URL the current page belongs to: the longest one that is a prefix of the path (so /members/import/
    lights 导入花名册, not 党员名册 at /members/ as well). The home page "/" only matches itself."""
    matches = [url for url in urls if path == url or (url != "/" and path.startswith(url))]
    return max(matches, key=len, default=None)


def site(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_title": "党建工作管理平台"}
    sections: dict[str, list[dict]] = {}
    for item, url in visible_nav(user):
        sections.setdefault(item.section, []).append({"label": item.label, "url": url, "active": False})
    current = active_url(request.path, [entry["url"] for items in sections.values() for entry in items])
    for items in sections.values():
        for entry in items:
            entry["active"] = entry["url"] == current
    ctx = {"site_title": "党建工作管理平台", "nav_sections": sections, "drafts_saved": drafts.take(request)}
    for fn in REGISTRY.header:
        ctx.update(fn(request) or {})
    return ctx
