"""accounts.policy: the one table of who may do what (三员分立)."""

from __future__ import annotations

import pytest

from dangjian.accounts import policy
from dangjian.accounts.models import User
from dangjian.accounts.policy import Perm
from dangjian.accounts.roles import Role

BUSINESS_READ = {Perm.VIEW_BUSINESS, Perm.VIEW_MEMBERS, Perm.CHECK_IN}  # every business role may be a member
STARTS_JOBS = {Perm.VIEW_JOBS}  # imports, reports: one's own background jobs (issue 20)
DUES = {Perm.VIEW_DUES, Perm.COLLECT_DUES}  # 党费 (issue 16); the inspector only reads
EXPECTED = {
    Role.BUREAU_ADMIN: {Perm.VIEW_ACCOUNTS, Perm.MANAGE_ACCOUNTS}
    | BUSINESS_READ
    | {Perm.CHANGE_BUSINESS, Perm.INSPECT, Perm.MANAGE_BUREAU, Perm.NOMINATE_HONORS, Perm.RECORD_STUDY}
    | {Perm.REVIEW_ACTIVITIES, Perm.SEND_NOTIFICATIONS, Perm.VIEW_ALL, Perm.VIEW_STAFF}
    | STARTS_JOBS
    | DUES,
    Role.ORG_ADMIN: BUSINESS_READ
    | {Perm.ANSWER_NOTICES, Perm.CHANGE_BUSINESS, Perm.NOMINATE_HONORS, Perm.RECORD_STUDY}
    | {Perm.REVIEW_ACTIVITIES, Perm.SEND_NOTIFICATIONS, Perm.VIEW_OWN_TODO, Perm.VIEW_STAFF}
    | STARTS_JOBS
    | DUES,
    Role.INSPECTOR: BUSINESS_READ
    | {Perm.INSPECT, Perm.VIEW_ALL, Perm.VIEW_STAFF, Perm.VIEW_DUES}
    | STARTS_JOBS,  # reads; writes nothing
    Role.MEMBER: BUSINESS_READ | {Perm.RECORD_STUDY, Perm.VIEW_OWN_MEMBER, Perm.VIEW_OWN_TODO},
    # 三员: account duties only, no business permission at all (issue 14 item 1)
    Role.SYSTEM_ADMIN: {
        Perm.VIEW_ACCOUNTS,
        Perm.MANAGE_ACCOUNTS,
        Perm.CONFIGURE_SECURITY,
        Perm.OVERSEE_ACCOUNTS,
    },
    Role.SECURITY_ADMIN: {Perm.VIEW_ACCOUNTS, Perm.CHANGE_SCOPE, Perm.OVERSEE_ACCOUNTS},
    Role.AUDIT_ADMIN: {Perm.READ_AUDIT},
    Role.NONE: set(),  # an account waiting for the security admin's grant or confirmation holds nothing
}


def account(role: str, pk: int = 1, **kw) -> User:
    u = User(pk=pk, username=f"u{pk}", role=role, **kw)
    return u


@pytest.mark.parametrize("role", list(Role))
def test_grants_per_role(role):
    assert set(policy.perms_of(account(role))) == EXPECTED[role]


def test_the_three_administrators_hold_disjoint_duties():
    sysadmin, secadmin, auditor = (
        policy.perms_of(account(r)) for r in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
    )
    assert Perm.READ_AUDIT not in sysadmin | secadmin
    assert Perm.CHANGE_SCOPE not in sysadmin | auditor
    assert Perm.MANAGE_ACCOUNTS not in secadmin | auditor
    assert auditor == {Perm.READ_AUDIT}


def test_inactive_or_anonymous_users_hold_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert policy.perms_of(account(Role.SYSTEM_ADMIN, is_active=False)) == frozenset()
    assert policy.perms_of(AnonymousUser()) == frozenset()


def test_superusers_hold_nothing_by_being_superusers():
    su = account(Role.MEMBER, is_superuser=True)
    assert policy.perms_of(su) == policy.perms_of(account(Role.MEMBER))  # a member's, nothing more
    assert not su.has_perm("core.view_auditentry") and not su.has_module_perms("core")
    assert account(Role.AUDIT_ADMIN).has_perm("core.view_auditentry")
    assert account(Role.AUDIT_ADMIN).has_module_perms("core")
    assert not account(Role.AUDIT_ADMIN).has_perm("core.change_auditentry")


@pytest.mark.parametrize(
    "actor_role, perm, target_role, allowed",
    [
        (Role.BUREAU_ADMIN, Perm.MANAGE_ACCOUNTS, Role.MEMBER, True),
        (Role.BUREAU_ADMIN, Perm.MANAGE_ACCOUNTS, Role.BUREAU_ADMIN, True),
        (Role.BUREAU_ADMIN, Perm.MANAGE_ACCOUNTS, Role.AUDIT_ADMIN, False),
        (Role.SYSTEM_ADMIN, Perm.MANAGE_ACCOUNTS, Role.ORG_ADMIN, True),
        (Role.SYSTEM_ADMIN, Perm.MANAGE_ACCOUNTS, Role.SECURITY_ADMIN, False),
        (Role.SYSTEM_ADMIN, Perm.CHANGE_SCOPE, Role.ORG_ADMIN, False),
        (Role.SECURITY_ADMIN, Perm.CHANGE_SCOPE, Role.INSPECTOR, True),
        (Role.SECURITY_ADMIN, Perm.CHANGE_SCOPE, Role.NONE, True),
        (Role.SYSTEM_ADMIN, Perm.MANAGE_ACCOUNTS, Role.NONE, True),
        (Role.SYSTEM_ADMIN, Perm.CHANGE_SCOPE, Role.NONE, False),
        (Role.SECURITY_ADMIN, Perm.CHANGE_SCOPE, Role.SYSTEM_ADMIN, False),
        (Role.SECURITY_ADMIN, Perm.MANAGE_ACCOUNTS, Role.INSPECTOR, False),
        (Role.AUDIT_ADMIN, Perm.MANAGE_ACCOUNTS, Role.INSPECTOR, False),
    ],
)
def test_can_act_on(actor_role, perm, target_role, allowed):
    assert policy.can_act_on(account(actor_role, 1), perm, account(target_role, 2)) is allowed


def test_never_on_oneself_and_never_on_a_superuser():
    sysadmin = account(Role.SYSTEM_ADMIN, 1)
    assert not policy.can_act_on(sysadmin, Perm.MANAGE_ACCOUNTS, sysadmin)
    assert not policy.can_act_on(sysadmin, Perm.MANAGE_ACCOUNTS, account(Role.MEMBER, 2, is_superuser=True))
    assert "安装账号" in policy.refusal(sysadmin, Perm.MANAGE_ACCOUNTS, account(Role.AUDIT_ADMIN, 3))
    assert "自己的账号" in policy.refusal(sysadmin, Perm.MANAGE_ACCOUNTS, sysadmin)


def test_web_pages_grant_business_roles_only():
    assert set(policy.GRANTABLE_ROLES) == {Role.BUREAU_ADMIN, Role.ORG_ADMIN, Role.INSPECTOR, Role.MEMBER}


@pytest.mark.django_db
def test_otp_required_only_for_admin_roles_when_switched_on(cast):
    from dangjian.accounts import services

    assert not policy.otp_required(cast["bureau"])
    services.update_security_config(require_otp_for_admins=True, actor=cast["sysadmin"])
    required = {
        who
        for who in ("bureau", "admin_a", "member", "inspector", "auditor", "sysadmin", "secadmin")
        if policy.otp_required(cast[who])
    }
    assert required == {"bureau", "admin_a", "auditor", "sysadmin", "secadmin"}
