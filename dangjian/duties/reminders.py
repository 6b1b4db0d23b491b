"""月提醒 items from duties: overdue or due responsibility items and open notices, per organisation.

The `remind` command (dangjian.notify) merges these with its other items. Everything is computed as of `as_of`
(the first day of the month for `remind`): reports, acknowledgements and feedback dated later are ignored, so a
month's reminder is reproducible. Three queries whatever the number of organisations.

Duty items: the issued lists of an organisation for this year and last; each occurrence due by the end of the
month that has no report yet — `overdue` once its due date has passed (no grace: see cadence.GRACE_DAYS).
Notice items: every notice issued to the organisation by `as_of` that is not finished (fed back, or acknowledged
when no feedback is asked), with status 未签收 / 已签收 / 逾期; overdue notices are kept for a year after their
deadline and then dropped, so that one forgotten notice does not fill every reminder for ever.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from dangjian.core.periods import Period

from .cadence import GRACE_DAYS, is_overdue
from .models import Duty, DutyReport, ListStatus, NoticeStatus, NoticeTarget
from .services.responsibility import year_occurrences
from .tracking import TargetStatus, day_ends_at, target_status

OVERDUE_NOTICE_HORIZON = timedelta(days=365)


def _duty_items(month: Period, as_of: date, org_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    duties = list(
        Duty.objects.filter(
            is_active=True,
            duty_list__is_deleted=False,
            duty_list__status=ListStatus.ISSUED,
            duty_list__organization_id__in=org_ids,
            duty_list__year__in=[month.year - 1, month.year],
        )
        .select_related("duty_list")
        .order_by("duty_list_id", "seq", "id")
    )
    reported = {
        (duty_id, key, timezone.localdate(at))
        for duty_id, key, at in DutyReport.objects.filter(duty__in=[d.pk for d in duties]).values_list(
            "duty_id", "period_key", "reported_at"
        )
    }
    done = {(d, k) for d, k, on in reported if on <= as_of}
    items: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for d in duties:
        for occ in year_occurrences(d):
            if occ.due_on > month.end or (d.pk, occ.key) in done:
                continue
            item = {
                "type": "duty",
                "duty": d.pk,
                "title": d.short_title,
                "due_on": occ.due_on.isoformat(),
                "overdue": is_overdue(occ.due_on, as_of, GRACE_DAYS),
            }
            # The same duty text recurs in every leader's 一岗双责 list: the name tells the reminders apart.
            responsible = d.responsible_name or d.duty_list.holder_name
            if responsible:
                item["responsible"] = responsible
            items[d.duty_list.organization_id].append(item)
    return items


def _notice_items(as_of: date, org_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """One query of bare tuples. What is already done by `as_of` (fed back; or, where no feedback is asked,
    signed for) is left out in SQL: a 10× city has 700,000 targets, nearly all of them done."""
    tz = timezone.get_current_timezone()
    cutoff = day_ends_at(as_of, tz)  # "on or before as_of", in local days
    targets = (
        NoticeTarget.objects.filter(
            organization_id__in=org_ids,
            notice__status=NoticeStatus.ISSUED,
            notice__deadline__gte=as_of - OVERDUE_NOTICE_HORIZON,
            notice__issued_at__lt=cutoff,
        )
        .exclude(notice__requires_feedback=True, fed_back_at__lt=cutoff)
        .exclude(notice__requires_feedback=False, acknowledged_at__lt=cutoff)
        .order_by()  # items_for_month sorts each organisation's items
        .values_list(
            "organization_id",
            "acknowledged_at",
            "fed_back_at",
            "notice_id",
            "notice__title",
            "notice__deadline",
            "notice__requires_feedback",
        )
    )
    items: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for org_id, acknowledged_at, fed_back_at, notice_id, title, deadline, requires_feedback in targets:
        status = target_status(
            deadline=deadline,
            acknowledged_on=acknowledged_at.astimezone(tz).date() if acknowledged_at else None,
            fed_back_on=fed_back_at.astimezone(tz).date() if fed_back_at else None,
            as_of=as_of,
            requires_feedback=requires_feedback,
        )
        if status is TargetStatus.FED_BACK or (not requires_feedback and status is TargetStatus.ACKED):
            continue
        items[org_id].append(
            {
                "type": "notice",
                "notice": notice_id,
                "title": title,
                "deadline": deadline.isoformat(),
                "status": status.value,
            }
        )
    return items


def items_for_month(month: Period, as_of: date, org_ids: list[int]) -> dict[int, list[dict]]:
    """{org_id: [item, …]} for every organisation asked (an empty list when it has nothing), oldest first."""
    org_ids = list(org_ids)
    result: dict[int, list[dict]] = {oid: [] for oid in org_ids}
    if not org_ids:
        return result
    for part in (_duty_items(month, as_of, org_ids), _notice_items(as_of, org_ids)):
        for oid, items in part.items():
            result[oid].extend(items)
    for items in result.values():
        items.sort(
            key=lambda i: (i.get("due_on") or i.get("deadline"), i["type"], i.get("duty") or i.get("notice"))
        )
    return result
