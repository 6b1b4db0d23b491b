"""三员分立 in the web application (issue 14 items 1 and 9): each attack of the probe, as written, now fails."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts import services
from dangjian.accounts.forms import MEMBER_REFUSED
from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.models import AuditEntry
from dangjian.factories import TEST_PASSWORD, member

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Eigen#2026pw"


def _sign_in_and_set_password(username: str, password: str) -> Client:
    """A real sign-in through the login page, then the forced password change."""
    c = Client()
    assert c.post("/accounts/login/", {"username": username, "password": password}).status_code == 302
    r = c.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert r.status_code == 302
    return c


def _reads_business_data(c: Client, member_pk: int) -> bool:
    codes = (
        c.get("/members/").status_code,
        c.get(f"/members/{member_pk}/").status_code,
        c.get("/members/?export=xlsx").status_code,
    )
    return any(code == 200 for code in codes)


def test_the_system_admin_grants_no_role_when_opening_an_account(login, cast):
    """The attack: xitong POSTs /accounts/users/new/ with role=bureau_admin, logs in as the new account and
    reads every member's full ID number and the roster export."""
    target = cast["members_a"][0]
    r = login(cast["sysadmin"]).post(
        "/accounts/users/new/", {"username": "shadow", "display_name": "影子", "role": "bureau_admin"}
    )
    assert r.status_code == 200
    c = _sign_in_and_set_password("shadow", r.context["password"])
    assert not _reads_business_data(c, target.pk)
    assert User.objects.get(username="shadow").role == Role.NONE
    home = c.get("/").content.decode()
    assert "角色待安全管理员确认" in home and target.id_number not in home


def test_a_role_waits_for_the_holders_own_password(login, cast):
    r = login(cast["sysadmin"]).post("/accounts/users/new/", {"username": "wang", "display_name": "王五"})
    wang = User.objects.get(username="wang")
    sec = login(cast["secadmin"])
    detail = sec.get(f"/accounts/users/{wang.pk}/").content.decode()
    assert "待本人设置密码" in detail and "角色待安全管理员确认" in detail
    listing = sec.get("/accounts/users/?status=awaits_role").content.decode()
    assert "wang" in listing and "待本人设置密码" in listing and "角色待安全管理员确认" in listing
    page = sec.get(f"/accounts/users/{wang.pk}/scope/").content.decode()
    assert "待本人设置密码" in page and "暂不能授予业务角色" in page
    refused = sec.post(f"/accounts/users/{wang.pk}/scope/", {"role": "inspector", "version": wang.version})
    assert refused.status_code == 200 and "尚未设置本人密码" in refused.content.decode()
    assert User.objects.get(pk=wang.pk).role == Role.NONE
    _sign_in_and_set_password("wang", r.context["password"])
    wang.refresh_from_db()
    granted = sec.post(f"/accounts/users/{wang.pk}/scope/", {"role": "inspector", "version": wang.version})
    assert granted.status_code == 302
    assert User.objects.get(pk=wang.pk).role == Role.INSPECTOR
    entry = AuditEntry.objects.filter(action="user.permission", object_id=str(wang.pk)).latest("id")
    assert entry.actor_id == cast["secadmin"].pk and entry.changes["角色"][1] == "督查员（inspector）"


def test_resetting_the_second_factor_and_the_password_does_not_open_the_account(login, cast):
    """The attack: the system admin resets a business account's TOTP device, then its password, and logs in
    as that person without TOTP."""
    victim = cast["bureau"]
    TOTPDevice.objects.create(user=victim, name="身份验证器", key="00" * 20, confirmed=True)
    sysadmin = login(cast["sysadmin"])
    assert sysadmin.post(f"/accounts/users/{victim.pk}/reset-otp/").status_code == 302
    temp = sysadmin.post(f"/accounts/users/{victim.pk}/reset-password/").context["password"]
    c = _sign_in_and_set_password("bureau", temp)
    assert not _reads_business_data(c, cast["members_a"][0].pk)
    victim.refresh_from_db()
    assert victim.role == Role.NONE and victim.suspended_role == Role.BUREAU_ADMIN
    notes = set(
        AuditEntry.objects.filter(action="user.permission", object_id=str(victim.pk)).values_list(
            "note", flat=True
        )
    )
    assert "管理员重置动态口令：业务角色暂停，待本人设置新密码并由安全管理员确认" in notes

    # The security admin confirms the role again once the holder has set a new password.
    sec = login(cast["secadmin"])
    victim.refresh_from_db()
    detail = sec.get(f"/accounts/users/{victim.pk}/").content.decode()
    assert "角色待安全管理员确认" in detail and "确认恢复角色" in detail and "局党建管理员" in detail
    assert (
        sec.post(f"/accounts/users/{victim.pk}/confirm-roles/", {"version": victim.version}).status_code
        == 302
    )
    victim.refresh_from_db()
    assert victim.role == Role.BUREAU_ADMIN and not victim.suspended_role
    confirm = AuditEntry.objects.filter(action="user.permission", object_id=str(victim.pk)).latest("id")
    assert confirm.note == "安全管理员确认恢复业务角色" and confirm.actor_id == cast["secadmin"].pk
    assert _reads_business_data(c, cast["members_a"][0].pk)


def test_a_suspended_role_is_not_confirmed_before_the_holder_sets_a_password(login, cast):
    victim = cast["admin_a"]
    login(cast["bureau"]).post(f"/accounts/users/{victim.pk}/reset-password/")
    victim.refresh_from_db()
    assert victim.role == Role.NONE and victim.suspended_organization == cast["a"]
    sec = login(cast["secadmin"])
    assert "确认恢复角色" not in sec.get(f"/accounts/users/{victim.pk}/").content.decode()
    sec.post(f"/accounts/users/{victim.pk}/confirm-roles/", {"version": victim.version})
    victim.refresh_from_db()
    assert victim.role == Role.NONE
    with pytest.raises(Exception, match="尚未设置本人密码"):
        services.confirm_roles(victim, actor=cast["secadmin"])


def test_the_security_admin_cannot_set_or_reset_passwords_or_second_factors(login, cast):
    """The security admin could raise any account to bureau admin; it must never also hold its password."""
    target = cast["inspector"]
    TOTPDevice.objects.create(user=target, name="身份验证器", key="00" * 20, confirmed=True)
    sec = login(cast["secadmin"])
    assert sec.post(f"/accounts/users/{target.pk}/reset-password/").status_code == 403
    assert sec.post(f"/accounts/users/{target.pk}/reset-otp/").status_code == 403
    assert sec.post(f"/accounts/users/{target.pk}/unlock/").status_code == 403
    assert sec.get("/accounts/users/new/").status_code == 403
    target.refresh_from_db()
    assert target.check_password(TEST_PASSWORD) and TOTPDevice.objects.filter(user=target).exists()


@pytest.mark.parametrize("who", ["bureau", "sysadmin"])
def test_account_managers_grant_and_confirm_no_roles(login, cast, who):
    victim = cast["admin_a"]
    c = login(cast[who])
    c.post(f"/accounts/users/{victim.pk}/reset-password/")
    victim.refresh_from_db()
    services.set_password(victim, NEW_PASSWORD, actor=victim)
    assert c.post(f"/accounts/users/{victim.pk}/confirm-roles/").status_code == 403
    assert (
        c.post(f"/accounts/users/{victim.pk}/scope/", {"role": "org_admin", "version": 9}).status_code == 403
    )
    assert User.objects.get(pk=victim.pk).role == Role.NONE


def test_the_add_user_command_keeps_its_contract(cast):
    """The server operator's bootstrap path grants the role at once (design §4)."""
    from io import StringIO

    from django.core.management import call_command

    call_command(
        "add_user", "qidong", "--role", "bureau_admin", "--password-stdin", stdin=StringIO("Boot#2026pw\n")
    )
    assert User.objects.get(username="qidong").role == Role.BUREAU_ADMIN


# --- item 9: the account form tells nobody a member's name or status by ID number ---------------------------
def test_the_scope_form_does_not_tell_a_members_name_or_status(login, cast):
    from dangjian.members.models import Member

    target = cast["inspector"]  # display name "inspector": matches no member
    sec = login(cast["secadmin"])
    suspended = member(cast["b"], "赵停党")
    Member.objects.filter(pk=suspended.pk).update(status="停止党籍")
    linked = cast["members_a"][0]  # linked to member_a
    from datetime import date

    from dangjian.core.idnumber import make_id_number

    unknown = make_id_number("411402", date(1990, 1, 1), 11)
    answers = set()
    for probe in (linked, suspended, cast["members_b"][0]):
        r = sec.post(
            f"/accounts/users/{target.pk}/scope/",
            {"role": "member", "member_id_number": probe.id_number, "version": target.version},
        )
        body = r.content.decode()
        assert r.status_code == 200 and probe.name not in body and "停止党籍" not in body
        assert "已关联账号" not in body and "党籍状态为" not in body
        answers.add(tuple(r.context["form"].errors["member_id_number"]))
    r = sec.post(
        f"/accounts/users/{target.pk}/scope/",
        {"role": "member", "member_id_number": unknown, "version": target.version},
    )
    answers.add(tuple(r.context["form"].errors["member_id_number"]))
    assert answers == {(MEMBER_REFUSED,)}
    assert User.objects.get(pk=target.pk).role == Role.INSPECTOR


def test_granting_again_on_the_scope_page_settles_a_suspension(login, cast):
    victim = cast["member"]
    login(cast["sysadmin"]).post(f"/accounts/users/{victim.pk}/reset-password/")
    victim.refresh_from_db()
    services.set_password(victim, NEW_PASSWORD, actor=victim)
    sec = login(cast["secadmin"])
    page = sec.get(f"/accounts/users/{victim.pk}/scope/")
    assert page.context["form"].initial["role"] == Role.MEMBER and "原角色“党员”" in page.content.decode()
    r = sec.post(f"/accounts/users/{victim.pk}/scope/", {"role": "member", "version": victim.version})
    assert r.status_code == 302
    victim.refresh_from_db()
    assert victim.role == Role.MEMBER and not victim.suspended_role and victim.roles_suspended_at is None
    cast["members_a"][0].refresh_from_db()
    assert cast["members_a"][0].user_id == victim.pk
