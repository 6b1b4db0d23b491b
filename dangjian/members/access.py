"""Who may see which member, built on the one scope helper (dangjian.accounts.scope).

bureau admin and inspector: every member; org admin: the members of their subtree; a member: ONLY their own
record (not their branch's roster, although the scope helper lets them read their organisation); the three
administrators: nobody.

Full ID numbers and phones: the member themself, and the writers whose scope covers the member (bureau admin,
org admin of the subtree). An inspector reads the whole roster but only masked.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from dangjian.accounts import policy
from dangjian.accounts.policy import Perm
from dangjian.accounts.scope import can_write, filter_by_org, member_record, org_in_scope, own_record_only

from .models import Member


def visible_members(user: Any) -> QuerySet[Member]:
    """Every member record this user may read (any status)."""
    if own_record_only(user):
        own = member_record(user)
        return Member.objects.filter(pk=own.pk) if own is not None else Member.objects.none()
    return filter_by_org(Member.objects.all(), user)


def editable_members(user: Any) -> QuerySet[Member]:
    return filter_by_org(Member.objects.all(), user, write=True)


def reads_members(user: Any) -> bool:
    return policy.can(user, Perm.VIEW_MEMBERS)


def is_self(user: Any, member: Member) -> bool:
    return member.user_id is not None and member.user_id == getattr(user, "pk", None)


def may_edit(user: Any, member: Member) -> bool:
    return can_write(user) and org_in_scope(user, member.organization, write=True)


def may_see_full_identity(user: Any, member: Member) -> bool:
    return is_self(user, member) or may_edit(user, member)


def may_export_full(user: Any) -> bool:
    """Exports carry full ID numbers (so that they re-import) only for writers; their scope bounds the rows."""
    return can_write(user)


def get_member_for_user(user: Any, pk: Any, *, write: bool = False) -> Member:
    """The member, or 404 outside what the user may read; 403 when readable but not changeable."""
    try:
        member = visible_members(user).select_related("organization", "party_group", "user").get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该党员")
    if write and not may_edit(user, member):
        raise PermissionDenied("您没有修改该党员信息的权限")
    return member
