from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from .nav import REGISTRY, SECTIONS, allowed


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
        sections.setdefault(item.section, []).append(
            {"label": item.label, "url": url, "active": request.path.startswith(url) and url != "/"}
        )
    ctx = {"site_title": "党建工作管理平台", "nav_sections": sections}
    for fn in REGISTRY.header:
        ctx.update(fn(request) or {})
    return ctx
