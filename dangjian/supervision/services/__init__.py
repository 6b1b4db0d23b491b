"""Every write of 督查考核 goes through these services (shared by pages, commands and the demo).

`observation_score(org_id, year)` is the entry point for the year-end appraisal.
"""

from .common import ServiceError, StaleVersion
from .inspections import (
    DrawPlan,
    DrawRequest,
    FindingInput,
    add_finding_photos,
    create_round,
    plan_draw,
    record_findings,
    remove_finding_photo,
    replay_round,
    save_checklist_item,
    save_inspection,
)
from .observations import (
    ObservationInput,
    RubricRow,
    cancel_observation,
    create_observation,
    observation_score,
    results,
    save_rubric,
    save_scores,
    set_final,
    update_observation,
)
from .rectifications import act, overdue_rectifications

__all__ = [
    "DrawPlan",
    "DrawRequest",
    "FindingInput",
    "ObservationInput",
    "RubricRow",
    "ServiceError",
    "StaleVersion",
    "act",
    "cancel_observation",
    "add_finding_photos",
    "create_observation",
    "create_round",
    "observation_score",
    "overdue_rectifications",
    "plan_draw",
    "record_findings",
    "save_inspection",
    "remove_finding_photo",
    "replay_round",
    "results",
    "save_checklist_item",
    "save_rubric",
    "save_scores",
    "set_final",
    "update_observation",
]
