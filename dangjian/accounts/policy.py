"""Who may do what: the one permission table (`TABLE`, permission → roles) for business pages and for
accounts, the security settings and the audit log (三员分立, GB/T 22239-2019 三级).

This module is the one place that decides it; views (`@requires(Perm.X)`), services (`check(user, Perm.X)`),
the side menu and home panels (core.nav, through `can_named`) and `User.has_perm` only ask it. Which objects a
permitted role reaches is accounts.scope's business (visible_orgs / get_object_for_user: 404 outside).

| 操作 | 局党建管理员 | 系统管理员 | 安全管理员 | 审计管理员 |
| --- | --- | --- | --- | --- |
| 查看账号列表 | 业务账号 | 全部账号 | 全部账号 | — |
| 开通账号（不含角色）、修改姓名电话、停用/启用、重置密码、重置动态口令、解除锁定 | 业务账号 | 业务账号 | — | — |
| 授予、调整和确认业务角色及管理范围（党组织、关联党员） | — | — | 业务账号 | — |
| 安全设置（管理类角色强制双因素认证） | — | ✓ | — | — |
| 查阅审计日志 | — | — | — | ✓ |

三员分立 in the web application (issue 14): whoever opens an account or resets its password or second factor
never decides what it may see, and whoever grants roles never learns a password. Accounts are opened without
a role; the security administrator grants one only once the holder has set their own password (first login
done). Resetting an account's password or second factor suspends its business role (role `none`, the
former role and scope kept in `suspended_role` / `suspended_organization`) until the holder has set a new
password and the security administrator has confirmed the role again. `dangjian add_user` on the server
stays the operator's bootstrap path: whoever runs commands there is trusted.

Business accounts are those with a business role (局党建管理员, 党组织管理员, 督查员, 党员) or waiting for one
(`none`). The accounts of the
three administrators and the Django superuser are installation accounts: they are created and maintained on the
server with `dangjian add_user` and `dangjian manage_account` and are never changed from the web pages, so that no administrator can take over
another's account (reset its password, move its role) and read what that role reads. Nobody acts on their own
account here (they change their own password and TOTP device on their own pages). The superuser has no business
scope: its role field applies like anybody else's, and `is_superuser` grants nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse

from .roles import ADMIN_ROLES, MANAGED_ROLES, Role


class Perm(StrEnum):
    VIEW_ACCOUNTS = "view_accounts"
    MANAGE_ACCOUNTS = "manage_accounts"
    CHANGE_SCOPE = "change_scope"
    CONFIGURE_SECURITY = "configure_security"
    READ_AUDIT = "read_audit"
    # Business permissions (issue 17). Each says what a role may open at all; *which* objects stays with
    # accounts.scope (visible_orgs / get_object_for_user: 404 outside the scope).
    VIEW_BUSINESS = (
        "view_business"  # organisations, activities, compliance, duties, study, honors, observations
    )
    VIEW_OWN_MEMBER = "view_own_member"  # 我的党员信息
    VIEW_MEMBERS = "view_members"  # the roster (a member sees only their own record in it)
    CHANGE_BUSINESS = "change_business"  # organisations, members, activities, duties in one's write scope
    REVIEW_ACTIVITIES = "review_activities"
    MANAGE_BUREAU = "manage_bureau"  # the bureau's own settings: units, kinds, requirements, rules, plans …
    VIEW_STAFF = "view_staff"  # 换届, 整改, 年终总评 results, reports, 表彰 reviews, study progress
    VIEW_ALL = "view_all"  # 单位名录, 清单完成情况: the whole tree at once
    INSPECT = "inspect"  # 抽查, 雷同记录, 观摩评分, 年终总评 worksheets (read; the inspector writes nothing in 年终总评)
    RECORD_STUDY = "record_study"  # 学习记录 (a member reports their own)
    NOMINATE_HONORS = "nominate_honors"
    SEND_NOTIFICATIONS = "send_notifications"
    VIEW_OWN_TODO = "view_own_todo"  # home panel 本月待办: one's own organisation or record
    ANSWER_NOTICES = "answer_notices"  # home panel 待办通知: an organisation answers the bureau's notices
    OVERSEE_ACCOUNTS = "oversee_accounts"  # home panel 账号概况 for the system and security administrators
    VIEW_JOBS = "view_jobs"  # 我的后台任务: one's own imports, reports, exports run as jobs (issue 20)
    VIEW_DUES = "view_dues"  # 党费 ledgers and statistics (a member reads their own by VIEW_OWN_MEMBER)
    COLLECT_DUES = "collect_dues"  # 党费: 核定基数, 登记缴纳和上缴, 欠交处置 in one's write scope
    CHECK_IN = "check_in"  # 扫码签到: a party member (any business role may be one) checks in at a meeting


BUR, ORG, INS, MEM = Role.BUREAU_ADMIN, Role.ORG_ADMIN, Role.INSPECTOR, Role.MEMBER

# The one table: which roles hold each permission. Role `none` (no role yet, or a business role suspended
# after a password / second-factor reset) holds nothing, and neither does an inactive account.
TABLE: dict[Perm, frozenset[str]] = {
    Perm.VIEW_ACCOUNTS: frozenset({BUR, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}),
    Perm.MANAGE_ACCOUNTS: frozenset({BUR, Role.SYSTEM_ADMIN}),
    Perm.CHANGE_SCOPE: frozenset({Role.SECURITY_ADMIN}),
    Perm.CONFIGURE_SECURITY: frozenset({Role.SYSTEM_ADMIN}),
    Perm.READ_AUDIT: frozenset({Role.AUDIT_ADMIN}),
    Perm.VIEW_BUSINESS: frozenset({BUR, ORG, INS, MEM}),
    Perm.VIEW_OWN_MEMBER: frozenset({MEM}),
    Perm.VIEW_MEMBERS: frozenset({BUR, ORG, INS, MEM}),
    Perm.CHANGE_BUSINESS: frozenset({BUR, ORG}),
    Perm.REVIEW_ACTIVITIES: frozenset({BUR, ORG}),
    Perm.MANAGE_BUREAU: frozenset({BUR}),
    Perm.VIEW_STAFF: frozenset({BUR, ORG, INS}),
    Perm.VIEW_ALL: frozenset({BUR, INS}),
    Perm.INSPECT: frozenset({BUR, INS}),
    Perm.RECORD_STUDY: frozenset({BUR, ORG, MEM}),
    Perm.NOMINATE_HONORS: frozenset({BUR, ORG}),
    Perm.SEND_NOTIFICATIONS: frozenset({BUR, ORG}),
    Perm.VIEW_OWN_TODO: frozenset({ORG, MEM}),
    Perm.ANSWER_NOTICES: frozenset({ORG}),
    Perm.OVERSEE_ACCOUNTS: frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}),
    Perm.VIEW_JOBS: frozenset({BUR, ORG, INS}),
    Perm.VIEW_DUES: frozenset({BUR, ORG, INS}),
    Perm.COLLECT_DUES: frozenset({BUR, ORG}),
    Perm.CHECK_IN: frozenset({BUR, ORG, INS, MEM}),
}

GRANTS: dict[str, frozenset[Perm]] = {
    role: frozenset(perm for perm, roles in TABLE.items() if role in roles) for role in Role.values
}
# Roles that only ever see business accounts in the account list.
BUSINESS_ACCOUNTS_ONLY = frozenset({Role.BUREAU_ADMIN})
# Django permission strings other apps may check with user.has_perm (core cannot import accounts).
DJANGO_PERMS: dict[str, Perm] = {"core.view_auditentry": Perm.READ_AUDIT}
# Roles granted from the web pages (creation and later changes); the three administrators' roles are
# granted only on the server (`dangjian add_user`).
GRANTABLE_ROLES: tuple[Role, ...] = (Role.BUREAU_ADMIN, Role.ORG_ADMIN, Role.INSPECTOR, Role.MEMBER)

DESCRIPTIONS: dict[Perm, str] = {
    Perm.VIEW_ACCOUNTS: "查看账号",
    Perm.MANAGE_ACCOUNTS: "开通账号、停用/启用、重置密码和动态口令、解除锁定",
    Perm.CHANGE_SCOPE: "授予和调整角色及管理范围",
    Perm.CONFIGURE_SECURITY: "安全设置",
    Perm.READ_AUDIT: "查阅审计日志",
    Perm.VIEW_BUSINESS: "查看党建业务数据",
    Perm.VIEW_OWN_MEMBER: "查看本人党员信息",
    Perm.VIEW_MEMBERS: "查看党员信息",
    Perm.CHANGE_BUSINESS: "维护党建业务数据",
    Perm.REVIEW_ACTIVITIES: "审核组织生活记录",
    Perm.MANAGE_BUREAU: "局党建管理员的设置和管理",
    Perm.VIEW_STAFF: "查看管理类统计和评审",
    Perm.VIEW_ALL: "查看全局汇总",
    Perm.INSPECT: "督查检查",
    Perm.RECORD_STUDY: "登记学习记录",
    Perm.NOMINATE_HONORS: "推荐表彰对象",
    Perm.SEND_NOTIFICATIONS: "发送提醒",
    Perm.VIEW_OWN_TODO: "查看本组织或本人待办",
    Perm.ANSWER_NOTICES: "办理重点工作通知",
    Perm.OVERSEE_ACCOUNTS: "查看账号概况",
    Perm.VIEW_JOBS: "查看本人发起的后台任务",
    Perm.VIEW_DUES: "查看党费收缴情况",
    Perm.COLLECT_DUES: "登记党费收缴",
    Perm.CHECK_IN: "扫码签到（本人）",
}


def _role(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


def perms_of(user: Any) -> frozenset[Perm]:
    return GRANTS.get(_role(user) or "", frozenset())


def can(user: Any, perm: Perm) -> bool:
    return perm in perms_of(user)


def check(user: Any, perm: Perm, message: str | None = None) -> None:
    """For services and views: PermissionDenied (a 403 page) unless the user's role holds `perm`."""
    if not can(user, perm):
        raise PermissionDenied(message or f"您的角色没有“{DESCRIPTIONS[perm]}”的权限")


require = check


def roles_with(perm: Perm) -> list[str]:
    """The roles holding `perm` (for queries such as "every account that may rate")."""
    return sorted(TABLE[perm])


def can_named(user: Any, name: str) -> bool:
    """`can` by the permission's string value (core's menu knows names, not this module)."""
    try:
        return can(user, Perm(name))
    except ValueError:
        return False


View = Callable[..., HttpResponse]


def requires(perm: Perm, message: str | None = None) -> Callable[[View], View]:
    """View decorator: logged out → the login page; a role without `perm` → 403. The menu (core.nav) reads
    `required_permission` from the view, so it never offers a link that answers 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            check(request.user, perm, message)
            return view(request, *args, **kwargs)

        guarded = login_required(wrapped)
        guarded.required_permission = perm  # type: ignore[attr-defined]
        return guarded

    return decorator


def is_business_account(target: Any) -> bool:
    return target.role in MANAGED_ROLES and not target.is_superuser


def is_installation_account(target: Any) -> bool:
    """The three administrators and superusers: maintained on the server only."""
    return not is_business_account(target)


def visible_accounts(user: Any) -> models.QuerySet:
    from .models import User

    if not can(user, Perm.VIEW_ACCOUNTS):
        return User.objects.none()
    qs = User.objects.all()
    if sees_business_accounts_only(user):
        qs = qs.filter(role__in=list(MANAGED_ROLES), is_superuser=False)
    return qs


def sees_business_accounts_only(user: Any) -> bool:
    """Whether the account list shows this user business accounts only (局党建管理员)."""
    return _role(user) in BUSINESS_ACCOUNTS_ONLY


def can_act_on(user: Any, perm: Perm, target: Any) -> bool:
    """May `user` use `perm` on this account? (Only business accounts, never one's own.)"""
    if perm not in (Perm.MANAGE_ACCOUNTS, Perm.CHANGE_SCOPE):
        return False
    return can(user, perm) and is_business_account(target) and target.pk != user.pk


def refusal(user: Any, perm: Perm, target: Any) -> str:
    """Why `user` may not use `perm` on `target` (for the page)."""
    if not can(user, perm):
        return f"您的角色没有“{DESCRIPTIONS[perm]}”的权限"
    if target.pk == user.pk:
        return "不能在此处修改自己的账号；修改密码和动态口令请使用“账号安全”页面"
    return (
        "三员账号和超级用户属于安装账号，只能由安装人员在服务器上用 dangjian add_user / manage_account 维护"
    )


def get_account_for(user: Any, pk: Any, perm: Perm | None = None) -> Any:
    """The account. 403 when the role lacks the permission at all; 404 when this user may not see the account;
    403 when it is seen but `perm` may not be used on it (an installation account, one's own)."""
    from .models import User

    require(user, Perm.VIEW_ACCOUNTS)
    if perm is not None:
        require(user, perm)
    try:
        target = visible_accounts(user).select_related("organization").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该账号")
    if perm is not None and not can_act_on(user, perm, target):
        raise PermissionDenied(refusal(user, perm, target))
    return target


def grantable_roles(user: Any, perm: Perm) -> tuple[Role, ...]:
    return GRANTABLE_ROLES if can(user, perm) else ()


def otp_required(user: Any) -> bool:
    """Whether the system administrator's switch obliges this user to use a TOTP device."""
    from .models import SecurityConfig

    return _role(user) in ADMIN_ROLES and SecurityConfig.current().require_otp_for_admins


def has_django_perm(user: Any, perm: str) -> bool:
    needed = DJANGO_PERMS.get(perm)
    return needed is not None and can(user, needed)


def has_module_perms(user: Any, app_label: str) -> bool:
    return any(p.startswith(app_label + ".") and has_django_perm(user, p) for p in DJANGO_PERMS)
