"""月提醒 items from study: in the reminder months (default the fourth quarter) the members still short of the
yearly requirement, one item per organisation listing them."""

from __future__ import annotations

from datetime import date

from dangjian.core.periods import Period
from dangjian.members.models import Member

from .models import StudyConfig
from .progress import behind_schedule
from .services import yearly_progress


def items_for_month(month: Period, as_of: date, org_ids: list[int]) -> dict[int, list[dict]]:
    config = StudyConfig.current()
    if month.start.month < config.remind_from_month:
        return {}
    members = Member.objects.current().filter(organization_id__in=org_ids).order_by("organization_id", "name")
    behind: dict[int, list[dict]] = {}
    fields = ("id", "name", "id_number", "organization_id")
    for mp in yearly_progress(month.year, members, fields, only_behind=True):
        if behind_schedule(mp.progress, month.start.month, remind_from_month=config.remind_from_month):
            behind.setdefault(mp.member["organization_id"], []).append(
                {
                    "member": mp.member["name"],
                    "hours": float(mp.progress.hours),
                    "required": float(mp.progress.required),
                }
            )
    return {
        org_id: [{"type": "study", "year": month.year, "behind": len(rows), "members": rows}]
        for org_id, rows in behind.items()
    }
