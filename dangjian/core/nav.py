"""Registries that let each app add itself to the shared layout without editing it.

An app registers, in its AppConfig.ready(): navigation items, home-page panels, header badges and lines of
本月待办 (`register_todo`: the to-do page and panel list them under the organisation's own requirements).
Who sees a menu item is never declared here: it is the permission the linked view requires
(`view.required_permission`, set by accounts.policy.requires), so the menu and the 403 cannot disagree. A view
without one is open to every signed-in user. Panels name a permission of the same table. core knows no roles:
accounts installs the check (`set_permission_check`) in its AppConfig.ready.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

SECTIONS = [
    "首页",
    "组织",
    "党员",
    "党费",
    "组织生活",
    "督查考核",
    "责任落实",
    "学习教育",
    "报表统计",
    "系统管理",
]


@dataclass(frozen=True)
class NavItem:
    section: str
    label: str
    url_name: str
    order: int = 100
    # Optional, and only ever narrower than the view's own permission: where a page is open to a role but is no
    # useful entry point for it (a member's roster shows only their own record). Never widens.
    perm: str | None = None


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    context: Callable[[Any], dict[str, Any] | None]  # request -> context, or None to hide the panel
    perm: str | None = None  # a permission name of accounts.policy.TABLE; None: every signed-in user
    order: int = 100


@dataclass(frozen=True)
class TodoLine:
    """One line of 本月待办 that an app other than compliance contributes (党费 arrears …)."""

    title: str
    meta: str = ""
    url: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class TodoSource:
    key: str
    # (user, organisation, today) -> the lines for that organisation's subtree as the user may read it
    lines: Callable[[Any, Any, Any], list[TodoLine]]


@dataclass
class _Registry:
    nav: list[NavItem] = field(default_factory=list)
    panels: list[HomePanel] = field(default_factory=list)
    header: list[Callable[[Any], dict[str, Any]]] = field(default_factory=list)
    todos: list[TodoSource] = field(default_factory=list)


REGISTRY = _Registry()


def register_nav(*items: NavItem) -> None:
    for item in items:
        if item not in REGISTRY.nav:
            REGISTRY.nav.append(item)


def register_panel(panel: HomePanel) -> None:
    if all(p.key != panel.key for p in REGISTRY.panels):
        REGISTRY.panels.append(panel)


def register_todo(source: TodoSource) -> None:
    if all(t.key != source.key for t in REGISTRY.todos):
        REGISTRY.todos.append(source)


def todo_lines(user: Any, org: Any, today: Any) -> list[TodoLine]:
    """Every registered app's 本月待办 lines for `org` (an organisation the caller has checked the user reads)."""
    return [line for source in REGISTRY.todos for line in source.lines(user, org, today)]


def register_header(fn: Callable[[Any], dict[str, Any]]) -> None:
    if fn not in REGISTRY.header:
        REGISTRY.header.append(fn)


_permission_check: Callable[[Any, str], bool] = lambda user, perm: False  # noqa: E731 — denies until installed


def set_permission_check(check: Callable[[Any, str], bool]) -> None:
    global _permission_check
    _permission_check = check


def allowed(perm: str | None, user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return perm is None or _permission_check(user, str(perm))


@lru_cache(maxsize=256)
def required_permission(url: str) -> str | None:
    """The permission the view at `url` requires (None: any signed-in user). Menu URLs take no arguments,
    so they are few and fixed: cached."""
    from django.urls import resolve

    return getattr(resolve(url).func, "required_permission", None)


def visible_nav(user: Any) -> list[tuple[NavItem, str]]:
    """The menu items this user may open, with their URLs, in menu order."""
    from django.urls import NoReverseMatch, reverse

    items = []
    for item in sorted(
        REGISTRY.nav, key=lambda i: (SECTIONS.index(i.section) if i.section in SECTIONS else 99, i.order)
    ):
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        if allowed(required_permission(url), user) and allowed(item.perm, user):
            items.append((item, url))
    return items
