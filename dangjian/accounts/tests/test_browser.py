"""The sign-in and account pages in headless Chromium, at phone width (390 × 844)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dangjian.factories import TEST_PASSWORD

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
        pg = context.new_page()
        pg.csp_errors = []
        pg.on(
            "console", lambda m: pg.csp_errors.append(m.text) if "Content Security Policy" in m.text else None
        )
        yield pg
        browser.close()


def fits(pg) -> bool:
    return pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def sign_in(pg, base: str, username: str) -> None:
    pg.goto(base + "/accounts/login/")
    pg.fill("#id_username", username)
    pg.fill("#id_password", TEST_PASSWORD)
    pg.click("button[type=submit]")


def test_phone_sign_in_and_account_pages(page, live_server, cast):
    base = live_server.url
    page.goto(base + "/accounts/login/")
    assert fits(page)
    page.fill("#id_username", "sysadmin")
    page.fill("#id_password", "Wrong#2026")
    page.click("button[type=submit]")
    assert "再失败 4 次" in page.inner_text(".errorlist")
    sign_in(page, base, "sysadmin")
    page.wait_for_url(base + "/")
    page.goto(base + "/accounts/users/")
    assert page.locator("table.stack tbody tr").count() >= 8
    assert fits(page)
    page.goto(base + f"/accounts/users/{cast['member'].pk}/")
    assert fits(page)
    page.once("dialog", lambda d: d.accept())
    page.click("text=重置密码")
    assert page.locator(".issued-password").inner_text().strip()
    assert fits(page)
    page.goto(base + "/accounts/otp/")
    assert page.locator(".otp-qr img").evaluate("img => img.naturalWidth > 0")
    assert fits(page)
    assert page.csp_errors == []


def test_phone_audit_log(page, live_server, cast):
    sign_in(page, live_server.url, "auditor")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/audit/")
    assert page.locator("table.stack tbody tr").count() >= 1
    assert fits(page)
    page.locator("table.stack tbody tr a").first.click()
    assert "审计日志 第" in page.inner_text("h1")
    assert fits(page)
