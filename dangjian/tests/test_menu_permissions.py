"""The side menu and the views' `@requires` read one table (accounts.policy.TABLE): for every role, each menu
link is allowed by the table and answers 200; a role that lacks a page's permission never sees its link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.accounts import policy
from dangjian.accounts.roles import Role
from dangjian.core.nav import REGISTRY, required_permission, visible_nav
from dangjian.core.testing import CAST_USERS
from dangjian.factories import user

# Menu pages open to every signed-in user: their views require no business permission.
OPEN_TO_ALL = {"site:home", "notify:centre", "accounts:otp_setup"}


def _menu_urls(response) -> list[str]:
    return [entry["url"] for items in response.context["nav_sections"].values() for entry in items]


@pytest.mark.django_db
@pytest.mark.parametrize("who", CAST_USERS)
def test_every_menu_link_is_allowed_and_answers_200(cast, login, who):
    u = cast[who]
    client = login(u)
    shown = _menu_urls(client.get("/"))
    assert shown, f"{who} 的菜单为空"
    items = visible_nav(u)
    assert shown == [url for _, url in items]
    for item, url in items:
        # The view's own permission, and the item's narrower one where it names one (core's audit pages ask
        # `core.view_auditentry`, which the table maps to READ_AUDIT).
        perms = [p for p in (required_permission(url), item.perm) if p is not None]
        assert perms or item.url_name in OPEN_TO_ALL, f"{url} 的视图没有声明权限"
        for perm in perms:
            assert policy.can(u, policy.Perm(perm)), f"{who} 的菜单出现了权限表不允许的 {url}"
        # 我的党员信息 redirects to the member's own page: follow it.
        assert client.get(url, follow=True).status_code == 200, f"{who} 打开菜单项 {url} 未得到 200"


@pytest.mark.django_db
@pytest.mark.parametrize("who", CAST_USERS)
def test_no_link_is_hidden_from_a_role_that_may_open_it_unless_narrowed(cast, who):
    """Each registered item is shown exactly when the table allows its view (and its optional narrower perm)."""
    u = cast[who]
    shown = {item.url_name for item, _ in visible_nav(u)}
    for item in REGISTRY.nav:
        perm = required_permission(reverse(item.url_name))
        expected = (perm is None or policy.can(u, policy.Perm(perm))) and (
            item.perm is None or policy.can(u, policy.Perm(item.perm))
        )
        assert (item.url_name in shown) == expected, f"{who}：{item.url_name}"


@pytest.mark.django_db
def test_menu_items_a_role_lacks_answer_403(cast, login):
    """The other direction: where the table refuses the page, the menu hides it and the page answers 403."""
    for who in CAST_USERS:
        u = cast[who]
        client = login(u)
        shown = {url for _, url in visible_nav(u)}
        for item in REGISTRY.nav:
            url = reverse(item.url_name)
            perm = required_permission(url)
            if perm is not None and not policy.can(u, policy.Perm(perm)):
                assert url not in shown
                assert client.get(url).status_code == 403, f"{who}：{url}"


@pytest.mark.django_db
def test_no_role_and_suspended_role_see_no_business_pages(cast, login):
    """Role `none` (waiting for a role, or suspended after a reset) holds nothing in the table."""
    waiting = user("waiting", Role.NONE)
    client = login(waiting)
    assert policy.perms_of(waiting) == frozenset()
    labels = [url for _, url in visible_nav(waiting)]
    assert set(labels) == {reverse(n) for n in OPEN_TO_ALL}
    assert client.get(reverse("orgs:tree")).status_code == 403
    assert client.get(reverse("members:list")).status_code == 403


def test_table_grants_are_its_inverse():
    for perm, roles in policy.TABLE.items():
        for role in Role.values:
            assert (perm in policy.GRANTS[role]) == (role in roles)
    assert policy.GRANTS[Role.NONE] == frozenset()
    # The inspector reads 年终总评 but writes nothing there (issue 14): no write permission at all.
    assert not {policy.Perm.CHANGE_BUSINESS, policy.Perm.MANAGE_BUREAU} & policy.GRANTS[Role.INSPECTOR]
