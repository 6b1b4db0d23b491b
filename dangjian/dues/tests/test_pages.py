"""党费 pages: scope (another branch's dues answer 404 and never show), the forms and their refusals, the audit
events, the handling of long arrears (recorded, never decided), the member's own record, the workbook, the
settings and the web import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from dangjian import factories
from dangjian.accounts.roles import Role
from dangjian.core.models import AuditEntry
from dangjian.core.nav import todo_lines
from dangjian.core.xlsx import Sheet, iter_rows, write_workbook
from dangjian.dues import services
from dangjian.dues.models import ArrearsCase, DuesBase, DuesConfig, DuesPayment, DuesRemittance, PaymentMethod
from dangjian.members.models import Member
from dangjian.notify.models import Notification

from . import scenario
from .scenario import TODAY

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def bureau(cast):
    return {**cast, **scenario.build(cast)}


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- scope ------------------------------------------------------------------------------------------------------
def test_a_branch_admin_cannot_see_another_branchs_dues(bureau, login):
    c = login(bureau["admin_b"])
    a, a0 = bureau["a"], bureau["a0"]
    assert c.get(f"/dues/members/{a0.pk}/").status_code == 404
    assert c.get(f"/dues/ledger/?org={a.pk}").status_code == 404
    assert c.get(f"/dues/?org={a.pk}").status_code == 404
    assert c.get(f"/dues/payments/new/?member={a0.pk}").status_code == 404
    payment = DuesPayment.objects.filter(member=a0).first()
    assert c.post(f"/dues/payments/{payment.pk}/void/", {"reason": "x"}).status_code == 404
    case = services.open_case(a0, arrears_months=6, since_month=date(2026, 1, 1), opened_on=date(2026, 11, 2))
    assert c.get(f"/dues/arrears/cases/{case.pk}/").status_code == 404
    for url in ("/dues/", "/dues/ledger/", "/dues/bases/", "/dues/arrears/"):
        page = html(c.get(url))
        assert "甲支部党员" not in page and "测试第一党支部" not in page, url
    assert "乙支部党员0" in html(c.get("/dues/arrears/"))
    # a POST naming another branch's member is refused by the form, and writes nothing
    before = DuesPayment.objects.count()
    r = c.post(
        "/dues/payments/new/",
        {"member": a0.pk, "month": "2026-11", "amount": "45", "paid_on": "2026-11-20",
         "method": PaymentMethod.objects.get(name="现金").pk},
    )  # fmt: skip
    assert r.status_code == 200 and DuesPayment.objects.count() == before
    # the workbook of branch B names nobody of A
    rows = [r for sheet in _sheets(c.get("/dues/export/?year=2026")) for r in sheet]
    assert not any("甲支部党员" in str(cell) for row in rows for cell in row)


def test_the_inspector_reads_and_writes_nothing(bureau, login):
    c = login(bureau["inspector"])
    assert "测试第一党支部" in html(c.get("/dues/"))
    assert c.get("/dues/payments/new/").status_code == 403
    assert 'href="/dues/payments/new/' not in html(c.get(f"/dues/ledger/?org={bureau['a'].pk}"))


# --- payments ---------------------------------------------------------------------------------------------------
def test_record_a_payment_through_the_form(bureau, login):
    c = login(bureau["admin_a"])
    new = bureau["new"]
    page = html(c.get(f"/dues/payments/new/?member={new.pk}&month=2026-09"))
    assert "应交：<strong>15.00</strong>" in page and 'value="2026-09"' in page and 'value="15.00"' in page
    r = c.post(
        "/dues/payments/new/",
        {"member": new.pk, "month": "2026-09", "amount": "15.00", "paid_on": "2026-11-20",
         "method": PaymentMethod.objects.get(name="现金").pk, "collected_by": "admin_a"},
    )  # fmt: skip
    assert r.status_code == 302 and r["Location"] == f"/dues/ledger/?org={bureau['a'].pk}&month=2026-09"
    p = DuesPayment.objects.get(member=new, month=date(2026, 9, 1))
    assert (p.amount, p.kind, p.collected_by, p.organization) == (D("15.00"), "补交", "admin_a", bureau["a"])
    entry = AuditEntry.objects.filter(action="duespayment.create", object_id=str(p.pk)).get()
    assert entry.actor == bureau["admin_a"]
    assert "已交清" in html(c.get(r["Location"]))


@pytest.mark.parametrize(
    "extra,field,message",
    [
        ({"month": "2027-03", "paid_on": "2026-11-20"}, "month", "最多按季度预交"),
        ({"month": "2027-01", "paid_on": "2026-11-20"}, "consent", "须经党支部同意"),
        ({"method": "代交"}, "proxy_name", "代交人"),
        ({"method": "代交", "proxy_name": "家属"}, "consent", "须经党支部同意"),
        ({"paid_on": "2026-11-28"}, "paid_on", "不能晚于今天"),
        ({"month": "2026-04"}, "month", "不在党员名册上"),
        ({"amount": "15.005"}, "amount", ""),
    ],
)
def test_the_form_refuses_what_the_rules_refuse(bureau, login, extra, field, message):
    c = login(bureau["admin_a"])
    data = {"member": bureau["new"].pk, "month": "2026-11", "amount": "15", "paid_on": "2026-11-20",
            "method": PaymentMethod.objects.get(name="现金").pk}  # fmt: skip
    if "method" in extra:
        extra = {**extra, "method": PaymentMethod.objects.get(name=extra["method"]).pk}
    r = c.post("/dues/payments/new/", {**data, **extra})
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert not DuesPayment.objects.filter(member=bureau["new"], month__gte=date(2026, 11, 1)).exists()


def test_advance_with_consent_and_voluntary_extra(bureau, login):
    c = login(bureau["admin_a"])
    cash = PaymentMethod.objects.get(name="现金").pk
    a0 = bureau["a0"]
    for month in ("2026-12", "2027-01", "2027-02"):
        r = c.post("/dues/payments/new/", {"member": a0.pk, "month": month, "amount": "45", "paid_on": "2026-11-20",
                                            "method": cash, "consent": "on"})  # fmt: skip
        assert r.status_code == 302
    assert set(
        DuesPayment.objects.filter(member=a0, month__gt=date(2026, 11, 1)).values_list("kind", flat=True)
    ) == {"预交"}
    r = c.post("/dues/payments/new/", {"member": a0.pk, "month": "2026-11", "amount": "1000", "paid_on": "2026-11-20",
                                        "method": cash, "voluntary": "on"})  # fmt: skip
    assert r.status_code == 302
    page = html(c.get(f"/dues/members/{a0.pk}/"))
    assert "全额上缴中央" in page and "自愿多交" in page


def test_void_a_payment(bureau, login):
    c = login(bureau["admin_a"])
    p = DuesPayment.objects.filter(member=bureau["a0"], month=date(2026, 1, 1)).get()
    r = c.post(f"/dues/payments/{p.pk}/void/", {"reason": "金额登记错误", "version": p.version})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.is_voided and p.void_reason == "金额登记错误" and p.version == 2
    assert AuditEntry.objects.filter(action="duespayment.void", object_id=str(p.pk)).exists()
    r = c.post(f"/dues/payments/{p.pk}/void/", {"reason": "再次", "version": 1})
    assert r.status_code == 302 and DuesPayment.objects.get(pk=p.pk).version == 2  # stale / already voided


# --- bases ------------------------------------------------------------------------------------------------------
def test_bases_page_lists_those_to_complete_and_the_form_saves(bureau, login):
    c = login(bureau["admin_a"])
    page = html(c.get("/dues/bases/?year=2026"))
    assert "转出党员" in page and "未核定" in page  # owed January–March, no base: listed to complete
    assert "甲支部党员1" in page and "暂按上年度基数计算" in page
    a1 = bureau["a1"]
    r = c.post(f"/dues/bases/new/?member={a1.pk}", {"year": 2026, "effective_month": 1, "income": "5200"})
    assert r.status_code == 302
    base = DuesBase.objects.get(member=a1, year=2026)
    assert base.income == D("5200.00") and base.recorded_by
    r = c.post(
        f"/dues/bases/{base.pk}/edit/", {"year": 2026, "effective_month": 1, "income": "5300", "version": 0}
    )
    assert r.status_code == 200 and "已被他人修改" in html(r)
    r = c.post(
        f"/dues/bases/{base.pk}/edit/", {"year": 2026, "effective_month": 1, "income": "5300", "version": 1}
    )
    assert r.status_code == 302 and DuesBase.objects.get(pk=base.pk).income == D("5300.00")
    assert AuditEntry.objects.filter(action="duesbase.update", object_id=str(base.pk)).exists()
    r = c.post(f"/dues/bases/new/?member={a1.pk}", {"year": 2026, "effective_month": 1, "income": "1"})
    assert "已核定" in html(r)
    r = c.post(f"/dues/bases/new/?member={a1.pk}", {"year": 2026, "effective_month": 3, "relief": "on"})
    errors = r.context["form"].errors
    assert "approved_on" in errors


# --- 上缴 ------------------------------------------------------------------------------------------------------
def test_remittance_to_the_superior(bureau, login):
    superior = factories.user("admin_jg", Role.ORG_ADMIN, organization=bureau["organ"])
    c = login(bureau["admin_a"])
    a = bureau["a"]
    page = html(c.get(f"/dues/remittances/new/?org={a.pk}&month=2026-10"))
    assert 'value="45.20"' in page  # October collected at A: a0 45.00 and a2 0.20 (the mover owes B)
    r = c.post("/dues/remittances/new/", {"organization": a.pk, "month": "2026-10", "amount": "45.20",
                                           "remitted_on": "2026-11-05", "receipt_no": "No.0012"})  # fmt: skip
    assert r.status_code == 302
    row = DuesRemittance.objects.get()
    assert row.to_org == bureau["organ"] and row.amount == D("45.20")
    note = Notification.objects.get(recipient=superior)  # the superior's admins hear of it (core.events)
    assert note.kind == "dues.remit" and "上缴 2026年10月党费 45.20 元" in note.title
    assert "No.0012" in html(c.get(r["Location"]))
    assert "45.20" in html(c.get("/dues/?year=2026"))


# --- arrears: recorded, never decided ---------------------------------------------------------------------------
def test_long_arrears_are_flagged_and_the_handling_recorded(bureau, login):
    c = login(bureau["admin_a"])
    a1 = bureau["a1"]
    page = html(c.get("/dues/arrears/"))
    assert "甲支部党员1" in page and "10 个月" in page and f"/dues/arrears/cases/new/?member={a1.pk}" in page
    r = c.post(
        f"/dues/arrears/cases/new/?member={a1.pk}", {"opened_on": "2026-11-20", "note": "长期在外地居住"}
    )
    assert r.status_code == 302
    case = ArrearsCase.objects.get()
    assert (case.arrears_months, case.since_month) == (10, date(2026, 1, 1))
    close = {"outcome": "按自行脱党处理", "closed_on": "2026-11-27", "version": case.version}
    r = c.post(f"/dues/arrears/cases/{case.pk}/close/", close)
    assert "须先记录谈话" in html(c.get(r["Location"]))
    for kind, note in (
        ("谈话", "书记与其谈话，说明党章第九条规定"),
        ("支部大会", "支部大会讨论"),
        ("上级批复", "机关党委批复同意"),
    ):
        r = c.post(
            f"/dues/arrears/cases/{case.pk}/steps/", {"kind": kind, "date": "2026-11-25", "note": note}
        )
        assert r.status_code == 302
    case.refresh_from_db()
    r = c.post(f"/dues/arrears/cases/{case.pk}/close/", {**close, "version": case.version})
    case.refresh_from_db()
    assert case.is_closed and case.outcome == "按自行脱党处理"
    a1.refresh_from_db()
    assert a1.status == "正常"  # the platform records; striking off is the members app's act, by a person
    assert AuditEntry.objects.filter(action="arrearscase.step").count() == 3
    assert AuditEntry.objects.filter(action="arrearscase.close").count() == 1


def test_a_valid_reason_is_the_branchs_finding(bureau, login):
    c = login(bureau["admin_a"])
    a1 = bureau["a1"]
    case = services.open_case(
        a1, arrears_months=10, since_month=date(2026, 1, 1), opened_on=date(2026, 11, 20)
    )
    r = c.post(f"/dues/arrears/cases/{case.pk}/steps/", {"kind": "认定理由", "date": "2026-11-21"})
    assert "请选择是否有正当理由" in html(c.get(r["Location"]))
    c.post(f"/dues/arrears/cases/{case.pk}/steps/", {"kind": "认定理由", "date": "2026-11-21", "valid_reason": "yes",
                                                     "note": "长期住院"})  # fmt: skip
    case.refresh_from_db()
    assert case.valid_reason is True
    c.post(f"/dues/arrears/cases/{case.pk}/close/", {"outcome": "有正当理由", "closed_on": "2026-11-22",
                                                     "version": case.version})  # fmt: skip
    case.refresh_from_db()
    assert case.is_closed and case.get_outcome_display() == "经支部认定有正当理由"
    # the same run of arrears is no longer flagged for handling (党章 第九条: "没有正当理由")
    page = html(c.get("/dues/arrears/"))
    assert "经支部认定有正当理由" in page and "其中待处置 0 人" in page
    assert not any(line.overdue for line in todo_lines(bureau["admin_a"], bureau["a"], TODAY))


# --- the member's own record ------------------------------------------------------------------------------------
def test_a_member_sees_their_own_record_only(bureau, login):
    c = login(bureau["member"])  # 甲支部党员0
    page = html(c.get("/dues/mine/"))
    assert "我的党费" in page and "45.00" in page and "欠交月数" in page and "甲支部党员1" not in page
    assert "登记缴纳" not in page and "作废" not in page
    assert c.get(f"/dues/members/{bureau['a0'].pk}/").status_code == 403
    assert c.get("/dues/").status_code == 403
    home = html(c.get("/"))
    assert "我的党费" in home and "11月应交</dt><dd>45.00 元（尚未交纳）" in home and "欠交 2 个月" in home


def test_home_todo_panel_names_the_arrears(bureau, login):
    page = html(login(bureau["admin_a"]).get("/"))
    assert "连续欠交党费满6个月" in page and "甲支部党员1（10个月）" in page


# --- the workbook ------------------------------------------------------------------------------------------------
def _sheets(response) -> list[list[list]]:
    import io

    import openpyxl

    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [[list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets]


def test_the_yearly_statistics_workbook(bureau, login):
    r = login(bureau["bureau"]).get("/dues/export/?year=2026")
    assert "attachment" in r["Content-Disposition"]
    by_org, by_month, members = _sheets(r)
    assert by_org[0][:3] == ["党组织", "组织代码", "交纳人数"]
    a_row = next(row for row in by_org if row[1] == "A")
    assert a_row[5:8] == [1202.0, 632.0, 680.0]
    total = next(row for row in by_org if str(row[0]).startswith("合计"))
    assert total[5:8] == [1242.0, 672.0, 680.0]
    assert len(by_month) == 11 and by_month[1][0] == "2026年1月"
    assert len(members) == 10 and not any("411402" in str(c) for row in members for c in row)  # no ID numbers
    assert AuditEntry.objects.filter(action="dues.export", note__contains="党费收缴统计表").exists()


# --- settings -----------------------------------------------------------------------------------------------------
def test_settings_start_rule_and_methods(bureau, login):
    c = login(bureau["bureau"])
    r = c.post("/dues/config/", {"action": "save", "start_rule": "approval", "farmer_amount": "0.50",
                                 "remind_months": 3, "flag_months": 6})  # fmt: skip
    assert r.status_code == 302
    assert (DuesConfig.current().start_rule, DuesConfig.current().farmer_amount) == ("approval", D("0.50"))
    r = c.post("/dues/config/", {"action": "save", "start_rule": "meeting", "farmer_amount": "2",
                                 "remind_months": 3, "flag_months": 6})  # fmt: skip
    assert "0.2 元至 1 元" in html(r)
    r = c.post("/dues/config/", {"action": "add_method", "name": "微信支付"})
    assert "不接入在线支付" in html(r)
    r = c.post("/dues/config/", {"action": "add_method", "name": "工会代收"})
    assert r.status_code == 302 and PaymentMethod.objects.filter(name="工会代收").exists()
    cash = PaymentMethod.objects.get(name="现金")
    c.post("/dues/config/", {"action": "toggle", "method": cash.pk})
    assert not PaymentMethod.objects.get(pk=cash.pk).is_active
    assert cash not in c.get("/dues/payments/new/").context["form"].fields["method"].queryset


# --- the web import ----------------------------------------------------------------------------------------------
def test_web_import_is_bound_to_the_write_scope(cast, login, tmp_path):
    c = login(cast["admin_a"])
    a0, b0 = cast["members_a"][0], cast["members_b"][0]
    path = tmp_path / "p.xlsx"
    rows = [
        [a0.id_number, "2026-10", 45, "2026-10-10", "现金"],
        [b0.id_number, "2026-10", 45, "2026-10-10", "现金"],
    ]
    write_workbook(
        path,
        [Sheet("Sheet1", ["公民身份号码", "所属月份", "金额", "缴纳日期", "方式"], rows, text_columns=[0])],
    )
    with path.open("rb") as fh:
        r = c.post("/dues/import/payments/", {"step": "upload", "file": fh})
    assert r.status_code == 302
    assert "不在您的管理范围内" in html(c.get(r["Location"]))
    token = r["Location"].split("preview=")[1]
    r = c.post("/dues/import/payments/", {"step": "confirm", "token": token, "skip_invalid": "1"})
    assert r.status_code == 302
    assert list(DuesPayment.objects.values_list("member_id", flat=True)) == [a0.pk]
    template = c.get("/dues/import/bases/?template=1")
    assert list(iter_rows(template.content))[0] == [
        "公民身份号码",
        "年度",
        "月收入",
        "生效月份",
        "减免",
        "减免原因",
    ]
    assert Member.objects.get(pk=b0.pk).dues_payments.count() == 0
