"""Issue 13 across roles, on phones (390×844): a branch admin asks to void an approved record; it keeps counting
until the bureau approves the request from its queue."""

from __future__ import annotations

from datetime import date

import pytest

from dangjian.activities import services
from dangjian.activities.models import Activity, ChangeRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_void_request_then_approval_on_phones(
    live_server, browser, phone_page, browser_login, horizontal_overflow, artifacts_dir
):
    from playwright.sync_api import expect

    from dangjian.conftest import PHONE, _new_page
    from dangjian.factories import cast as build_cast

    cast = build_cast()
    a = services.record_activity(
        organization=cast["a"],
        kinds=["theme_day"],
        date=date(2025, 3, 12),
        topic="三月主题党日",
        host="张书记",
        actor=cast["bureau"],  # entered by the bureau: approved at entry
    )
    assert a.status == "approved"

    # the branch admin asks to void it, with a reason
    browser_login(phone_page, "admin_a")
    phone_page.on("dialog", lambda d: d.accept())
    phone_page.goto(f"{live_server.url}/activities/{a.pk}/")
    phone_page.click("summary:has-text('申请作废此记录')")
    phone_page.fill("#id_void_reason", "与三月十一日的记录重复")
    phone_page.click("button:has-text('提交作废申请')")
    expect(phone_page.locator("body")).to_contain_text("已提交作废申请")
    expect(phone_page.locator("#change-box")).to_contain_text("与三月十一日的记录重复")
    assert horizontal_overflow(phone_page) == 0
    phone_page.screenshot(path=str(artifacts_dir / "void-request-phone.png"), full_page=True)
    assert not Activity.objects.get(pk=a.pk).is_deleted  # still counting

    # the bureau admin, on a phone too, approves it from the queue
    context, bureau = _new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        browser_login(bureau, "bureau")
        bureau.goto(f"{live_server.url}/activities/review/")
        row = bureau.locator("#change-table tbody tr").first
        expect(row).to_contain_text("三月主题党日")
        expect(row).to_contain_text("0 天")  # its age (已等待)
        assert horizontal_overflow(bureau) == 0
        row.locator("input[name=comment]").fill("同意作废")
        row.locator("button[value=approve]").click()
        expect(bureau.locator("body")).to_contain_text("已批准该申请")
        bureau.screenshot(path=str(artifacts_dir / "void-approved-phone.png"), full_page=True)
    finally:
        context.close()
    a.refresh_from_db()
    assert a.is_deleted and "同意作废" in a.void_reason
    assert ChangeRequest.objects.get(activity=a).state == "approved"
