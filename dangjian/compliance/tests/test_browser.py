"""At phone width (390×844): the matrix scrolls sideways with its first column held; 本月待办 fits the screen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),  # keep the seeded requirements
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed"),
]


@pytest.fixture
def phone(live_server, cast):
    from playwright.sync_api import sync_playwright

    def open_as(user):
        client = Client()
        client.force_login(user)
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
        ctx.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
        return ctx.new_page()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield open_as
        finally:
            browser.close()


def test_matrix_scrolls_with_a_sticky_first_column(live_server, cast, phone):
    page = phone(cast["bureau"])
    page.goto(f"{live_server.url}/compliance/?period=2025")
    page.screenshot(path="/tmp/matrix_phone.png", full_page=True)
    wrap = page.locator("#matrix-wrap")
    sizes = wrap.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] > sizes[1]  # wider than the screen: it scrolls
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the page itself does not
    first = page.locator("#matrix tbody tr.row-org th.org-col").first
    cell = page.locator("#matrix tbody tr.row-org td.cell").nth(3)
    x_first, x_cell = first.bounding_box()["x"], cell.bounding_box()["x"]
    wrap.evaluate("el => { el.scrollLeft = 400; }")
    page.wait_for_timeout(100)
    assert abs(first.bounding_box()["x"] - x_first) < 1  # held in place
    assert cell.bounding_box()["x"] < x_cell - 300  # the rest moved
    assert first.is_visible() and "测试" in first.inner_text()


def test_todo_fits_a_phone(live_server, cast, phone):
    page = phone(cast["admin_a"])
    page.goto(f"{live_server.url}/compliance/todo/")
    page.screenshot(path="/tmp/todo_phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    button = page.locator("a.todo-record").first
    assert button.is_visible()
    box = button.bounding_box()
    assert box["x"] + box["width"] <= 390 and box["height"] >= 28
    assert button.get_attribute("href").startswith(f"/activities/new/?org={cast['a'].pk}&kinds=")
