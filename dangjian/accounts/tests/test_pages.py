"""Navigation and home-page panels the accounts app contributes."""

from __future__ import annotations

import pytest

from dangjian.core import audit
from dangjian.core.models import AuditAction

pytestmark = pytest.mark.django_db


def nav_labels(response) -> set[str]:
    return {item["label"] for items in response.context["nav_sections"].values() for item in items}


@pytest.mark.parametrize(
    "who, present, absent",
    [
        ("bureau", {"用户管理", "双因素认证"}, {"安全设置", "审计日志"}),
        ("sysadmin", {"用户管理", "安全设置"}, {"审计日志"}),
        ("secadmin", {"用户管理"}, {"安全设置", "审计日志"}),
        ("auditor", {"审计日志"}, {"用户管理", "安全设置"}),
        ("member", {"双因素认证"}, {"用户管理", "安全设置", "审计日志"}),
    ],
)
def test_navigation_follows_the_policy(login, cast, who, present, absent):
    labels = nav_labels(login(cast[who]).get("/"))
    assert present <= labels and not labels & absent


def test_home_panel_for_the_system_admin(login, cast):
    body = login(cast["sysadmin"]).get("/").content.decode()
    assert "账号概况" in body and "启用账号" in body and "已绑定动态口令" in body


def test_home_panel_for_the_audit_admin(login, cast):
    audit.record(
        AuditAction.LOGIN_FAILED,
        actor_name="ghost",
        model="accounts.user",
        object_repr="ghost",
        note="登录失败：用户名或密码不正确",
    )
    body = login(cast["auditor"]).get("/").content.decode()
    assert "审计提示" in body and "近 24 小时登录失败 <strong>1</strong> 次" in body and "ghost" in body


def test_business_users_see_no_account_panels(login, cast):
    body = login(cast["bureau"]).get("/").content.decode()
    assert "账号概况" not in body and "审计提示" not in body
