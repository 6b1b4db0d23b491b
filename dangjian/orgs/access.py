"""Who may do what on the organisation pages, on top of dangjian.accounts.scope (the only scope rule).

Bureau admins change anything; an org admin changes their own subtree, but never moves or dissolves their
own root (that is the superior organisation's decision); inspectors and members read; the three
administrators see no business data. A role lacking the permission gets 403 before any lookup, so that
out-of-scope objects answer 404 only to roles that could otherwise act on them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from dangjian.accounts.policy import Perm, requires
from dangjian.accounts.scope import editable_orgs, get_org_for_user, org_in_scope, subtree_root

from .models import BRANCH_KINDS, Organization

business_view = requires(Perm.VIEW_BUSINESS, "您的角色不能查看党组织业务数据")
writer_view = requires(Perm.CHANGE_BUSINESS, "您的角色没有维护党组织信息的权限")
bureau_view = requires(Perm.MANAGE_BUREAU, "只有局党建管理员可以维护单位信息")
bureau_or_reader_view = requires(Perm.VIEW_ALL, "只有局党建管理员和督查员可以查看单位名录")
admin_or_reader_view = requires(Perm.VIEW_STAFF, "您的角色不能查看换届情况")


def org_for_read(user: Any, pk: Any) -> Organization:
    return get_org_for_user(user, pk)


def org_for_write(user: Any, pk: Any) -> Organization:
    """404 outside the read scope, 403 when readable but not changeable."""
    return get_org_for_user(user, pk, write=True)


def can_edit(user: Any, org: Organization) -> bool:
    return org_in_scope(user, org, write=True)


def is_own_root(user: Any, org: Organization) -> bool:
    root = subtree_root(user)
    return root is not None and root.pk == org.pk


def can_restructure(user: Any, org: Organization) -> bool:
    """Move or dissolve: inside the write scope, and not an org admin's own root."""
    return can_edit(user, org) and not is_own_root(user, org)


def require_restructure(user: Any, org: Organization, what: str) -> None:
    if not can_restructure(user, org):
        raise PermissionDenied(f"党组织管理员不能{what}本级党组织；请联系上级党组织办理")


def parent_choices(user: Any, exclude: Organization | None = None) -> QuerySet[Organization]:
    """Where this user may put an organisation: live, non-branch organisations in the write scope
    (never the moved organisation's own subtree)."""
    qs = editable_orgs(user).filter(dissolved_on__isnull=True).exclude(kind__in=BRANCH_KINDS)
    if exclude is not None:
        qs = qs.exclude(path__startswith=exclude.path)
    return qs.order_by("path")
