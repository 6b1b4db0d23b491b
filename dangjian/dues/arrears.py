"""Consecutive arrears as of a day (月提醒 and 本月待办 at 3 months; the branch's handling at 6: 党章 第九条).

Counted over the months that ended before `as_of`'s month, back through a window of 24 months: the unpaid months
owed in a row up to the last one (ledger.streaks). Memoised under the versions of every table it reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from dangjian.core import memo
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import ledger

WINDOW = 24
TOPICS = (
    "members_member",
    "members_membershipevent",
    "orgs_organization",
    "dues_duesbase",
    "dues_duespayment",
    "dues_paymentmethod",
    "dues_duesconfig",
)


@dataclass(frozen=True)
class Arrears:
    member_id: int
    name: str
    org_id: int  # the organisation owed the last month of the run
    months: int
    since: date  # the run's first month
    owed: Decimal


def _compute(
    as_of: date, org_ids: tuple[int, ...] | None, member_id: int | None, window: int
) -> list[Arrears]:
    months = ledger.arrears_window(as_of, window)
    orgs = Organization.objects.filter(pk__in=org_ids) if org_ids is not None else None
    sheet = ledger.build(months, as_of, orgs=orgs, member_ids=[member_id] if member_id else None)
    by_member = sheet.by_member()
    out = []
    for mid, (n, since) in ledger.streaks(sheet).items():
        if n == 0 or since is None:
            continue
        cells = [c for c in by_member[mid] if c.month >= since]
        out.append(
            Arrears(
                mid,
                sheet.members[mid].name,
                cells[-1].org_id,
                n,
                since,
                sum((c.shortfall for c in cells), ledger.ZERO),
            )
        )
    out.sort(key=lambda a: (-a.months, a.name, a.member_id))
    return out


def in_arrears(
    as_of: date, orgs: QuerySet[Organization] | list[int] | None, min_months: int, window: int = WINDOW
) -> list[Arrears]:
    """Members owed to `orgs` (all when None) with at least `min_months` unpaid months in a row, longest first."""
    if orgs is None:
        org_ids = None
    elif isinstance(orgs, QuerySet):
        org_ids = tuple(sorted(orgs.values_list("pk", flat=True)))
    else:
        org_ids = tuple(sorted(orgs))
    found = memo.memoized(
        "dues.arrears", (as_of, org_ids, window), TOPICS, lambda: _compute(as_of, org_ids, None, window)
    )
    return [a for a in found if a.months >= min_months]


def member_arrears(member: Member, as_of: date, window: int = WINDOW) -> Arrears | None:
    found = _compute(as_of, None, member.pk, window)
    return found[0] if found else None


def excused(found: list[Arrears]) -> set[int]:
    """Members whose present run of arrears the branch found to have a valid reason (党章 第九条: "没有正当理由"):
    their latest handling, opened in this run, says so. They are not flagged again for it."""
    from .models import ArrearsCase

    runs = {a.member_id: a.since for a in found}
    latest: dict[int, ArrearsCase] = {}
    for case in ArrearsCase.objects.filter(member_id__in=list(runs)).order_by("opened_on", "id"):
        latest[case.member_id] = case
    return {mid for mid, c in latest.items() if c.valid_reason is True and c.since_month == runs[mid]}
