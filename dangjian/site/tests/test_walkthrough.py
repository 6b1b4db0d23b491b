"""A walk through the main page of every app, at phone width (390×844), as the bureau admin and as a branch admin:
each answers, nothing is wider than the screen and no page shows a server error."""

from __future__ import annotations

import os
from datetime import date

import pytest

from dangjian import factories as f

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ERROR_TEXTS = ("Traceback", "Error")


def _small_dataset() -> dict:
    cast = f.cast()
    f.term(cast["a"], elected_on=date(2024, 3, 1), secretary="赵书记")
    for i in range(3):
        f.member(cast["a"], f"走查党员{i}")
    return cast


def _app_main_pages(p) -> list[str]:
    """The first nav link of each app (its first path segment) the signed-in user is offered, plus the home page."""
    hrefs = p.eval_on_selector_all(".sidenav a[href]", "els => els.map(e => e.getAttribute('href'))")
    pages: dict[str, str] = {"": "/"}
    for href in hrefs:
        app = href.strip("/").split("/")[0]
        pages.setdefault(app, href)
    return list(pages.values())


def _walk(p, base: str) -> list[str]:
    problems = []
    urls = _app_main_pages(p)
    assert len(urls) >= 8, f"导航中的应用太少：{urls}"
    for url in urls:
        response = p.goto(base + url)
        status = response.status if response else None
        if status not in (200, 403):
            problems.append(f"{url} 返回 {status}")
            continue
        overflow = p.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"{url} 在 390 像素宽时横向溢出 {overflow} 像素")
        body = p.inner_text("body")
        for text in ERROR_TEXTS:
            if text in body:
                problems.append(f"{url} 页面含有 {text!r}")
    return problems


@pytest.mark.parametrize("who", ["bureau", "admin_a"])
def test_every_app_main_page_works_on_a_phone(who, phone_page, browser_login, live_server):
    cast = _small_dataset()
    browser_login(phone_page, cast[who].username)
    assert "/accounts/login/" not in phone_page.url, "登录失败"
    problems = _walk(phone_page, live_server.url)
    assert not problems, "\n".join(problems)
