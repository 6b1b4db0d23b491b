"""Every write on units, organisations, party groups, terms, posts and 换届 steps, shared by the pages, the
`import_orgs` command and other apps; each write is audited in the same transaction (dangjian.core.audit).
Also the 换届 overview (`term_overview`), which the 月提醒 command and the dashboard reuse.

Permission (who may call what) is decided by the pages through dangjian.accounts.scope; the rules here are the
domain's own (a 党支部 has no sub-organisations, a delay is at most one year, …).
"""

from dangjian.core.actions import Refusal, Stale

from ..terms import step_after
from .base import POST_LABELS, STEP_LABELS
from .organizations import (
    JOINT_BRANCH_MAX_UNITS,
    NewOrganization,
    appendable,
    change_unit_kind,
    check_parent,
    create_organization,
    create_organizations,
    create_party_group,
    create_unit,
    create_units,
    dissolve_organization,
    move_organization,
    next_generated_code,
    update_organization,
    update_party_group,
    update_unit,
)
from .overview import TermRow, current_expiries, term_overview
from .terms import (
    PostInput,
    check_first_term,
    create_first_terms,
    current_term,
    grant_delay,
    record_election,
    record_step,
    renewal_term,
    save_current_term,
)

__all__ = [
    "NewOrganization",
    "appendable",
    "create_organizations",
    "JOINT_BRANCH_MAX_UNITS",
    "POST_LABELS",
    "STEP_LABELS",
    "PostInput",
    "Refusal",
    "Stale",
    "TermRow",
    "change_unit_kind",
    "check_parent",
    "create_organization",
    "create_party_group",
    "create_unit",
    "create_units",
    "current_term",
    "dissolve_organization",
    "grant_delay",
    "move_organization",
    "next_generated_code",
    "record_election",
    "record_step",
    "renewal_term",
    "check_first_term",
    "create_first_terms",
    "save_current_term",
    "step_after",
    "term_overview",
    "current_expiries",
    "update_organization",
    "update_party_group",
    "update_unit",
]
