"""Who may do what in 督查考核. Scope itself always comes from dangjian.accounts.scope.

- 抽查 and the checklist, 雷同记录, 观摩 results: the inspector side (inspectors read all and record findings;
  the bureau admin does everything, including the draw and the checklist).
- 整改: the organisation responsible (its org admins, within their subtree) acts on its own rectifications;
  the inspector side verifies.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from dangjian.accounts import scope
from dangjian.accounts.roles import Role

from .flow import Party

INSPECTOR_SIDE = frozenset({Role.BUREAU_ADMIN, Role.INSPECTOR})
BUREAU = frozenset({Role.BUREAU_ADMIN})
RECTIFICATION_READERS = frozenset({Role.BUREAU_ADMIN, Role.INSPECTOR, Role.ORG_ADMIN})
BUSINESS = frozenset({Role.BUREAU_ADMIN, Role.INSPECTOR, Role.ORG_ADMIN, Role.MEMBER})


def role_of(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


def is_inspector_side(user: Any) -> bool:
    return role_of(user) in INSPECTOR_SIDE


def is_bureau(user: Any) -> bool:
    return role_of(user) == Role.BUREAU_ADMIN


def require(user: Any, roles: frozenset[str], message: str = "您没有使用该功能的权限") -> None:
    if role_of(user) not in roles:
        raise PermissionDenied(message)


def roles_required(roles: frozenset[str]):
    """View decorator: logged out → login page; a role outside `roles` → 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require(request.user, roles)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def rectification_parties(user: Any, organization) -> frozenset[Party]:
    """The capacities in which `user` acts on a rectification of `organization`."""
    role = role_of(user)
    parties: set[Party] = set()
    if role in INSPECTOR_SIDE:
        parties.add(Party.INSPECTOR)
    # The bureau admin may act for any organisation (e.g. entering material handed in on paper).
    if role == Role.BUREAU_ADMIN or (
        role == Role.ORG_ADMIN and scope.org_in_scope(user, organization, write=True)
    ):
        parties.add(Party.ORG)
    return frozenset(parties)
