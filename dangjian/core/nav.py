"""Registries that let each app add itself to the shared layout without editing it.

An app registers, in its AppConfig.ready(): navigation items, home-page panels and header badges.
`roles=None` means every signed-in business user; otherwise a set of role values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SECTIONS = ["首页", "组织", "党员", "组织生活", "督查考核", "责任落实", "学习教育", "报表统计", "系统管理"]


@dataclass(frozen=True)
class NavItem:
    section: str
    label: str
    url_name: str
    roles: frozenset[str] | None = None
    order: int = 100


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    context: Callable[[Any], dict[str, Any] | None]  # request -> context, or None to hide the panel
    roles: frozenset[str] | None = None
    order: int = 100


@dataclass
class _Registry:
    nav: list[NavItem] = field(default_factory=list)
    panels: list[HomePanel] = field(default_factory=list)
    header: list[Callable[[Any], dict[str, Any]]] = field(default_factory=list)


REGISTRY = _Registry()


def register_nav(*items: NavItem) -> None:
    for item in items:
        if item not in REGISTRY.nav:
            REGISTRY.nav.append(item)


def register_panel(panel: HomePanel) -> None:
    if all(p.key != panel.key for p in REGISTRY.panels):
        REGISTRY.panels.append(panel)


def register_header(fn: Callable[[Any], dict[str, Any]]) -> None:
    if fn not in REGISTRY.header:
        REGISTRY.header.append(fn)


def allowed(roles: frozenset[str] | None, role: str | None) -> bool:
    return role is not None and (roles is None or role in roles)
