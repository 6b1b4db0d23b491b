"""Who may do what in 督查考核. Scope itself always comes from dangjian.accounts.scope.

- 抽查 and the checklist, 雷同记录, 观摩 results: the inspector side (inspectors read all and record findings;
  the bureau admin does everything, including the draw and the checklist).
- 整改: the organisation responsible (its org admins, within their subtree) acts on its own rectifications;
  the inspector side verifies.
"""

from __future__ import annotations

from typing import Any

from dangjian.accounts import scope
from dangjian.accounts.policy import Perm, can, check, requires

from .flow import Party

__all__ = ["requires"]

# The permissions this app checks (accounts.policy.TABLE says which roles hold them).
INSPECTOR_SIDE = Perm.INSPECT
BUREAU = Perm.MANAGE_BUREAU
RECTIFICATION_READERS = Perm.VIEW_STAFF
BUSINESS = Perm.VIEW_BUSINESS


def is_inspector_side(user: Any) -> bool:
    return can(user, INSPECTOR_SIDE)


def is_bureau(user: Any) -> bool:
    return can(user, BUREAU)


def require(user: Any, perm: Perm, message: str = "您没有使用该功能的权限") -> None:
    check(user, perm, message)


def rectification_parties(user: Any, organization) -> frozenset[Party]:
    """The capacities in which `user` acts on a rectification of `organization`."""
    parties: set[Party] = set()
    if can(user, INSPECTOR_SIDE):
        parties.add(Party.INSPECTOR)
    # Whoever may write for the organisation acts for it: its org admins, and the bureau admin for any
    # organisation (e.g. entering material handed in on paper).
    if scope.org_in_scope(user, organization, write=True):
        parties.add(Party.ORG)
    return frozenset(parties)
