"""A branch admin's phone (390 × 844): the home panel's one-click 签收, and the duties pages without sideways
scrolling."""

import os
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from dangjian.factories import TEST_PASSWORD

from . import factories as f

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="需要 /usr/bin/chromium"),
]


@pytest.fixture
def phone():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 390, "height": 844})
        yield page
        browser.close()


def _login(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def test_branch_admin_acknowledges_from_home_and_pages_fit_a_phone(cast, live_server, phone):
    today = timezone.localdate()
    n = f.notice(
        cast["root"],
        actor=cast["bureau"],
        orgs=[cast["a"]],
        kind="monthly",
        month=today.month,
        deadline=date(today.year, 12, 31),
        title=f"关于做好{today.year}年{today.month}月份党建重点工作的通知",
    )
    dl = f.duty_list(cast["a"])
    f.duty(dl, responsible_user=cast["admin_a"], content="每月召开支部委员会会议")
    f.case(cast["a"], to="published", photos=[f.checked()])
    base = live_server.url
    _login(phone, base, "admin_a")
    panel = phone.locator("#panel-duties_notices")
    assert n.title in panel.inner_text()
    panel.get_by_role("button", name="签收").click()
    phone.wait_for_url(base + "/")
    assert "已签收" in phone.locator(".msg").inner_text() or "已签收" in panel.inner_text()
    assert f.target(n, cast["a"]).acknowledged_at is not None
    for url in [
        "/",
        "/duties/mine/",
        "/duties/notices/",
        f"/duties/notices/{n.pk}/",
        "/duties/lists/",
        f"/duties/lists/{dl.pk}/",
        "/duties/showcase/",
        "/duties/plans/",
        "/duties/rules/",
        "/duties/system/",
    ]:
        phone.goto(base + url)
        assert phone.title() and "出错" not in phone.title()
        wide = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 1, f"{url} 在手机上横向溢出 {wide}px"


def test_binding_an_item_to_a_measure_shows_automatic_status(cast, live_server, phone):
    """An admin binds the item "每月召开支部委员会会议" to the 支部委员会会议 达标 measure in its form at 390 px; the
    item then shows 自动取数 with its source and offers no manual report."""
    dl = f.duty_list(cast["a"])
    d = f.duty(dl, responsible_user=cast["admin_a"], content="每月召开支部委员会会议")
    base = live_server.url
    _login(phone, base, "admin_a")
    phone.goto(f"{base}/duties/items/{d.pk}/edit/")
    phone.select_option("select[name=measure_key]", "compliance:branch_committee")
    phone.get_by_role("button", name="保存").click()
    phone.wait_for_url(f"{base}/duties/lists/{dl.pk}/")
    phone.goto(f"{base}/duties/items/{d.pk}/")
    text = phone.locator("main").inner_text()
    assert "自动取数" in text and "支部委员会会议" in text
    assert phone.get_by_role("link", name="报告完成情况").count() == 0
    d.refresh_from_db()
    assert d.measure_key == "compliance:branch_committee"
    wide = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1
