"""Only one nav item is highlighted: the longest URL that prefixes the current path."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.core.context_processors import active_url


def test_longest_prefix_wins():
    urls = ["/", "/members/", "/members/import/", "/orgs/"]
    assert active_url("/members/import/", urls) == "/members/import/"
    assert active_url("/members/import/preview/", urls) == "/members/import/"
    assert active_url("/members/12/", urls) == "/members/"
    assert active_url("/orgs/", urls) == "/orgs/"


def test_home_only_matches_itself():
    urls = ["/", "/members/"]
    assert active_url("/", urls) == "/"
    assert active_url("/reports/", urls) is None
    assert active_url("/membership/", ["/members/"]) is None


def test_no_match_gives_none():
    assert active_url("/accounts/password/", ["/", "/members/"]) is None
    assert active_url("/x/", []) is None


@pytest.mark.django_db
def test_rendered_nav_has_exactly_one_active_item(cast, login):
    """On a page under a nested nav URL, the nested item alone is active (not its parent section page)."""
    client = login(cast["bureau"])
    response = client.get(reverse("site:home"))
    nav_urls = [e["url"] for items in response.context["nav_sections"].values() for e in items]
    nested = [u for u in nav_urls if any(u != o and o != "/" and u.startswith(o) for o in nav_urls)]
    assert nested, "演示导航中应至少有一个嵌套的菜单地址"
    for url in nested:
        response = client.get(url)
        if response.status_code != 200:
            continue
        active = [
            e["url"] for items in response.context["nav_sections"].values() for e in items if e["active"]
        ]
        assert active == [url], f"{url} 页面高亮了 {active}"
