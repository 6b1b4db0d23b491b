"""In a real browser at phone width: log in through the form, import a roster through the wizard (upload →
preview → confirm) and find the new members in the list. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dangjian.factories import TEST_PASSWORD

from .factories import roster_row, write_roster

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed"),
]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        yield context.new_page()
        browser.close()


def test_roster_import_through_the_wizard_at_phone_width(live_server, page, tmp_path):
    from dangjian.factories import cast
    from dangjian.members.models import Member

    people = cast()
    ARTIFACTS.mkdir(exist_ok=True)
    roster = write_roster(
        tmp_path / "名册.xlsx",
        [
            roster_row("A", 姓名="周新民", 联系电话="0394-1234567"),
            roster_row(
                "测试第一党支部", 姓名="吴晓燕", male=False, 转正日期=None, 学历="大专", 人员类别="退休"
            ),
        ],
    )

    page.goto(f"{live_server.url}/accounts/login/?next=/members/import/")
    page.fill("#id_username", "admin_a")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/members/import/")
    assert page.locator("h1").inner_text() == "导入党员名册"

    page.set_input_files("#id_file", str(roster))
    page.click("text=上传并预览")
    page.wait_for_url("**/members/import/?preview=*")
    counts = page.locator("#import-counts").inner_text()
    assert "2\n新增" in counts and "0\n有错误" in counts
    assert page.locator("#import-preview").inner_text().count("新增") == 2
    page.screenshot(path=str(ARTIFACTS / "members-import-preview-390.png"), full_page=True)

    page.click("#confirm-import")
    page.wait_for_url("**/jobs/*/")  # the import runs as a job; its page shows the outcome
    assert "导入完成" in page.locator("#job-progress").inner_text()
    page.click("#job-result-page")
    page.wait_for_url(f"{live_server.url}/members/")
    table = page.locator("#member-table").inner_text()
    assert "周新民" in table and "吴晓燕" in table and "预备党员" in table
    # phone width: the page itself never scrolls sideways (tables stack into cards)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "members-list-390.png"), full_page=True)

    page.click("text=吴晓燕")
    page.wait_for_url("**/members/*/")
    detail = page.locator("main").inner_text()
    assert "入党" in detail and "大学专科" in detail and "离退休" in detail
    page.screenshot(path=str(ARTIFACTS / "members-detail-390.png"), full_page=True)

    assert Member.objects.filter(organization=people["a"]).count() == 5


def test_org_picker_searches_and_filters_at_phone_width(live_server, page):
    """The org filter lists only the top levels; typing a name swaps in the matches (htmx, orgs:picker) and
    the chosen branch filters the list — at phone width, with no inline script (CSP)."""
    from playwright.sync_api import expect

    from dangjian.factories import cast

    cast()
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{live_server.url}/accounts/login/?next=/members/")
    page.fill("#id_username", "bureau")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/members/")
    box = page.locator("#filter-box")
    if box.get_attribute("open") is None:  # folded on phones
        page.click("#filter-box > summary")
    assert "测试第二党支部" not in page.locator("#f-org").inner_text()

    page.fill("#f-org-q", "第二")
    expect(page.locator("#f-org option:checked")).to_have_text("测试第二党支部")
    page.screenshot(path=str(ARTIFACTS / "members-org-picker-390.png"), full_page=True)
    page.click("#member-filters button[type=submit]")
    page.wait_for_url("**/members/?*org=*")
    table = page.locator("#member-table").inner_text()
    assert "乙支部党员0" in table and "甲支部党员0" not in table
    # the choice stays in the select after the reload; the page never scrolls sideways
    assert page.locator("#f-org option:checked").inner_text().strip("\u3000") == "测试第二党支部"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
