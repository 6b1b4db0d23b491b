"""The study record form keeps its input on the phone until the server has saved it (issue 19 part 4): the
submission fails (no signal: the request is aborted), the form is opened again, the input is there marked
未提交, and it is submitted without retyping; once saved, the draft is gone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from dangjian.study.models import StudyRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lost_submission_is_kept_and_sent_again_without_retyping_at_390(
    cast, live_server, phone_page, browser_login, horizontal_overflow
):
    p = phone_page
    browser_login(p, cast["member"].username)
    form_url = f"{live_server.url}/study/records/new/"
    p.goto(form_url)
    expect(p.locator(".draft-mark")).to_have_count(0)
    p.fill("#id_content", "学习《中国共产党章程》第三章")
    p.fill("#id_hours", "2.5")
    p.select_option("#id_form", index=1)
    chosen = p.locator("#id_form").input_value()
    expect(p.locator(".draft-mark")).to_contain_text("未提交")

    # the signal is lost: the form's POST never reaches the server
    def drop_posts(route):
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    p.route("**/study/records/new/", drop_posts)
    try:
        with p.expect_navigation(timeout=5_000):
            p.locator("#study-form button[type=submit]").click()
    except PlaywrightError:
        pass  # the aborted navigation ends on the browser's error page (or nowhere)
    assert not StudyRecord.objects.exists()
    p.unroute("**/study/records/new/", drop_posts)
    # back in signal: the form opened again and reloaded (fresh GETs: the page is no-store, the browser keeps
    # nothing of it; reloading the error page itself would send the POST again) holds what was typed
    p.goto(form_url)
    p.reload()
    assert not StudyRecord.objects.exists()
    mark = p.locator("#study-form .draft-mark")
    expect(mark).to_be_visible()
    expect(mark).to_contain_text("未提交")
    expect(p.locator("#id_content")).to_have_value("学习《中国共产党章程》第三章")
    expect(p.locator("#id_hours")).to_have_value("2.5")
    expect(p.locator("#id_form")).to_have_value(chosen)
    assert horizontal_overflow(p) == 0

    with p.expect_navigation():
        p.locator("#study-form button[type=submit]").click()
    expect(p.locator(".msg-success")).to_contain_text("已登记")
    record = StudyRecord.objects.get()
    assert record.content == "学习《中国共产党章程》第三章" and str(record.hours) in {"2.5", "2.50"}
    assert record.member == cast["members_a"][0]

    # saved: the phone's copy is gone, and the form opens empty again
    keys = p.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('dangjian.draft.'))")
    assert keys == []
    p.goto(form_url)
    expect(p.locator(".draft-mark")).to_have_count(0)
    expect(p.locator("#id_content")).to_have_value("")
