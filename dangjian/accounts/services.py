"""Writes on accounts: creation, profile, role and scope, activation, passwords, TOTP devices, lockouts and the
security settings. Views and commands both come here; every write is audited in the same transaction.

A refusal is `AccountRefused` (a `core.actions.Refusal`): Chinese messages keyed by form field where one applies
(`errors`); a stale copy is `actions.Stale`. Views put either on the form with `put_on_form`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.core import actions, audit
from dangjian.core.actions import NON_FIELD, Refusal
from dangjian.core.idnumber import IdNumberError, parse_id_number
from dangjian.core.models import AuditAction
from dangjian.orgs.models import Organization

from .models import SecurityConfig, User
from .passwords import temporary_password
from .roles import BUSINESS_ROLES, NEEDS_MEMBER, NEEDS_ORG, Role
from .typing import Actor

# Roles whose account names an organisation: the org admin's subtree, or (optionally) the bureau's own 党组.
USES_ORG = frozenset({Role.ORG_ADMIN, Role.BUREAU_ADMIN})
STALE = "该账号已被他人修改，请刷新页面后重新操作"
TOTP_DEVICE_NAME = "身份验证器"
SECURITY_STALE = "安全设置已被他人修改，请刷新页面后重新操作"


class AccountRefused(Refusal):
    """A refused write on an account. `errors` maps a form field (or "__all__") to its Chinese message (a scope
    can be refused for several reasons at once); `message` joins them, `field` names the first."""

    default_code = "account_refused"

    def __init__(self, errors: Mapping[str, str] | str, field: str | None = None):
        self.errors = {field or NON_FIELD: errors} if isinstance(errors, str) else dict(errors)
        first = next(iter(self.errors), NON_FIELD)
        super().__init__("；".join(self.errors.values()), None if first == NON_FIELD else first)


def refusal_errors(exc: Refusal) -> dict[str, str]:
    """A refusal as field → message (a plain Refusal or Stale: its one message, on its field or the form)."""
    if isinstance(exc, AccountRefused):
        return exc.errors
    return {exc.field or NON_FIELD: exc.message}


def put_on_form(form: Any, exc: Refusal) -> None:
    """Each message of a refusal on its field when the form has it, else among the form's non-field errors."""
    for name, message in refusal_errors(exc).items():
        actions.refusal_to_form(form, Refusal(message, None if name == NON_FIELD else name))


def account_label(user: User) -> str:
    name = user.display_name
    return f"{name}（{user.username}）" if name and name != user.username else user.username


def role_label(role: str) -> str:
    return f"{Role(role).label}（{role}）" if role in Role.values else role


def org_label(org: Organization | None) -> str:
    return f"{org.name}（{org.code}）" if org is not None else ""


def member_label(member: Any) -> str:
    return f"{member.name}（{member.masked_id_number}）" if member is not None else ""


def linked_member(user: User) -> Any:
    from dangjian.members.models import Member  # members sits below accounts: read lazily

    return Member.objects.filter(user_id=user.pk).first() if user.pk else None


# --- look-ups used by forms and `add_user` ---------------------------------------------------------------
def find_org(code: str, *, field: str = "organization") -> Organization:
    code = (code or "").strip()
    org = Organization.objects.filter(code=code).first()
    if org is None:
        raise AccountRefused({field: f"未找到组织代码为“{code}”的党组织，请核对组织代码"})
    return org


def find_member(id_number: str, *, field: str = "member_id_number") -> Any:
    from dangjian.members.models import Member

    try:
        number = parse_id_number(id_number).number
    except IdNumberError as exc:
        raise AccountRefused({field: str(exc)}) from None
    member = Member.objects.select_related("organization").filter(id_number=number).first()
    if member is None:
        raise AccountRefused(
            {field: f"党员名册中没有公民身份号码为 {number} 的党员，请先在“党员”中录入该党员，或核对号码"}
        )
    return member


# --- scope rules ---------------------------------------------------------------------------------------------
def _check_scope(role: str, organization: Organization | None, member: Any, *, user: User | None) -> None:
    errors: dict[str, str] = {}
    if role == Role.NONE and (organization is not None or member is not None):
        errors["role"] = "未授予角色的账号不设管理范围，也不关联党员"
    if role not in Role.values:
        errors["role"] = f"未知角色“{role}”"
    if role in NEEDS_ORG and organization is None:
        errors["organization"] = "党组织管理员须指定所管理的党组织（其下级组织一并管理）"
    if organization is not None and role not in USES_ORG and role in Role.values:
        errors["organization"] = f"角色“{Role(role).label}”不设管理范围，请不要指定党组织"
    if organization is not None and organization.dissolved_on is not None:
        errors["organization"] = f"党组织“{organization.name}”已撤销，不能作为管理范围"
    if role in NEEDS_MEMBER and member is None:
        errors["member_id_number"] = "党员账号须关联党员名册中的一名党员（填写其公民身份号码）"
    if member is not None and role not in NEEDS_MEMBER:
        errors["member_id_number"] = "只有“党员”角色的账号关联党员，请清空公民身份号码"
    if member is not None and role in NEEDS_MEMBER:
        if member.status != "正常":
            errors["member_id_number"] = f"党员{member.name}的党籍状态为“{member.status}”，不能开通党员账号"
        elif member.user_id is not None and (user is None or member.user_id != user.pk):
            holder = User.objects.filter(pk=member.user_id).first()
            errors["member_id_number"] = (
                f"党员{member.name}已关联账号“{holder.username if holder else member.user_id}”，一名党员只能有一个账号"
            )
    if errors:
        raise AccountRefused(errors)


def _scope_values(role: str, organization: Organization | None, member: Any) -> dict[str, str]:
    return {"角色": role_label(role), "管理范围": org_label(organization), "关联党员": member_label(member)}


def _set_member_link(member: Any, user: User | None, actor: Actor, actor_name: str) -> None:
    from dangjian.members.models import Member

    old = member.user_id
    new = user.pk if user is not None else None
    if old == new:
        return
    # Only the link column: the roster's own fields and version stay untouched.
    Member.objects.filter(pk=member.pk).update(user=user)
    member.user_id = new
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        actor_name=actor_name,
        instance=member,
        changes={"user": [old, new]},
        note="关联登录账号" if user is not None else "解除与登录账号的关联",
    )


def _validate_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise AccountRefused({"username": "请填写用户名"})
    if len(username) > 150:
        raise AccountRefused({"username": "用户名不能超过 150 个字符"})
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise AccountRefused({"username": "用户名只能包含字母、数字和 @ . + - _ 字符"}) from None
    if User.objects.filter(username__iexact=username).exists():
        raise AccountRefused({"username": f"用户名“{username}”已存在，请换一个"})
    return username


def _validate_new_password(password: str, user: User) -> None:
    if not password:
        raise AccountRefused({"password": "密码不能为空"})
    try:
        validate_password(password, user)
    except ValidationError as exc:  # Django's password validators speak ValidationError
        raise AccountRefused({"password": "；".join(exc.messages)}) from None


# --- 三员分立: roles wait for the holder's own password and the security administrator ---------------------
AWAITS_OWN_PASSWORD = (
    "该账号的持有人尚未设置本人密码（待本人设置密码）。须由本人用临时密码登录并修改密码后，才能授予业务角色"
)
SUSPENDED = "未授予角色（暂停，待安全管理员确认）"


def _check_holder_set_password(user: User, role: str) -> None:
    if role in BUSINESS_ROLES and user.must_change_password:
        raise AccountRefused({"role": AWAITS_OWN_PASSWORD})


def _clear_suspension(user: User) -> list[str]:
    user.suspended_role, user.suspended_organization, user.roles_suspended_at = "", None, None
    return ["suspended_role", "suspended_organization", "roles_suspended_at"]


def suspend_roles(user: User, *, actor: Actor, actor_name: str = "", reason: str) -> bool:
    """Suspend the business role after an administrator reset the password or the second factor: whoever
    reset it may know the password now. The role and scope are kept for the security administrator's
    confirmation (`confirm_roles`); the linked member stays linked but reads nothing while the role is none.
    Runs inside the caller's transaction. False when there was no business role to suspend."""
    if not user.has_business_role or user.is_superuser:
        return False
    before = _scope_values(user.role, user.organization, linked_member(user))
    user.suspended_role, user.suspended_organization = user.role, user.organization
    user.roles_suspended_at = timezone.now()
    user.role, user.organization = Role.NONE, None
    actions.save_versioned(
        user,
        expected_version=None,
        locked=True,
        before={},
        fields=["role", "organization", "suspended_role", "suspended_organization", "roles_suspended_at"],
        actor=actor,
        actor_name=actor_name,
        event=AuditAction.PERMISSION,
        object_repr=account_label(user),
        changes={"角色": [before["角色"], SUSPENDED]},
        note=f"{reason}：业务角色暂停，待本人设置新密码并由安全管理员确认",
    )
    return True


@transaction.atomic
def confirm_roles(user: User, *, actor: Actor, actor_name: str = "", version: int | None = None) -> None:
    """The security administrator confirms the role suspended by a reset, once the holder has set a new
    password. The scope is checked again (the organisation may have been dissolved meanwhile)."""
    user = (
        User.objects.select_for_update(of=("self",)).select_related("suspended_organization").get(pk=user.pk)
    )
    actions.check_version(user, version, STALE)
    if not user.awaits_role or not user.suspended_role:
        raise AccountRefused("该账号没有待确认的角色")
    _check_holder_set_password(user, user.suspended_role)
    member = linked_member(user)
    role, organization = user.suspended_role, user.suspended_organization
    _check_scope(role, organization, member if role in NEEDS_MEMBER else None, user=user)
    user.role, user.organization = role, organization
    fields = _clear_suspension(user)
    after = _scope_values(role, organization, member if role in NEEDS_MEMBER else None)
    actions.save_versioned(
        user,
        expected_version=None,
        locked=True,
        before={},
        fields=["role", "organization", *fields],
        event=AuditAction.PERMISSION,
        actor=actor,
        actor_name=actor_name,
        object_repr=account_label(user),
        changes={
            "角色": [SUSPENDED, after["角色"]],
            **({"管理范围": ["", after["管理范围"]]} if organization else {}),
        },
        note="安全管理员确认恢复业务角色",
    )


# --- accounts ------------------------------------------------------------------------------------------------
@transaction.atomic
def create_user(
    *,
    username: str,
    role: str,
    password: str | None = None,
    organization: Organization | None = None,
    member: Any = None,
    display_name: str = "",
    phone: str = "",
    email: str = "",
    actor: Actor = None,
    actor_name: str = "",
    must_change_password: bool = True,
) -> tuple[User, str]:
    """Open an account with its initial role and scope. Without `password` a temporary one is generated;
    returns the user and the password (to be handed over once; it must be changed at first login)."""
    username = _validate_username(username)
    _check_scope(role, organization, member, user=None)
    user = User(
        username=username,
        role=role,
        organization=organization,
        display_name=(display_name or (member.name if member is not None else "")).strip()[:40],
        phone=phone.strip(),
        email=email.strip(),
        must_change_password=must_change_password,
    )
    password = password or temporary_password(username)
    _validate_new_password(password, user)
    user.set_password(password)
    user.save()
    if member is not None:
        _set_member_link(member, user, actor, actor_name)
    label = account_label(user)
    if role == Role.NONE:
        audit.log_create(
            user,
            actor=actor,
            actor_name=actor_name,
            note="开通账号（未授予角色，待本人设置密码后由安全管理员授予）",
        )
        return user, password
    audit.log_create(user, actor=actor, actor_name=actor_name, note="开通账号")
    audit.record(
        AuditAction.PERMISSION,
        actor=actor,
        actor_name=actor_name,
        instance=user,
        object_repr=label,
        changes={k: ["", v] for k, v in _scope_values(role, organization, member).items() if v},
        note="授予初始角色和管理范围",
    )
    return user, password


@transaction.atomic
def update_profile(
    user: User, *, display_name: str, phone: str, email: str, actor: Actor, version: int | None = None
) -> bool:
    user = actions.lock(User, user.pk, expected_version=version, message=STALE)
    before = audit.snapshot(user)
    user.display_name, user.phone, user.email = display_name.strip(), phone.strip(), email.strip()
    changes = actions.save_versioned(
        user,
        expected_version=version,
        actor=actor,
        event="user.update",
        note="修改账号信息",
        fields=["display_name", "phone", "email"],
        before=before,
        locked=True,
        skip_unchanged=True,
        message=STALE,
    )
    return bool(changes)


@transaction.atomic
def change_scope(
    user: User,
    *,
    role: str,
    organization: Organization | None,
    member: Any,
    actor: Actor,
    actor_name: str = "",
    version: int | None = None,
) -> bool:
    """Change an account's role and scope (the security administrator's task). Audited as 权限变更."""
    user = actions.lock(User, user.pk, expected_version=version, message=STALE)
    _check_holder_set_password(user, role)
    _check_scope(role, organization, member, user=user)
    old_member = linked_member(user)
    before = _scope_values(user.role, user.organization, old_member)
    after = _scope_values(role, organization, member)
    if before == after:
        return False
    # Granting a role to a suspended account settles the suspension: the security administrator decided.
    cleared = _clear_suspension(user) if user.suspended_role or user.roles_suspended_at else []
    if old_member is not None and (member is None or old_member.pk != member.pk):
        _set_member_link(old_member, None, actor, actor_name)
    if member is not None:
        _set_member_link(member, user, actor, actor_name)
    user.role, user.organization = role, organization
    actions.save_versioned(
        user,
        expected_version=None,
        locked=True,
        before={},
        fields=["role", "organization", *cleared],
        event=AuditAction.PERMISSION,
        actor=actor,
        actor_name=actor_name,
        object_repr=account_label(user),
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
        note="调整角色和管理范围" if before["角色"] != role_label(Role.NONE) else "授予业务角色和管理范围",
    )
    return True


@transaction.atomic
def set_active(user: User, active: bool, *, actor: Actor, actor_name: str = "") -> bool:
    """Deactivate or reactivate (accounts are never deleted). A deactivated user is signed out at once:
    the session no longer authenticates an inactive user."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return False
    before = audit.snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.log_update(
        user,
        before,
        actor=actor,
        actor_name=actor_name,
        note="启用账号" if active else "停用账号",
        event="account.enable" if active else "account.disable",
    )
    return True


@transaction.atomic
def set_password(
    user: User,
    raw_password: str,
    *,
    actor: Actor = None,
    actor_name: str = "",
    forced_change: bool = False,
    note: str = "修改密码",
) -> None:
    """Validate against the policy and store the new password; the model keeps the old hash in the history.
    `forced_change` makes the user change it at next login (a reset by an administrator). AccountRefused
    (on `password`) when the policy refuses it."""
    _validate_new_password(raw_password, user)
    user.set_password(raw_password)
    user.must_change_password = forced_change
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit.record(
        "account.reset_password" if forced_change else "account.change_password",
        actor=actor,
        actor_name=actor_name,
        instance=user,
        object_repr=account_label(user),
        changes={"password": ["***", "***"]},
        note=note,
    )


@transaction.atomic
def reset_password(user: User, *, actor: Actor, actor_name: str = "") -> str:
    """An administrator's reset on the account pages: a new temporary password, to be changed at the next
    login, and the business role suspended until the security administrator confirms it (the one who reset
    it knows the password now). Returns the password (shown once)."""
    user = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
    temp = temporary_password(user.username)
    set_password(
        user, temp, actor=actor, actor_name=actor_name, forced_change=True, note="重置密码（下次登录须修改）"
    )
    suspend_roles(user, actor=actor, actor_name=actor_name, reason="管理员重置密码")
    return temp


def unlock(user: User, *, actor: Actor, actor_name: str = "") -> int:
    """Lift a lockout after repeated failures (django-axes) before its 30 minutes have run out."""
    from axes.handlers.proxy import AxesProxyHandler

    count = AxesProxyHandler.reset_attempts(username=user.username)
    audit.record(
        "account.unlock",
        actor=actor,
        actor_name=actor_name,
        instance=user,
        object_repr=account_label(user),
        note="解除登录锁定",
    )
    return count


# --- TOTP (second factor) -----------------------------------------------------------------------------------
def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def _totp(key_hex: str) -> TOTP:
    return TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6, drift=0)


def matched_step(key_hex: str, token: str) -> int | None:
    """The time step a code matches for a secret that is not yet a device (during setup), or None."""
    token = (token or "").strip().replace(" ", "")
    if not (token.isdigit() and len(token) == 6):
        return None
    totp = _totp(key_hex)
    return totp.t() if totp.verify(int(token), tolerance=1) else None


@transaction.atomic
def confirm_totp(user: User, key_hex: str, token: str, *, actor: Actor = None) -> TOTPDevice:
    """Bind the authenticator whose secret was shown during setup, after it produced a right code."""
    step = matched_step(key_hex, token)
    if step is None:
        raise AccountRefused({"token": "动态口令不正确。请确认手机时间准确，输入验证器中当前显示的 6 位数字"})
    TOTPDevice.objects.filter(user=user).delete()
    # last_t: the code just used cannot be replayed for a login.
    device = TOTPDevice.objects.create(
        user=user, name=TOTP_DEVICE_NAME, key=key_hex, confirmed=True, last_t=step
    )
    audit.record(
        "account.bind_otp",
        actor=actor or user,
        instance=user,
        object_repr=account_label(user),
        changes={"totp": ["未启用", "已启用"]},
        note="绑定动态口令（双因素认证）",
    )
    return device


@transaction.atomic
def remove_totp(user: User, *, actor: Actor, actor_name: str = "", note: str = "解除动态口令绑定") -> bool:
    devices = TOTPDevice.objects.filter(user=user)
    if not devices.exists():
        return False
    devices.delete()
    audit.record(
        "account.reset_otp",
        actor=actor,
        actor_name=actor_name,
        instance=user,
        object_repr=account_label(user),
        changes={"totp": ["已启用", "未启用"]},
        note=note,
    )
    return True


@transaction.atomic
def reset_totp(user: User, *, actor: Actor, actor_name: str = "") -> bool:
    """An administrator's reset of the second factor on the account pages (a lost phone): the device is
    removed, the holder must set a new password at the next login, and the business role is suspended
    until the security administrator confirms it. False when no device was bound (nothing changes)."""
    user = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
    if not remove_totp(user, actor=actor, actor_name=actor_name, note="管理员重置动态口令"):
        return False
    if not user.must_change_password:
        user.must_change_password = True
        user.save(update_fields=["must_change_password"])
    suspend_roles(user, actor=actor, actor_name=actor_name, reason="管理员重置动态口令")
    return True


# --- security settings -------------------------------------------------------------------------------------
@transaction.atomic
def update_security_config(*, require_otp_for_admins: bool, actor: Actor, version: int | None = None) -> bool:
    config = SecurityConfig.objects.select_for_update().filter(pk=1).first() or SecurityConfig.current()
    actions.check_version(config, version, SECURITY_STALE)
    if config.require_otp_for_admins == require_otp_for_admins:
        return False
    before = {"require_otp_for_admins": config.require_otp_for_admins}
    config.require_otp_for_admins = require_otp_for_admins
    config.updated_at = timezone.now()
    config.updated_by = actor
    actions.save_versioned(
        config,
        expected_version=None,
        locked=True,
        before=before,
        event=AuditAction.UPDATE,
        actor=actor,
        changes={"require_otp_for_admins": [before["require_otp_for_admins"], require_otp_for_admins]},
        note="安全设置：管理类角色强制双因素认证" + ("开启" if require_otp_for_admins else "关闭"),
    )
    return True


@transaction.atomic
def set_large_text(user: User, on: bool, *, actor: Actor) -> bool:
    """A person switches their own 大字 mode (larger text, higher contrast) on or off; it stays with the account."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.large_text == on:
        return False
    before = audit.snapshot(user)
    user.large_text = on
    user.save(update_fields=["large_text"])
    audit.log_update(
        user, before, actor=actor, note="开启大字模式" if on else "关闭大字模式", event="account.display"
    )
    return True
