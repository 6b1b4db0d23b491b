"""The organisation pages in a real browser at phone width (390×844): nothing wider than the screen, the
tree expands and collapses."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from dangjian import factories as f

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed"),
]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 390, "height": 844})
        yield context.new_page()
        browser.close()


def _login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.TEST_PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_org_pages_fit_a_phone(cast, live_server, page):
    t = f.term(cast["a"], elected_on=date(2023, 9, 1), secretary="赵书记")
    t.posts.create(title="organization", person_name="钱委员")
    _login(page, live_server, "bureau")
    a = cast["a"].pk
    for url in (
        "/orgs/",
        f"/orgs/{a}/",
        "/orgs/terms/",
        f"/orgs/{a}/term/",
        f"/orgs/{a}/renewal/",
        "/orgs/units/",
        f"/orgs/units/{cast['a'].units.first().pk}/kind/",
    ):
        page.goto(live_server.url + url)
        assert page.locator("h1").first.is_visible(), url
        assert _fits(page), f"{url} 在 390px 宽度下出现横向滚动"


def test_tree_expands_and_collapses(cast, live_server, page):
    _login(page, live_server, "bureau")
    page.goto(live_server.url + "/orgs/")
    branch = page.get_by_role("link", name="测试第一党支部")
    assert branch.is_visible()
    page.locator("#org-tree details > summary").first.click(position={"x": 2, "y": 5})  # collapse the root
    assert not branch.is_visible()
    page.locator("#org-tree details > summary").first.click(position={"x": 2, "y": 5})
    assert branch.is_visible()


def test_superior_reminds_and_sends_a_letter_from_the_overview(cast, live_server, page):
    """换届管理 at 390 px: the bureau 提醒 an overdue branch (the admin's bell shows it) and downloads the 提醒函."""
    from dangjian.notify.models import Notification

    f.term(cast["a"], elected_on=date(2023, 1, 1))  # long expired
    _login(page, live_server, "bureau")
    page.goto(f"{live_server.url}/orgs/terms/")
    row = page.locator(f"#org-{cast['a'].pk}")
    row.get_by_role("button", name="提醒").click()
    page.wait_for_load_state()
    assert "已向" in page.locator(".msg").first.inner_text()
    assert Notification.objects.filter(recipient=cast["admin_a"], title__contains="换届提醒").count() == 1
    with page.expect_download() as dl:
        page.locator(f"#org-{cast['a'].pk}").get_by_role("link", name="发函").click()
    assert dl.value.suggested_filename.endswith(".docx")
    assert "提醒函" in dl.value.suggested_filename
    assert _fits(page)
