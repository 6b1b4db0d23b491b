"""Every URL of accounts and core (the audit pages) × every role of the cast (dangjian.core.testing)."""

from __future__ import annotations

from dangjian.core.testing import CAST_USERS, Case

ACCOUNT_VIEWERS = {"bureau", "sysadmin", "secadmin"}
ACCOUNT_MANAGERS = {"bureau", "sysadmin"}


def _target():
    """A business account nobody in the cast is, so that actions on it never lock a cast member out."""
    from dangjian.accounts.models import User
    from dangjian.accounts.roles import Role
    from dangjian.factories import user

    return User.objects.filter(username="matrix_target").first() or user("matrix_target", Role.INSPECTOR)


def _audit_entry():
    from dangjian.core import audit
    from dangjian.core.models import AuditAction, AuditEntry

    audit.record(AuditAction.OTHER, actor_name="权限矩阵", object_repr="测试记录")
    return AuditEntry.objects.order_by("-id").first()


def cases(cast):
    t = _target().pk
    auditor = cast["auditor"].pk
    entry = _audit_entry().pk
    return [
        Case("accounts:login", "/accounts/login/", allow=set(), public=True),
        # Signed in already: the second step sends people on to the home page.
        Case("accounts:login_otp", "/accounts/login/otp/", allow=set(CAST_USERS), ok=(302,)),
        Case("accounts:logout", "/accounts/logout/", allow=set(CAST_USERS), method="post", ok=(302,)),
        Case(
            "accounts:large_text",
            "/accounts/large-text/",
            allow=set(CAST_USERS),
            method="post",
            data={"on": "1"},
            ok=(302,),
        ),
        Case("accounts:password_change", "/accounts/password/", allow=set(CAST_USERS)),
        Case("accounts:otp_setup", "/accounts/otp/", allow=set(CAST_USERS)),
        Case("accounts:otp_remove", "/accounts/otp/remove/", allow=set(CAST_USERS), method="post", ok=(302,)),
        Case("accounts:user_list", "/accounts/users/", allow=ACCOUNT_VIEWERS),
        Case("accounts:user_create", "/accounts/users/new/", allow=ACCOUNT_MANAGERS),
        Case("accounts:user_detail", f"/accounts/users/{t}/", allow=ACCOUNT_VIEWERS),
        # An installation account (三员): hidden from the bureau admin, read-only for the system/security admins.
        Case(
            "accounts:user_detail",
            f"/accounts/users/{auditor}/",
            allow={"sysadmin", "secadmin"},
            not_found={"bureau"},
        ),
        Case("accounts:user_edit", f"/accounts/users/{t}/edit/", allow=ACCOUNT_MANAGERS),
        Case("accounts:user_edit", f"/accounts/users/{auditor}/edit/", allow=set(), not_found={"bureau"}),
        Case("accounts:user_scope", f"/accounts/users/{t}/scope/", allow={"secadmin"}),
        Case("accounts:user_scope", f"/accounts/users/{auditor}/scope/", allow=set()),
        Case(
            "accounts:user_set_active",
            f"/accounts/users/{t}/active/",
            allow=ACCOUNT_MANAGERS,
            method="post",
            data={"active": "1"},
            ok=(302,),
        ),
        Case(
            "accounts:user_reset_password",
            f"/accounts/users/{t}/reset-password/",
            allow=ACCOUNT_MANAGERS,
            method="post",
        ),
        Case(
            "accounts:user_reset_password",
            f"/accounts/users/{auditor}/reset-password/",
            allow=set(),
            not_found={"bureau"},
            method="post",
        ),
        Case(
            "accounts:user_reset_otp",
            f"/accounts/users/{t}/reset-otp/",
            allow=ACCOUNT_MANAGERS,
            method="post",
            ok=(302,),
        ),
        Case(
            "accounts:user_unlock",
            f"/accounts/users/{t}/unlock/",
            allow=ACCOUNT_MANAGERS,
            method="post",
            ok=(302,),
        ),
        # Only the security admin confirms a role suspended by a reset (issue 14 item 1).
        Case(
            "accounts:user_confirm_roles",
            f"/accounts/users/{t}/confirm-roles/",
            allow={"secadmin"},
            method="post",
            ok=(302,),
        ),
        Case(
            "accounts:user_confirm_roles",
            f"/accounts/users/{auditor}/confirm-roles/",
            allow=set(),
            method="post",
        ),
        Case("accounts:security", "/accounts/security/", allow={"sysadmin"}),
        Case("core:audit_list", "/audit/", allow={"auditor"}),
        Case("core:audit_detail", f"/audit/{entry}/", allow={"auditor"}),
        Case("core:audit_verify", "/audit/verify/", allow={"auditor"}),
    ]
