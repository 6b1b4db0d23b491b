"""The study record form in chromium at phone width: submitted with its default values, it saves.

It once could not: the hours field's step (0.5 counted from min 0.1) made the default 1 invalid for the browser,
and the date came pre-filled as "2026/12/02", which an <input type="date"> does not accept."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dangjian.study.models import StudyRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("who", ["member", "admin_a"])
def test_record_form_submits_with_its_defaults_at_390(
    who, cast, live_server, phone_page, browser_login, horizontal_overflow
):
    p = phone_page
    browser_login(p, cast[who].username)
    p.goto(f"{live_server.url}/study/records/new/")
    day = p.locator("#id_day").input_value()
    assert day == timezone.localdate().isoformat(), f"学习日期未按今天预填：{day!r}"
    assert p.locator("#id_hours").evaluate("el => el.validity.valid"), "默认学时未通过浏览器校验"
    if who == "admin_a":
        p.select_option("#id_member", label=p.locator("#id_member option").nth(1).inner_text())
    p.fill("#id_content", "学习党章")
    for hours in ("1.5", "2", "0.5"):  # values a person types: each must pass the browser's check
        p.fill("#id_hours", hours)
        assert p.locator("#id_hours").evaluate("el => el.validity.valid"), f"学时 {hours} 未通过浏览器校验"
    p.fill("#id_hours", "1")
    assert horizontal_overflow(p) == 0
    with p.expect_navigation():
        p.locator("form button[type=submit]").last.click()
    assert "已登记" in p.content()
    record = StudyRecord.objects.get()
    assert str(record.hours) in {"1", "1.0"}
    assert record.date.isoformat() == day
