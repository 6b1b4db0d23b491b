"""In a real browser at phone width (390 px): the branch registers an application and takes the candidate through
the first steps by the forms, the superior finds step 4 in its queue and records it. No page scrolls sideways."""

from __future__ import annotations

import pytest

from dangjian.core.idnumber import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_first_steps_through_the_forms_on_a_phone(
    live_server, browser, phone_page, browser_login, horizontal_overflow, artifacts_dir
):
    from datetime import date, timedelta

    from django.utils import timezone

    from dangjian.factories import cast
    from dangjian.recruitment.models import Candidate

    people = cast()
    today = timezone.localdate()
    p = phone_page
    browser_login(p, "admin_a")

    p.goto(f"{live_server.url}/recruitment/")
    with p.expect_navigation():
        p.click("text=登记入党申请")
    p.fill("#id_name", "钱晓东")
    p.fill("#id_id_number", make_id_number("411402", date(1999, 3, 8), 7))
    p.fill("#id_applied_on", (today - timedelta(days=40)).isoformat())
    assert horizontal_overflow(p) == 0
    with p.expect_navigation():
        p.click("#create-form button[type=submit]")
    assert "钱晓东" in p.inner_text("h1")
    # the application came 40 days ago: the talk (within a month) is overdue, and the page says so
    assert "第2步 党组织派人谈话" in p.inner_text("#next-due") and "已逾期" in p.inner_text("#next-due")
    assert horizontal_overflow(p) == 0

    with p.expect_navigation():
        p.click("text=登记第2步 党组织派人谈话")
    p.fill("#id_on", (today - timedelta(days=6)).isoformat())
    p.fill("#id_talker", "张书记")
    with p.expect_navigation():
        p.click("#step-form button[type=submit]")
    assert "逾期办理" in p.inner_text("#timeline")

    with p.expect_navigation():
        p.click("text=登记第3步 推荐和确定入党积极分子")
    # a branch of three 正式党员 has no committee: the form proposes its 支部大会
    assert p.input_value("#id_body") == "支部大会"
    p.check("text=党员推荐")
    p.fill("#id_on", (today - timedelta(days=3)).isoformat())
    assert horizontal_overflow(p) == 0
    with p.expect_navigation():
        p.click("#step-form button[type=submit]")
    assert p.inner_text("#stage") == "入党积极分子"
    assert "第4步 报上级党委备案" in p.inner_text("#next-due")
    assert "当前待办的步骤不由您办理" not in p.inner_text("#next-due")  # 5 (培养联系人) is the branch's
    p.screenshot(path=str(artifacts_dir / "recruitment-phone-candidate.png"), full_page=True)

    # the superior (the bureau) finds step 4 in its queue
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    q = context.new_page()
    browser_login(q, "bureau")
    q.goto(f"{live_server.url}/recruitment/queue/")
    assert "钱晓东" in q.inner_text("#queue-table")
    assert horizontal_overflow(q) == 0
    with q.expect_navigation():
        q.click("#queue-table >> text=办理")
    q.fill("#id_on", (today - timedelta(days=1)).isoformat())
    q.fill("#id_document_no", "机关党委〔2026〕8号")
    with q.expect_navigation():
        q.click("#step-form button[type=submit]")
    assert "第4步 报上级党委备案" in q.inner_text("#timeline")
    context.close()

    c = Candidate.objects.get(name="钱晓东")
    assert [s.number for s in c.steps.order_by("id")] == [1, 2, 3, 4]
    assert c.organization == people["a"]
