"""The meeting form keeps its input on the phone until the server has saved it (issue 19 part 4): kinds, topic
and an absence with its reason survive a submission that never reached the server, and are saved afterwards."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from dangjian.activities.models import Activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_meeting_form_survives_a_lost_submission_at_390(cast, live_server, phone_page, browser_login):
    p = phone_page
    browser_login(p, cast["admin_a"].username)
    url = f"{live_server.url}/activities/new/"
    p.goto(url)
    absent = cast["members_a"][1]
    p.click("label.kind-chip:has-text('主题党日')")
    p.fill("#id_topic", "主题党日：重温入党誓词")
    p.fill("#id_start_time", "14:30")
    p.wait_for_load_state("networkidle")  # the attendance list redrawn for the chosen kind
    p.click(f"label.att-name:has-text('{absent.name}')")
    p.select_option(f"select[name=reason_{absent.pk}]", "因公")
    expect(p.locator("#activity-form .draft-mark")).to_contain_text("未提交")

    def drop_posts(route):
        route.abort("internetdisconnected") if route.request.method == "POST" else route.continue_()

    p.route("**/activities/new/", drop_posts)
    try:
        with p.expect_navigation(timeout=5_000):
            p.click("#save-activity")
    except PlaywrightError:
        pass
    p.unroute("**/activities/new/", drop_posts)
    assert not Activity.objects.exists()

    p.goto(url)
    p.wait_for_load_state("networkidle")
    expect(p.locator("#activity-form .draft-mark")).to_contain_text("未提交")
    expect(p.locator("#id_topic")).to_have_value("主题党日：重温入党誓词")
    expect(p.locator("#id_start_time")).to_have_value("14:30")
    expect(p.locator("input[name=kinds][value=theme_day]")).to_be_checked()
    expect(p.locator(f"input[name=absent][value='{absent.pk}']")).to_be_checked()
    expect(p.locator(f"select[name=reason_{absent.pk}]")).to_have_value("因公")
    expect(p.locator("#att-count")).to_have_text("2/3")

    with p.expect_navigation():
        p.click("#save-activity")
    expect(p.locator("h1")).to_have_text("主题党日：重温入党誓词")
    a = Activity.objects.get()
    assert (a.expected, a.present, a.start_time.strftime("%H:%M")) == (3, 2, "14:30")
    assert a.attendance.get(present=False).absence_reason == "因公"
    p.goto(url)
    expect(p.locator(".draft-mark")).to_have_count(0)
