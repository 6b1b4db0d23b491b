"""The layout in a real browser: log in through the form, the home page at desktop and phone width."""

from __future__ import annotations

import os

import pytest

from dangjian.factories import TEST_PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CJK_FONTS = ("Noto Sans CJK", "Noto Serif CJK", "Source Han", "WenQuanYi", "Droid Sans Fallback")


def _platform_fonts(p, selector: str) -> list[str]:
    """The fonts chromium actually used to draw the element's text (DevTools CSS.getPlatformFontsForNode)."""
    cdp = p.context.new_cdp_session(p)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return [f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]]


def test_login_through_the_form_then_home(cast, live_server, page, browser_login, artifacts_dir):
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "登录"
    page.fill("#id_username", "admin_a")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.locator(".errorlist").inner_text()
    browser_login(page, "admin_a", TEST_PASSWORD)
    assert page.url == f"{live_server.url}/"
    assert "您好" in page.locator("h1").inner_text()
    page.screenshot(path=artifacts_dir / "home-desktop.png")
    # Desktop: the side navigation stands open beside the content.
    assert page.locator("#sidenav").get_attribute("open") is not None
    assert any(font.startswith(CJK_FONTS) for font in _platform_fonts(page, "h1")), "页面中文未用中文字体渲染"


def test_phone_width_home_has_no_horizontal_overflow(
    cast, live_server, phone_page, browser_login, artifacts_dir, horizontal_overflow
):
    phone_page.goto(f"{live_server.url}/accounts/login/")
    assert horizontal_overflow(phone_page) == 0
    phone_page.screenshot(path=artifacts_dir / "login-390.png", full_page=True)
    browser_login(phone_page, "bureau", TEST_PASSWORD)
    assert phone_page.url == f"{live_server.url}/"
    phone_page.screenshot(path=artifacts_dir / "home-390.png", full_page=True)
    assert horizontal_overflow(phone_page) == 0
    # Phone: the side navigation collapses into its toggle and opens on a tap.
    nav = phone_page.locator("#sidenav")
    assert nav.get_attribute("open") is None
    phone_page.click("#sidenav > summary")
    assert nav.get_attribute("open") is not None
    assert horizontal_overflow(phone_page) == 0
    phone_page.screenshot(path=artifacts_dir / "home-390-menu.png", full_page=True)
    fonts = _platform_fonts(phone_page, "h1")
    assert any(font.startswith(CJK_FONTS) for font in fonts), f"页面中文未用中文字体渲染：{fonts}"
