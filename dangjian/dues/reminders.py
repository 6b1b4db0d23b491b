"""月提醒 items from 党费 (design §4 `remind`): each member owed to the organisation with at least
DuesConfig.remind_months (default 3) unpaid months in a row, as of the month's first day:
`{"type": "dues", "member": "姓名", "arrears_months": 3}`."""

from __future__ import annotations

from datetime import date

from dangjian.core.periods import Period

from .arrears import in_arrears
from .models import DuesConfig


def items_for_month(month: Period, as_of: date, org_ids: list[int]) -> dict[int, list[dict]]:
    config = DuesConfig.current()
    out: dict[int, list[dict]] = {}
    for a in in_arrears(as_of, list(org_ids), config.remind_months):
        out.setdefault(a.org_id, []).append({"type": "dues", "member": a.name, "arrears_months": a.months})
    return out
