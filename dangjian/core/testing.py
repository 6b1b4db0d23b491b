"""The permission matrix (design §6, after pretix): every URL × every role of the cast.

Each app lists its URLs in `<app>/tests/urls_matrix.py`:

    def cases(cast) -> list[Case]

and `dangjian/tests/test_permission_matrix.py` runs them all and fails when a named URL has no case.
Rules: logged out → redirect to the login page; a cast member in `allow` → `ok` status; in `not_found` → 404
(the object lies outside their scope); everyone else → 403 (their role lacks the permission).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CAST_USERS = ("bureau", "admin_a", "admin_b", "member", "inspector", "auditor", "sysadmin", "secadmin")
BUSINESS_READERS = frozenset({"bureau", "admin_a", "admin_b", "member", "inspector"})


@dataclass
class Case:
    name: str  # the URL name, e.g. "orgs:detail"
    url: str
    allow: frozenset[str] | set[str]
    not_found: frozenset[str] | set[str] = frozenset()
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    ok: tuple[int, ...] = (200,)
    public: bool = False  # reachable without logging in (login page, health check)

    def expected(self, who: str) -> tuple[int, ...]:
        if who in self.allow:
            return self.ok
        if who in self.not_found:
            return (404,)
        return (403,)
