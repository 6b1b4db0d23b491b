"""Every compliance URL × every role of the cast (dangjian.core.testing)."""

from __future__ import annotations

from datetime import date

from dangjian.core.testing import BUSINESS_READERS, Case

BUREAU = {"bureau"}
READ_A = BUSINESS_READERS - {"admin_b"}  # branch A's records: admin_b sees only B


def cases(cast):
    from dangjian.compliance import services
    from dangjian.compliance.models import Requirement

    a, b = cast["a"], cast["b"]
    theme = Requirement.objects.get(key="theme_day")
    ex = services.grant_exemption(a, theme, date(2025, 1, 1), date(2025, 3, 31), "矩阵用例：企业停产整顿")
    ex_revoke = services.grant_exemption(
        b, theme, date(2025, 1, 1), date(2025, 3, 31), "矩阵用例：企业停产整顿"
    )
    return [
        Case("compliance:matrix", "/compliance/", allow=BUSINESS_READERS),
        Case(
            "compliance:matrix",
            f"/compliance/?parent={a.pk}&period=2025Q3",
            allow=READ_A,
            not_found={"admin_b"},
        ),
        Case("compliance:todo", "/compliance/todo/", allow=BUSINESS_READERS),
        Case("compliance:todo", f"/compliance/todo/?org={a.pk}", allow=READ_A, not_found={"admin_b"}),
        Case(
            "compliance:org_year", f"/compliance/org/{a.pk}/?year=2025", allow=READ_A, not_found={"admin_b"}
        ),
        Case(
            "compliance:org_year",
            f"/compliance/org/{b.pk}/",
            allow=BUSINESS_READERS - {"admin_a", "member"},
            not_found={"admin_a", "member"},
        ),
        Case(
            "compliance:cell",
            f"/compliance/org/{a.pk}/theme_day/2025Q1/",
            allow=READ_A,
            not_found={"admin_b"},
        ),
        Case("compliance:requirements", "/compliance/requirements/", allow=BUSINESS_READERS),
        Case("compliance:requirement_add", "/compliance/requirements/new/", allow=BUREAU),
        Case("compliance:requirement_edit", f"/compliance/requirements/{theme.pk}/edit/", allow=BUREAU),
        Case("compliance:exemptions", "/compliance/exemptions/", allow=BUSINESS_READERS),
        Case("compliance:exemption_add", "/compliance/exemptions/new/", allow=BUREAU),
        Case(
            "compliance:exemption_detail",
            f"/compliance/exemptions/{ex.pk}/",
            allow=READ_A,
            not_found={"admin_b"},
        ),
        Case(
            "compliance:exemption_revoke",
            f"/compliance/exemptions/{ex_revoke.pk}/revoke/",
            allow=BUREAU,
            method="post",
            data={"revoke_reason": "矩阵用例", "version": ex_revoke.version},
            ok=(302,),
        ),
    ]
