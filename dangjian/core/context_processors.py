from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from .nav import REGISTRY, SECTIONS, allowed


def active_url(path: str, urls: list[str]) -> str | None:
    """The nav URL the current page belongs to: the longest one that is a prefix of the path (so /members/import/
    lights 导入花名册, not 党员名册 at /members/ as well). The home page "/" only matches itself."""
    matches = [url for url in urls if path == url or (url != "/" and path.startswith(url))]
    return max(matches, key=len, default=None)


def site(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_title": "党建工作管理平台"}
    role = getattr(user, "role", None)
    sections: dict[str, list[dict]] = {}
    for item in sorted(
        REGISTRY.nav, key=lambda i: (SECTIONS.index(i.section) if i.section in SECTIONS else 99, i.order)
    ):
        if not allowed(item.roles, role):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        sections.setdefault(item.section, []).append({"label": item.label, "url": url, "active": False})
    current = active_url(request.path, [entry["url"] for items in sections.values() for entry in items])
    for items in sections.values():
        for entry in items:
            entry["active"] = entry["url"] == current
    ctx = {"site_title": "党建工作管理平台", "nav_sections": sections}
    for fn in REGISTRY.header:
        ctx.update(fn(request) or {})
    return ctx
