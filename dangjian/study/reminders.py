"""月提醒 items from study: in the reminder months (default the fourth quarter) the members still short of the
yearly requirement, one item per organisation listing them."""

from __future__ import annotations

from datetime import date

from dangjian.core.periods import Period
from dangjian.members.models import Member

from .models import StudyConfig
from .services import behind


def items_for_month(month: Period, as_of: date, org_ids: list[int]) -> dict[int, list[dict]]:
    config = StudyConfig.current()
    if month.start.month < config.remind_from_month:
        return {}
    members = Member.objects.current().filter(organization_id__in=org_ids).order_by("organization_id", "name")
    rows: dict[int, list[dict]] = {}
    for (name, org_id, _, _), hours, required in behind(
        month.year, members, ("name", "organization_id", "id", "id_number")
    ):
        rows.setdefault(org_id, []).append(
            {"member": name, "hours": float(hours), "required": float(required)}
        )
    return {
        org_id: [{"type": "study", "year": month.year, "behind": len(found), "members": found}]
        for org_id, found in rows.items()
    }
