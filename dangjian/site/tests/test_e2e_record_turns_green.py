"""Issue 3's end-to-end promise: a branch records its 主题党日 on a phone, and the bureau's matrix turns green —
once the record is approved (issue 13: until then the cell is 待审核)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dangjian.core.periods import Period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_recording_on_a_phone_turns_the_matrix_cell_green(
    live_server, phone_page, page, browser_login, artifacts_dir
):
    from playwright.sync_api import expect

    from dangjian.factories import cast as build_cast

    cast = build_cast()
    a = cast["a"]
    month = Period.month(timezone.localdate().year, timezone.localdate().month)
    cell = f"a[href*='/compliance/org/{a.pk}/theme_day/{month}']"

    # The bureau admin sees the month's 主题党日 for branch A not yet done.
    browser_login(page, "bureau")
    page.goto(f"{live_server.url}/compliance/?period={month}")
    expect(page.locator(cell)).to_have_class("status-进行中")

    # The branch admin records it on a phone, in one short form.
    browser_login(phone_page, "admin_a")
    phone_page.goto(f"{live_server.url}/activities/new/?org={a.pk}&kinds=theme_day")
    expect(phone_page.locator("input[value=theme_day]")).to_be_checked()
    phone_page.fill("#id_topic", "主题党日：重温入党誓词")
    phone_page.click("#save-submit")
    phone_page.wait_for_url(f"{live_server.url}/activities/*/")
    phone_page.screenshot(path=str(artifacts_dir / "e2e-recorded-phone.png"), full_page=True)

    # Submitted, not yet approved: 待审核 (only approved records count).
    page.goto(f"{live_server.url}/compliance/?period={month}")
    expect(page.locator(cell)).to_have_class("status-待审核")
    # The bureau approves it from its queue, after expanding it; the matrix cell is now green (达标).
    page.goto(f"{live_server.url}/activities/review/")
    page.locator("#queue-table button", has_text="展开核对").first.click()
    page.locator("#queue-table input[name=pk]").first.check()
    page.click("#bulk-approve")
    page.wait_for_url(f"{live_server.url}/activities/review/*")
    page.goto(f"{live_server.url}/compliance/?period={month}")
    expect(page.locator(cell)).to_have_class("status-达标")
    page.screenshot(path=str(artifacts_dir / "e2e-matrix-green.png"), full_page=True)
