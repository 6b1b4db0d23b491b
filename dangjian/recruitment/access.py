"""Who sees which candidate and who records which step, built on the one scope helper (accounts.scope).

Reading: the roles that read staff figures (bureau admin, inspector: everything; an org admin: their subtree).
A member reads no candidate (their own record is on the roster once they join). Outside the scope: 404.

Recording (issue 15 part 3): the **branch** — the administrator of the candidate's own branch — records steps
1–3, 5–7, 9, 10, 12, 14, 15, 19–23; the **superior 党委** — an administrator of an organisation above the branch, or
the bureau admin — records 4, 8, 11, 13, 16–18, 24, 25 and waives interval rules. A command (no user) acts for
both. Steps 17 and 24 are approvals: a 党总支 has no power to approve (rules.NO_APPROVAL_BY_GENERAL_BRANCH).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.accounts import policy
from dangjian.accounts.policy import Perm
from dangjian.accounts.scope import filter_by_org, is_bureau_admin, own_record_only, subtree_root
from dangjian.orgs.models import Organization, OrgKind

from . import rules
from .models import Candidate


def reads_candidates(user: Any) -> bool:
    return policy.can(user, Perm.VIEW_STAFF) and not own_record_only(user)


def visible_candidates(user: Any) -> QuerySet[Candidate]:
    if not reads_candidates(user):
        return Candidate.objects.none()
    return filter_by_org(Candidate.objects.all(), user)


def get_candidate_for_user(user: Any, pk: Any) -> Candidate:
    try:
        return visible_candidates(user).select_related("organization", "member").get(pk=pk)
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该发展党员对象")


def capacities(user: Any, org: Organization) -> frozenset[str]:
    """What `user` is for a candidate of `org`: {BRANCH}, {SUPERIOR}, both (a command) or neither."""
    if user is None:
        return frozenset({rules.BRANCH, rules.SUPERIOR})
    if not policy.can(user, Perm.CHANGE_BUSINESS):
        return frozenset()
    if is_bureau_admin(user):
        return frozenset({rules.SUPERIOR})
    root = subtree_root(user)
    if root is None or not org.path.startswith(root.path):
        return frozenset()
    return frozenset({rules.BRANCH if root.pk == org.pk else rules.SUPERIOR})


def may_approve(user: Any) -> bool:
    """An approval (17, 24) is the 基层党委's: not a 党总支's (the bureau and commands act for the bureau)."""
    if user is None or is_bureau_admin(user):
        return True
    root = subtree_root(user)
    return root is not None and root.kind != OrgKind.GENERAL_BRANCH


def refusal_for(user: Any, org: Organization, number: int) -> str | None:
    """Why `user` may not record step `number` for a candidate of `org` (None: they may)."""
    step = rules.STEPS[number]
    if step.actor in capacities(user, org):
        return None
    if step.actor == rules.BRANCH:
        return f"{step.ref}由党支部办理（{org.name}的党组织管理员登记）"
    return f"{step.ref}由上级党委办理（上级党组织管理员或局党建管理员登记）"


def branch_orgs(user: Any) -> QuerySet[Organization]:
    """The branches whose steps `user` records (step 1 creates a candidate there)."""
    root = subtree_root(user)
    if root is None or not policy.can(user, Perm.CHANGE_BUSINESS) or not root.is_branch or not root.is_active:
        return Organization.objects.none()
    return Organization.objects.filter(pk=root.pk)


def superior_candidates(user: Any) -> QuerySet[Candidate]:
    """The candidates for whom `user` acts as the superior 党委 (the queue's scope)."""
    if is_bureau_admin(user):
        return Candidate.objects.all()
    root = subtree_root(user)
    if root is None or not policy.can(user, Perm.CHANGE_BUSINESS):
        return Candidate.objects.none()
    return Candidate.objects.filter(Q(organization__path__startswith=root.path) & ~Q(organization=root))


def is_superior_somewhere(user: Any) -> bool:
    if is_bureau_admin(user):
        return True
    root = subtree_root(user)
    return root is not None and policy.can(user, Perm.CHANGE_BUSINESS) and not root.is_branch
