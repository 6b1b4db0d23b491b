"""Recording a payment at phone width (390 px): from the branch's ledger, the form opens with its defaults — this
month, the member's due, today, the first method, the collector — and saves as it stands."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from dangjian.dues import services
from dangjian.dues.models import DuesPayment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_a_payment_with_the_form_defaults_at_390(
    cast, live_server, phone_page, browser_login, horizontal_overflow, artifacts_dir
):
    today = timezone.localdate()
    a0 = cast["members_a"][0]
    services.save_base(a0, services.BaseData(today.year, 1, income=Decimal("4500")))
    p = phone_page
    browser_login(p, "admin_a")
    p.goto(f"{live_server.url}/dues/ledger/")
    assert "党费收缴台账" in p.locator("h1").inner_text()
    assert horizontal_overflow(p) == 0
    row = p.locator("#dues-ledger tbody tr", has_text=a0.name)
    assert "45.00" in row.inner_text()
    with p.expect_navigation():
        row.get_by_role("link", name="登记").click()
    assert p.locator("#id_month").input_value() == f"{today:%Y-%m}"
    assert p.locator("#id_amount").input_value() == "45.00"
    assert p.locator("#id_amount").evaluate("el => el.validity.valid"), "默认金额未通过浏览器校验"
    assert p.locator("#id_paid_on").input_value() == today.isoformat()
    assert p.locator("#id_method option:checked").inner_text() == "现金"
    assert p.locator("#id_collected_by").input_value() == "admin_a"
    assert "应交" in p.locator("#due-hint").inner_text()
    assert horizontal_overflow(p) == 0
    p.screenshot(path=artifacts_dir / "dues-payment-390.png", full_page=True)
    with p.expect_navigation():
        p.locator("form.stacked button[type=submit]").click()
    assert "已登记" in p.locator(".messages").inner_text()
    assert horizontal_overflow(p) == 0
    payment = DuesPayment.objects.get()
    assert (
        payment.member_id,
        payment.amount,
        payment.paid_on,
        payment.method.name,
        payment.collected_by,
    ) == (
        a0.pk,
        Decimal("45.00"),
        today,
        "现金",
        "admin_a",
    )
    assert payment.month == today.replace(day=1) and payment.kind == "按月交纳"
    assert "已交清" in p.locator("#dues-ledger").inner_text()
