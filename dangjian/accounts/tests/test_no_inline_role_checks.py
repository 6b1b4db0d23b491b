"""Guard: what a role may do is decided in accounts/policy.py (the table) and accounts/scope.py (the scope), not
by comparing an account's role inline in a page or a service.

A view, services or access module that compares `.role` (or `role_of(...)`) with `==`, `!=`, `in` or `not in`
fails this test: ask `policy.can / check / @requires(Perm.X)` or a scope helper (`scope.home_org`,
`scope.own_record_only`, `visible_orgs` …) instead. accounts/scope.py, accounts/policy.py and accounts/models.py are
the places that may. The allow-list names what remains in apps not yet moved (issue 17 part 2); an entry that no
longer occurs fails too, so the list only shrinks.
"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # dangjian/
DECIDERS = {"accounts/scope.py", "accounts/policy.py", "accounts/models.py"}

INLINE_ROLE = re.compile(
    r"^.*(?:"
    r"\.role\b\s*(?:==|!=|(?:not\s+)?in\b)"  # user.role == Role.X / request.user.role in (...)
    r"|(?:==|!=)\s*[\w.]*\.role\b"  # Role.X == user.role
    r"|\brole_of\([^)]*\)\s*(?:==|!=|(?:not\s+)?in\b)"  # role_of(user) == Role.X
    r"|getattr\([^,()]+,\s*[\"']role[\"'][^)]*\)\s*(?:==|!=|(?:not\s+)?in\b)"  # getattr(u, "role", None) == …
    r").*$",
    re.MULTILINE,
)

# Empty: every app asks the policy table or the scope helper (issue 17 part 2). Keep it so.
ALLOWED: set[tuple[str, str]] = set()


def _is_page_or_service(rel: str) -> bool:
    """views.py, views_*.py, views/…, services.py, services/…, access.py (the permission helpers of an app)."""
    parts = rel.split("/")
    name = parts[-1]
    return (
        name in {"views.py", "services.py", "access.py"}
        or name.startswith("views_")
        or any(p in {"views", "services"} for p in parts[:-1])
    )


def _modules() -> list[tuple[str, str]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if "/tests/" in f"/{rel}" or "/migrations/" in f"/{rel}" or rel in DECIDERS:
            continue
        if _is_page_or_service(rel):
            out.append((rel, path.read_text(encoding="utf-8")))
    return out


def test_no_inline_role_check_in_pages_and_services():
    found = {(rel, m.group(0).strip()) for rel, text in _modules() for m in INLINE_ROLE.finditer(text)}
    assert found - ALLOWED == set(), "ask accounts.policy (Perm, requires, check) or accounts.scope instead"
    assert ALLOWED - found == set(), "gone: remove it from ALLOWED"


def test_the_guard_sees_the_shapes_it_forbids():
    """The pattern matches what it guards against (else the test above could never fail), and the scan covers
    the modules of the apps that were moved."""
    for line in (
        "if request.user.role == Role.MEMBER:",
        "if user.role != Role.ORG_ADMIN:",
        "if user.role in (Role.BUREAU_ADMIN, Role.INSPECTOR):",
        "if user.role not in WRITER_ROLES:",
        "if Role.MEMBER == user.role:",
        "is_member = role_of(user) == Role.MEMBER",
        'if getattr(user, "role", None) == "org_admin":',
    ):
        assert INLINE_ROLE.search(line), line
    assert not INLINE_ROLE.search("user.role = Role.NONE")
    assert not INLINE_ROLE.search("qs.filter(role=Role.NONE)")
    scanned = {rel for rel, _ in _modules()}
    assert {
        "accounts/services.py",
        "accounts/views/users.py",
        "compliance/views.py",
        "compliance/views_setup.py",
        "compliance/services.py",
        "activities/views.py",
        "activities/services.py",
        "members/views.py",
        "members/services.py",
        "members/access.py",
    } <= scanned
    assert not scanned & DECIDERS
