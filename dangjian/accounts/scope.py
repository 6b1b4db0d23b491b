"""Access by scope: the one helper that decides what a user may see and change (design §3).

A bureau admin and an inspector see the whole tree (the inspector only reads); an org admin sees and changes
their organisation's subtree; a member sees their own record (and reads their own organisation); the three
administrators see no business data. Everything outside the scope answers 404, so its existence does not leak.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

from dangjian.orgs.models import Organization

from .roles import READ_ALL_ROLES, WRITER_ROLES, Role

M = TypeVar("M", bound=models.Model)


def _role(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


def scope_root(user: Any) -> Organization | None:
    """The organisation whose subtree an org admin manages (cached on the user object)."""
    if not hasattr(user, "_scope_root"):
        user._scope_root = user.organization if user.organization_id else None
    return user._scope_root


def member_record(user: Any):
    """The member record linked to this user, or None (cached)."""
    if not hasattr(user, "_member_record"):
        from dangjian.members.models import Member  # members sits below accounts; imported lazily

        user._member_record = Member.objects.filter(user_id=user.pk).select_related("organization").first()
    return user._member_record


def home_org(user: Any) -> Organization | None:
    """The organisation a user's own pages start from (本月待办 …): a member's branch, an org admin's own
    organisation; None for the roles that read the whole tree, and for those without business data."""
    role = _role(user)
    if role == Role.MEMBER:
        m = member_record(user)
        return m.organization if m else None
    if role == Role.ORG_ADMIN:
        return scope_root(user)
    return None


def own_record_only(user: Any) -> bool:
    """A member's scope is their own member record: of the roster and of personal records (study records,
    nominations) they read and report only their own, although `visible_orgs` lets them read their
    organisation; everyone else works through `filter_by_org`."""
    return _role(user) == Role.MEMBER


def visible_orgs(user: Any) -> models.QuerySet[Organization]:
    """Every organisation this user may read."""
    role = _role(user)
    qs = Organization.objects.all()
    if role in READ_ALL_ROLES:
        return qs
    if role == Role.ORG_ADMIN and (root := scope_root(user)) is not None:
        return qs.filter(path__startswith=root.path)
    if role == Role.MEMBER:
        m = member_record(user)
        return qs.filter(pk=m.organization_id) if m else qs.none()
    return qs.none()


def editable_orgs(user: Any) -> models.QuerySet[Organization]:
    """Every organisation whose records this user may change."""
    role = _role(user)
    if role == Role.BUREAU_ADMIN:
        return Organization.objects.all()
    if role == Role.ORG_ADMIN and (root := scope_root(user)) is not None:
        return Organization.objects.filter(path__startswith=root.path)
    return Organization.objects.none()


def subtree_root(user: Any) -> Organization | None:
    """The top of the subtree an org admin's scope is bounded by; None for a role not bounded by one."""
    return scope_root(user) if _role(user) == Role.ORG_ADMIN else None


def can_write(user: Any) -> bool:
    return _role(user) in WRITER_ROLES


def is_bureau_admin(user: Any) -> bool:
    return _role(user) == Role.BUREAU_ADMIN


def org_in_scope(user: Any, org: Organization | None, *, write: bool = False) -> bool:
    if org is None:
        return False
    role = _role(user)
    if role is None:
        return False
    if write:
        if role == Role.BUREAU_ADMIN:
            return True
        root = scope_root(user) if role == Role.ORG_ADMIN else None
        return root is not None and org.path.startswith(root.path)
    if role in READ_ALL_ROLES:
        return True
    if role == Role.ORG_ADMIN:
        root = scope_root(user)
        return root is not None and org.path.startswith(root.path)
    if role == Role.MEMBER:
        m = member_record(user)
        return m is not None and m.organization_id == org.pk
    return False


def filter_by_org(
    qs: models.QuerySet[M], user: Any, *, org_field: str = "organization", write: bool = False
) -> models.QuerySet[M]:
    """Restrict any queryset whose rows belong to an organisation (via `org_field`) to the user's scope."""
    role = _role(user)
    if role is None:
        return qs.none()
    if role == Role.BUREAU_ADMIN or (role == Role.INSPECTOR and not write):
        return qs
    if role == Role.ORG_ADMIN and (root := scope_root(user)) is not None:
        return qs.filter(**{f"{org_field}__path__startswith": root.path})
    if role == Role.MEMBER and not write:
        m = member_record(user)
        return qs.filter(**{f"{org_field}_id": m.organization_id}) if m else qs.none()
    return qs.none()


def get_org_for_user(user: Any, pk: Any, *, write: bool = False) -> Organization:
    """The organisation, or 404 when it does not exist or lies outside the scope."""
    try:
        org = Organization.objects.get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该党组织")
    if not org_in_scope(user, org):
        raise Http404("未找到该党组织")
    if write and not org_in_scope(user, org, write=True):
        raise PermissionDenied("您没有修改该党组织的权限")
    return org


def get_object_for_user(
    user: Any, qs: models.QuerySet[M], *, org_field: str = "organization", write: bool = False, **lookup: Any
) -> M:
    """Fetch one object of a queryset whose rows belong to an organisation; 404 outside the read scope,
    403 when it is readable but the user may not change it."""
    try:
        obj = filter_by_org(qs, user, org_field=org_field).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("未找到该记录")
    if write and not filter_by_org(qs.filter(pk=obj.pk), user, org_field=org_field, write=True).exists():
        raise PermissionDenied("您没有修改该记录的权限")
    return obj


def scope_label(user: Any) -> str:
    """What the layout shows as the user's scope."""
    role = _role(user)
    if role == Role.BUREAU_ADMIN:
        return "全局（可修改）"
    if role == Role.INSPECTOR:
        return "全局（只读）"
    if role == Role.ORG_ADMIN:
        root = scope_root(user)
        return f"{root.name}及下级" if root else "未指定"
    if role == Role.MEMBER:
        # A superuser keeps the default role and no member record: it is for installation only.
        return "安装维护账号（无业务数据）" if user.is_superuser else "本人信息"
    if role == Role.AUDIT_ADMIN:
        return "审计日志（只读）"
    if role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        return "系统管理（无业务数据）"
    if role == Role.NONE:
        return "角色待安全管理员确认（暂无业务数据）"
    return "—"
