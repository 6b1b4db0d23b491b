from datetime import date

from dangjian.core.testing import Case
from dangjian.dues import services

VIEWERS = {"bureau", "admin_a", "admin_b", "inspector"}
WRITERS = {"bureau", "admin_a", "admin_b"}


def cases(cast):
    a, a0 = cast["a"], cast["members_a"][0]
    base = services.save_base(a0, services.BaseData(2026, 1, income=4500))
    case = services.open_case(a0, arrears_months=6, since_month=date(2026, 1, 1), opened_on=date(2026, 7, 1))
    return [
        Case("dues:overview", "/dues/", allow=VIEWERS),
        Case("dues:overview", f"/dues/?org={a.pk}", allow={"bureau", "admin_a", "inspector"}, not_found={"admin_b"}),
        Case("dues:export", "/dues/export/?year=2026", allow=VIEWERS),
        Case("dues:ledger", "/dues/ledger/", allow=VIEWERS),
        Case("dues:ledger", f"/dues/ledger/?org={a.pk}", allow={"bureau", "admin_a", "inspector"}, not_found={"admin_b"}),
        Case("dues:mine", "/dues/mine/", allow={"member"}),
        Case("dues:member", f"/dues/members/{a0.pk}/", allow={"bureau", "admin_a", "inspector"}, not_found={"admin_b"}),
        Case("dues:payment_add", "/dues/payments/new/", allow=WRITERS),
        Case("dues:payment_add", f"/dues/payments/new/?member={a0.pk}", allow={"bureau", "admin_a"}, not_found={"admin_b"}),
        Case("dues:payment_void", "/dues/payments/999999/void/", method="post", allow=set(), not_found=WRITERS),
        Case("dues:bases", "/dues/bases/", allow=VIEWERS),
        Case("dues:base_add", f"/dues/bases/new/?member={a0.pk}", allow={"bureau", "admin_a"}, not_found={"admin_b"}),
        Case("dues:base_edit", f"/dues/bases/{base.pk}/edit/", allow={"bureau", "admin_a"}, not_found={"admin_b"}),
        Case("dues:remittance_add", "/dues/remittances/new/", allow=WRITERS),
        Case("dues:remittance_add", f"/dues/remittances/new/?org={a.pk}", allow={"bureau", "admin_a"}, not_found={"admin_b"}),
        Case("dues:remittance_void", "/dues/remittances/999999/void/", method="post", allow=set(), not_found=WRITERS),
        Case("dues:arrears", "/dues/arrears/", allow=VIEWERS),
        Case("dues:case_add", f"/dues/arrears/cases/new/?member={a0.pk}", allow={"bureau", "admin_a"}, not_found={"admin_b"}),
        Case("dues:case", f"/dues/arrears/cases/{case.pk}/", allow={"bureau", "admin_a", "inspector"}, not_found={"admin_b"}),
        Case(
            "dues:case_step",
            f"/dues/arrears/cases/{case.pk}/steps/",
            method="post",
            data={"kind": "谈话", "date": "2026-07-02", "note": "矩阵用例：谈话提醒"},
            allow={"bureau", "admin_a"},
            not_found={"admin_b"},
            ok=(302,),
        ),
        Case("dues:case_close", "/dues/arrears/cases/999999/close/", method="post", allow=set(), not_found=WRITERS),
        Case("dues:import_bases", "/dues/import/bases/", allow=WRITERS),
        Case("dues:import_payments", "/dues/import/payments/", allow=WRITERS),
        Case("dues:config", "/dues/config/", allow={"bureau"}),
    ]  # fmt: skip
