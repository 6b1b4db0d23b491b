"""A returned record is corrected and sent back in one step (issue 18 item 9): its edit form offers
"保存并提交审核", which saves the correction and submits it for review — at 390 px, with the form's own values."""

from __future__ import annotations

from datetime import date

import pytest

from dangjian.activities import services
from dangjian.activities.models import Activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_returned_record_saved_and_resubmitted(
    cast, live_server, phone_page, browser_login, horizontal_overflow
):
    from playwright.sync_api import expect

    a = services.record_activity(
        organization=cast["a"],
        kinds=["theme_day"],
        date=date(2026, 11, 12),
        topic="十一月主题党日",
        host="张书记",
        actor=cast["admin_a"],
        submit=True,
    )
    services.return_for_correction(a, actor=cast["bureau"], comment="请补充会议记录")
    assert Activity.objects.get(pk=a.pk).status == "returned"
    p = phone_page
    browser_login(p, "admin_a")
    p.goto(f"{live_server.url}/activities/{a.pk}/edit/")
    button = p.locator("#save-submit")
    expect(button).to_have_text("保存并提交审核")
    p.fill("#id_minutes", "补充的会议记录：学习了全会精神，并结合实际开展讨论。")
    assert horizontal_overflow(p) == 0
    with p.expect_navigation():
        button.click()
    expect(p.locator("body")).to_contain_text("已保存修改并提交上级审核")
    a = Activity.objects.get(pk=a.pk)
    assert a.status == "submitted" and "补充的会议记录" in a.minutes
