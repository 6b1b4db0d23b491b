"""Account management pages and services (三员分立 as decided in accounts.policy)."""

from __future__ import annotations

import pytest

from dangjian.accounts import services
from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.accounts.scope import visible_orgs
from dangjian.core.models import AuditEntry
from dangjian.factories import member, user

pytestmark = pytest.mark.django_db


# --- the list -----------------------------------------------------------------------------------------------
def test_bureau_admin_lists_business_accounts_only(login, cast):
    r = login(cast["bureau"]).get("/accounts/users/")
    names = {u.username for u in r.context["page"].object_list}
    assert {"bureau", "admin_a", "admin_b", "member_a", "inspector"} <= names
    assert not names & {"auditor", "sysadmin", "secadmin"}
    body = r.content.decode()
    assert "三员分立" in body and "开通账号" in body


def test_system_and_security_admins_list_every_account(login, cast):
    for who in ("sysadmin", "secadmin"):
        names = {u.username for u in login(cast[who]).get("/accounts/users/").context["page"].object_list}
        assert {"auditor", "sysadmin", "secadmin", "bureau", "member_a"} <= names
    assert (
        'href="/accounts/users/new/"' not in login(cast["secadmin"]).get("/accounts/users/").content.decode()
    )


def test_list_filters(login, cast):
    client = login(cast["sysadmin"])
    services.set_active(cast["admin_b"], False, actor=cast["sysadmin"])

    def names(query):
        return {u.username for u in client.get("/accounts/users/" + query).context["page"].object_list}

    assert names("?q=admin_") == {"admin_a", "admin_b"}
    assert names("?role=org_admin&status=active") == {"admin_a"}
    assert names("?status=inactive") == {"admin_b"}
    assert names("?role=audit_admin") == {"auditor"}


def test_list_shows_the_member_link_masked_and_lock_state(login, sign_in, cast):
    for i in range(5):
        sign_in("admin_a", f"Wrong#{i}")
    body = login(cast["sysadmin"]).get("/accounts/users/").content.decode()
    m = cast["members_a"][0]
    assert m.masked_id_number in body and m.id_number not in body
    assert "已锁定" in body


def test_list_queries_do_not_grow_with_the_accounts(login, cast, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(cast["sysadmin"])
    client.get("/accounts/users/")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/accounts/users/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(40):
        m = member(cast["a"])
        user(f"extra{i}", Role.MEMBER, member_record=m)
    assert count() == small


def test_pagination(login, cast):
    for i in range(35):
        user(f"p{i:02d}", Role.INSPECTOR)
    client = login(cast["sysadmin"])
    first = client.get("/accounts/users/?role=inspector")
    assert first.context["page"].paginator.num_pages == 2
    assert "role=inspector&amp;page=2" in first.content.decode()
    assert len(client.get("/accounts/users/?role=inspector&page=2").context["page"].object_list) == 6


# --- creation -----------------------------------------------------------------------------------------------
def test_bureau_admin_opens_an_account_without_a_role(client, login, cast):
    r = login(cast["bureau"]).post(
        "/accounts/users/new/",
        {
            "username": "admin_jg",
            "display_name": "王机关",
            "role": "org_admin",  # not a field of the form any more: ignored
            "organization": cast["organ"].pk,
        },
    )
    assert r.status_code == 200
    password = r.context["password"]
    body = r.content.decode()
    assert password in body and "只显示这一次" in body and "角色待安全管理员确认" in body
    u = User.objects.get(username="admin_jg")
    assert u.role == Role.NONE and u.organization is None and u.must_change_password
    assert not visible_orgs(u).exists()
    created = AuditEntry.objects.get(action="user.create", model="accounts.user", object_id=str(u.pk))
    assert created.actor_id == cast["bureau"].pk and "password" not in created.changes
    assert "未授予角色" in created.note
    assert not AuditEntry.objects.filter(action="user.permission", object_id=str(u.pk)).exists()
    client.post("/accounts/logout/")
    assert client.post("/accounts/login/", {"username": "admin_jg", "password": password}).status_code == 302
    assert client.get("/")["Location"] == "/accounts/password/"


def _holder_sets_password(u: User) -> None:
    services.set_password(u, "Holder#2026x", actor=u)


def test_a_member_account_is_linked_by_id_number(login, cast):
    m = member(cast["b"], "李四")
    login(cast["sysadmin"]).post("/accounts/users/new/", {"username": "lisi", "display_name": "李四"})
    u = User.objects.get(username="lisi")
    _holder_sets_password(u)
    r = login(cast["secadmin"]).post(
        f"/accounts/users/{u.pk}/scope/",
        {"role": "member", "member_id_number": m.id_number.lower(), "version": u.version},
    )
    assert r.status_code == 302
    u.refresh_from_db()
    m.refresh_from_db()
    assert m.user_id == u.pk and u.display_name == "李四" and u.role == Role.MEMBER
    assert set(visible_orgs(u)) == {cast["b"]}
    link = AuditEntry.objects.get(model="members.member", object_id=str(m.pk))
    assert link.note == "关联登录账号" and link.changes == {"user": [None, u.pk]}
    grant = AuditEntry.objects.get(action="user.permission", object_id=str(u.pk))
    assert grant.note == "授予业务角色和管理范围" and grant.actor_id == cast["secadmin"].pk


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"username": "bureau", "display_name": "甲"}, "username", "已存在"),
        ({"username": "BUREAU", "display_name": "甲"}, "username", "已存在"),
        ({"username": "带 空格", "display_name": "甲"}, "username", "只能包含"),
        ({"username": "x5"}, "display_name", "请填写姓名"),
        ({"username": "x6", "display_name": "甲", "phone": "12345"}, "phone", "11 位手机号码"),
    ],
)
def test_creation_errors_name_the_field_and_the_fix(login, cast, data, field, message):
    r = login(cast["bureau"]).post("/accounts/users/new/", data)
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert any(message in e for e in errors.get(field, [])), errors
    assert not User.objects.filter(username=data["username"]).exclude(pk=cast["bureau"].pk).exists()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"role": "org_admin"}, "organization", "须指定所管理的党组织"),
        ({"role": "member"}, "member_id_number", "须关联党员名册中的一名党员"),
        ({"role": "member", "member_id_number": "110101199003071234"}, "member_id_number", "校验位"),
        ({"role": "audit_admin"}, "role", "不能在网页上授予"),
        ({"role": "inspector", "organization": "A"}, "organization", "不设管理范围"),
    ],
)
def test_scope_errors_name_the_field_and_the_fix(login, cast, data, field, message):
    target = cast["inspector"]
    data = {**data, "version": target.version}
    if data.get("organization") == "A":
        data["organization"] = cast["a"].pk
    r = login(cast["secadmin"]).post(f"/accounts/users/{target.pk}/scope/", data)
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert any(message in e for e in errors.get(field, [])), errors
    assert User.objects.get(pk=target.pk).role == Role.INSPECTOR


# --- profile, scope, activation, reset -------------------------------------------------------------------------
def test_profile_edit_is_audited_and_refuses_a_stale_form(login, cast):
    target = cast["inspector"]
    client = login(cast["bureau"])
    page = client.get(f"/accounts/users/{target.pk}/edit/")
    version = page.context["form"].initial["version"]
    r = client.post(
        f"/accounts/users/{target.pk}/edit/",
        {"display_name": "赵督查", "phone": "13800138000", "version": version},
    )
    assert r.status_code == 302
    target.refresh_from_db()
    assert target.display_name == "赵督查" and target.version == version + 1
    entry = AuditEntry.objects.get(action="user.update", object_id=str(target.pk), note="修改账号信息")
    assert entry.changes["display_name"] == ["inspector", "赵督查"]
    r = client.post(f"/accounts/users/{target.pk}/edit/", {"display_name": "钱督查", "version": version})
    assert r.status_code == 200 and "已被他人修改" in r.content.decode()


def test_security_admin_changes_role_and_scope_and_it_is_audited_as_a_permission_change(login, cast):
    target = cast["admin_a"]
    client = login(cast["secadmin"])
    r = client.post(
        f"/accounts/users/{target.pk}/scope/",
        {"role": "org_admin", "organization": cast["b"].pk, "version": 1},
    )
    assert r.status_code == 302
    target = User.objects.get(pk=target.pk)
    assert set(visible_orgs(target)) == {cast["b"]}
    entry = AuditEntry.objects.get(action="user.permission", object_id=str(target.pk))
    assert entry.actor_id == cast["secadmin"].pk and entry.note == "调整角色和管理范围"
    assert entry.changes == {"管理范围": ["测试第一党支部（A）", "测试第二党支部（B）"]}
    assert entry.object_repr == "admin_a"


def test_moving_a_member_account_to_another_role_unlinks_the_member(login, cast):
    target = cast["member"]
    m = cast["members_a"][0]
    r = login(cast["secadmin"]).post(
        f"/accounts/users/{target.pk}/scope/", {"role": "inspector", "version": 1}
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.user_id is None
    entry = AuditEntry.objects.get(action="user.permission", object_id=str(target.pk))
    assert entry.changes["角色"] == ["党员（member）", "督查员（inspector）"]
    assert entry.changes["关联党员"][1] == "" and m.masked_id_number in entry.changes["关联党员"][0]


def test_keeping_the_member_role_keeps_the_link_when_the_id_number_is_left_empty(login, cast):
    target = cast["member"]
    r = login(cast["secadmin"]).post(f"/accounts/users/{target.pk}/scope/", {"role": "member", "version": 1})
    assert r.status_code == 302
    assert not AuditEntry.objects.filter(action="user.permission").exists()  # nothing changed
    cast["members_a"][0].refresh_from_db()
    assert cast["members_a"][0].user_id == target.pk


def test_the_scope_page_does_not_show_the_full_id_number(login, cast):
    body = login(cast["secadmin"]).get(f"/accounts/users/{cast['member'].pk}/scope/").content.decode()
    m = cast["members_a"][0]
    assert m.masked_id_number in body and m.id_number not in body


@pytest.mark.parametrize("who", ["bureau", "sysadmin"])
def test_account_managers_cannot_change_roles(login, cast, who):
    r = login(cast[who]).post(
        f"/accounts/users/{cast['inspector'].pk}/scope/", {"role": "bureau_admin", "version": 1}
    )
    assert r.status_code == 403
    assert User.objects.get(pk=cast["inspector"].pk).role == Role.INSPECTOR


def test_nobody_acts_on_their_own_account_or_on_installation_accounts(login, cast):
    # `login` signs the one test client in as someone else each time it is called.
    sec = login(cast["secadmin"])
    assert (
        sec.post(
            f"/accounts/users/{cast['secadmin'].pk}/scope/", {"role": "bureau_admin", "version": 1}
        ).status_code
        == 403
    )
    assert sec.get(f"/accounts/users/{cast['auditor'].pk}/scope/").status_code == 403
    sys = login(cast["sysadmin"])
    assert sys.post(f"/accounts/users/{cast['auditor'].pk}/reset-password/").status_code == 403
    assert sys.post(f"/accounts/users/{cast['sysadmin'].pk}/active/", {"active": "0"}).status_code == 403
    bureau = login(cast["bureau"])
    assert bureau.post(f"/accounts/users/{cast['bureau'].pk}/active/", {"active": "0"}).status_code == 403
    assert bureau.post(f"/accounts/users/{cast['auditor'].pk}/active/", {"active": "0"}).status_code == 404
    assert User.objects.filter(is_active=False).count() == 0
    page = login(cast["sysadmin"]).get(f"/accounts/users/{cast['auditor'].pk}/").content.decode()
    assert "安装账号" in page and "停用账号" not in page


def test_deactivation_and_reactivation(login, sign_in, client, cast):
    target = cast["inspector"]
    manager = login(cast["sysadmin"])
    r = manager.post(f"/accounts/users/{target.pk}/active/", {"active": "0"})
    assert r.status_code == 302
    assert not User.objects.get(pk=target.pk).is_active
    assert AuditEntry.objects.filter(note="停用账号", object_id=str(target.pk)).exists()
    client.post("/accounts/logout/")
    assert sign_in("inspector").status_code == 200  # refused
    login(cast["sysadmin"]).post(f"/accounts/users/{target.pk}/active/", {"active": "1"})
    assert User.objects.get(pk=target.pk).is_active
    client.post("/accounts/logout/")
    assert sign_in("inspector").status_code == 302


def test_accounts_are_never_deleted(cast):
    with pytest.raises(PermissionError):
        cast["inspector"].delete()
    with pytest.raises(PermissionError):
        User.objects.filter(username="inspector").delete()


def test_password_reset_shows_a_temporary_password_once(login, cast):
    target = cast["member"]
    r = login(cast["bureau"]).post(f"/accounts/users/{target.pk}/reset-password/")
    assert r.status_code == 200
    temp = r.context["password"]
    assert "角色待安全管理员确认" in r.content.decode()
    target.refresh_from_db()
    assert target.check_password(temp) and target.must_change_password
    assert target.role == Role.NONE and target.suspended_role == Role.MEMBER
    entry = AuditEntry.objects.get(note="重置密码（下次登录须修改）")
    assert entry.actor_id == cast["bureau"].pk and temp not in str(entry.changes)


def test_unlock_lifts_a_lockout(client, login, sign_in, cast):
    for i in range(5):
        sign_in("member_a", f"Wrong#{i}")
    assert sign_in("member_a").status_code == 429
    detail = login(cast["sysadmin"]).get(f"/accounts/users/{cast['member'].pk}/")
    assert detail.context["locked"] and "解除登录锁定" in detail.content.decode()
    assert client.post(f"/accounts/users/{cast['member'].pk}/unlock/").status_code == 302
    assert AuditEntry.objects.filter(note="解除登录锁定").exists()
    client.post("/accounts/logout/")
    assert sign_in("member_a").status_code == 302


def test_detail_page_for_each_viewer(login, cast):
    url = f"/accounts/users/{cast['member'].pk}/"
    bureau = login(cast["bureau"]).get(url).content.decode()
    assert "停用账号" in bureau and "重置密码" in bureau and "调整角色和范围" not in bureau
    sec = login(cast["secadmin"]).get(url).content.decode()
    assert "调整角色和范围" in sec and "停用账号" not in sec
    own = login(cast["sysadmin"]).get(f"/accounts/users/{cast['sysadmin'].pk}/").content.decode()
    assert "您本人的账号" in own


# --- services directly ---------------------------------------------------------------------------------------
def test_services_refuse_incoherent_scopes(cast):
    with pytest.raises(services.AccountRefused) as exc:
        services.create_user(username="y", role=Role.ORG_ADMIN, actor=cast["sysadmin"])
    assert "organization" in exc.value.errors
    with pytest.raises(services.AccountRefused) as exc:
        services.change_scope(
            cast["inspector"], role=Role.MEMBER, organization=None, member=None, actor=cast["secadmin"]
        )
    assert "member_id_number" in exc.value.errors


def test_a_dissolved_organisation_cannot_be_a_scope(cast):
    from datetime import date

    from dangjian.orgs.models import Organization

    Organization.objects.filter(pk=cast["b"].pk).update(dissolved_on=date(2025, 1, 1))
    cast["b"].refresh_from_db()
    with pytest.raises(services.AccountRefused, match="已撤销"):
        services.create_user(
            username="y", role=Role.ORG_ADMIN, organization=cast["b"], actor=cast["sysadmin"]
        )
