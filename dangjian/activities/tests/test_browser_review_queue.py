"""The review queue walked on a phone (issue 18): filter, expand a record in place, select, approve in bulk."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from dangjian.activities import services
from dangjian.activities.models import Activity, ActivityStatus

from .factories import activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_review_queue_at_390(cast, live_server, phone_page, browser_login, horizontal_overflow):
    records = []
    for i, org in enumerate([cast["a"], cast["a"], cast["b"]]):
        a = activity(org, ["theme_day"], topic=f"主题党日{i}", day=date(2025, 3, 1 + i))
        services.submit(a, actor=None)
        records.append(a)
    p = phone_page
    browser_login(p, "bureau")
    expect(p.locator("#pending-by-org")).to_contain_text("待审核 2")
    p.locator("#pending-by-org a").first.click()  # the home page's count leads to that organisation's queue
    expect(p.locator("#queue-count")).to_contain_text("共 2 条")
    p.select_option("#f-order", "newest")
    with p.expect_navigation():
        p.click("#queue-filters button[type=submit]")
    expect(p.locator("#queue-table tbody tr").first).to_contain_text("主题党日1")
    assert horizontal_overflow(p) == 0
    assert p.locator("#queue-table input[name=pk]").count() == 0  # nothing to select before it is shown
    for row in range(2):
        p.locator("#queue-table tbody tr").nth(row).get_by_role("button", name="展开核对").click()
        expect(p.locator("#queue-table tbody tr").nth(row).locator(".review-expand")).to_contain_text(
            "张书记"
        )
    assert horizontal_overflow(p) == 0
    p.locator("#queue-table input[name=pk]").nth(0).check()
    p.locator("#queue-table input[name=pk]").nth(1).check()
    with p.expect_navigation():
        p.click("#bulk-approve")
    expect(p.locator(".messages")).to_contain_text("已审核通过 2 条记录")
    statuses = {a.topic: Activity.objects.get(pk=a.pk).status for a in records}
    assert statuses == {
        "主题党日0": ActivityStatus.APPROVED,
        "主题党日1": ActivityStatus.APPROVED,
        "主题党日2": ActivityStatus.SUBMITTED,
    }
