"""Roles (design §4 `add_user`) and what each may do. 三员分立: the three administrators are separate."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", "局党建管理员"
    ORG_ADMIN = "org_admin", "党组织管理员"
    INSPECTOR = "inspector", "督查员"
    MEMBER = "member", "党员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"
    # An account opened on the pages, or one whose business role is suspended after an administrator reset its
    # password or second factor: no role until the security administrator grants or confirms one.
    NONE = "none", "未授予角色"


# Roles that see party business data (organisations, members, activities …).
BUSINESS_ROLES = frozenset({Role.BUREAU_ADMIN, Role.ORG_ADMIN, Role.INSPECTOR, Role.MEMBER})
# Roles that change business data inside their scope.
WRITER_ROLES = frozenset({Role.BUREAU_ADMIN, Role.ORG_ADMIN})
# Roles that read the whole tree.
READ_ALL_ROLES = frozenset({Role.BUREAU_ADMIN, Role.INSPECTOR})
# The three administrators (三员): no business data.
THREE_ADMINS = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles whose accounts must name an organisation / a member.
# Accounts the account pages manage: business accounts and those waiting for a business role.
MANAGED_ROLES = BUSINESS_ROLES | {Role.NONE}
NEEDS_ORG = frozenset({Role.ORG_ADMIN})
NEEDS_MEMBER = frozenset({Role.MEMBER})
ADMIN_ROLES = frozenset(
    {Role.BUREAU_ADMIN, Role.ORG_ADMIN, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
)
