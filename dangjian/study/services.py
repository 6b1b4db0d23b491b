"""Study hours: records (manual, self-reported, imported from online platforms) plus the hours every attendee of a
study-type activity (集体学习, 党课, 现场教学, 专题辅导 — ActivityKind.credits_study) is credited automatically.

Crediting is computed, not copied: an activity edited or voided changes the hours at once, and nothing can drift."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import DecimalField, Exists, OuterRef, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dangjian.accounts.typing import Actor
from dangjian.activities.models import Activity, Attendance
from dangjian.core import actions, audit, memo, rawrows, stamps
from dangjian.core.actions import Refusal
from dangjian.core.periods import Period
from dangjian.members.models import Member
from dangjian.orgs.models import Organization, Post

from .models import StudyConfig, StudyForm, StudyRecord
from .progress import ZERO, Progress, total_hours

MAX_HOURS_PER_DAY = Decimal("24")

# The named audit events of this app (core.audit_events; registered in StudyConfig.ready).
EVENTS = {"studyrecord.void": "作废学习记录"}


def leader_id_numbers() -> set[str]:
    """ID numbers of everyone holding a post in a current committee (书记 and 班子成员)."""
    return set(
        Post.objects.filter(term__is_current=True, ended_on__isnull=True)
        .exclude(id_number="")
        .values_list("id_number", flat=True)
    )


def record_hours_by_member(
    year: int, member_ids: models.QuerySet | list[int] | None, *, until: date | None = None
) -> dict[int, Decimal]:
    """`until`: only records dated on or before that day (the year as it stood then)."""
    qs = StudyRecord.objects.filter(is_deleted=False, date__year=year)
    if until is not None:
        qs = qs.filter(date__lte=until)
    if member_ids is not None:
        qs = qs.filter(member_id__in=member_ids)
    rows = qs.values("member_id").annotate(total=Sum("hours"))
    return {r["member_id"]: r["total"] or Decimal(0) for r in rows}


def credited_hours_by_member(
    year: int,
    member_ids: models.QuerySet | list[int] | None,
    default_hours: Decimal,
    *,
    month: int | None = None,
    until: date | None = None,
) -> dict[int, Decimal]:
    """Summed in SQL: each (member, activity) once (attendance is unique per pair), however many study kinds
    the activity carries. `member_ids=None`: every member; `month`: that month of the year only; `until`: only
    activities held on or before that day."""
    study_kind = Activity.kinds.through.objects.filter(
        activity_id=OuterRef("activity_id"), activitykind__credits_study=True
    )
    when = Period.month(year, month) if month else Period.whole_year(year)
    qs = Attendance.objects.filter(
        Exists(study_kind),
        present=True,
        activity__is_deleted=False,
        activity__date__gte=when.start,
        activity__date__lte=min(when.end, until) if until else when.end,
    )
    if member_ids is not None:
        qs = qs.filter(member_id__in=member_ids)
    hours = Coalesce(
        "activity__hours", Value(default_hours), output_field=DecimalField(max_digits=8, decimal_places=1)
    )
    rows = qs.values("member_id").annotate(total=Sum(hours)).values_list("member_id", "total")
    return {member_id: Decimal(total) for member_id, total in rows}


def year_topics(year: int) -> list[str]:
    """What a year's hours are computed from (`core.stamps`)."""
    return [
        *stamps.months_topics(Activity, year),
        *stamps.months_topics(Attendance, year),
        "activities_activitykind",
        "study_studyrecord",
        "study_studyconfig",
    ]


# Above this many members, the whole membership's totals (memoised until a record of the year changes) are
# cheaper than summing for the subset.
WHOLE_YEAR_MIN_MEMBERS = 500


def _hours(
    year: int, ids: models.QuerySet, count: int, default_hours: Decimal, until: date | None = None
) -> tuple[dict, dict]:
    if until is not None and until < date(year, 12, 31):  # part of the year: read directly, never memoised
        return (
            record_hours_by_member(year, ids, until=until),
            credited_hours_by_member(year, ids, default_hours, until=until),
        )
    if count < WHOLE_YEAR_MIN_MEMBERS:
        return record_hours_by_member(year, ids), credited_hours_by_member(year, ids, default_hours)

    def compute() -> tuple[dict, dict]:
        return record_hours_by_member(year, None), _credited_by_months(year, default_hours)

    return memo.memoized("study-year-hours", (year, default_hours), year_topics(year), compute)


def _credited_by_months(year: int, default_hours: Decimal) -> dict[int, Decimal]:
    """Everyone's credited hours of the year as the sum of memoised months: after a record of this month is
    written, only this month is summed again in SQL (a month that has ended changes only by a late entry)."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for month in range(1, 13):
        topics = [
            stamps.month_topic(Activity, year, month),
            stamps.month_topic(Attendance, year, month),
            "activities_activitykind",
        ]
        part = memo.memoized(
            "study-credited-month",
            (year, month, default_hours),
            topics,
            functools.partial(credited_hours_by_member, year, None, default_hours, month=month),
        )
        for member_id, hours in part.items():
            totals[member_id] += hours
    return dict(totals)


@dataclass
class MemberProgress:
    member: dict[str, Any]  # id, name, id_number, organization_id
    progress: Progress


PROGRESS_FIELDS = ("id", "name", "id_number", "organization_id", "organization__name", "organization__code")


def _progress_rows(
    year: int, members: models.QuerySet[Member], fields: tuple[str, ...], until: date | None = None
) -> Iterator[tuple[tuple, int, bool, Decimal, Decimal]]:
    """(row of `fields`, member id, is leader, hours, required hours) for each member — in a constant number of
    queries, from bare rows (a 10× city has 600,000 members). `until`: the hours recorded up to that day."""
    config = StudyConfig.current()
    rows = list(rawrows.rows(members.values_list(*fields)))
    records, credited = _hours(year, members.values("id"), len(rows), config.activity_hours, until)
    leaders = leader_id_numbers()
    at_id, at_id_number = fields.index("id"), fields.index("id_number")
    member_required, leader_required = config.member_hours, config.leader_hours
    for row in rows:
        member_id = row[at_id]
        is_leader = row[at_id_number] in leaders
        hours = total_hours(records.get(member_id, ZERO), credited.get(member_id, ZERO))
        yield row, member_id, is_leader, hours, leader_required if is_leader else member_required


def yearly_progress(year: int, members: models.QuerySet[Member]) -> list[MemberProgress]:
    """Progress of every member of the queryset — a constant number of queries."""
    return [
        MemberProgress(
            dict(zip(PROGRESS_FIELDS, row, strict=True)), Progress(member_id, hours, required, is_leader)
        )
        for row, member_id, is_leader, hours, required in _progress_rows(year, members, PROGRESS_FIELDS)
    ]


def hours_and_requirements(
    year: int, members: models.QuerySet[Member], until: date | None = None
) -> Iterator[tuple[Decimal, Decimal]]:
    """(hours, required hours) of each member: for totals over a whole roll (the yearly report); `until`: with the
    hours recorded up to that day."""
    for _, _, _, hours, required in _progress_rows(year, members, ("id", "id_number"), until):
        yield hours, required


def behind(
    year: int, members: models.QuerySet[Member], fields: Sequence[str]
) -> Iterator[tuple[tuple, Decimal, Decimal]]:
    """(row of `fields`, hours, required hours) of the members short of their requirement only: 月提醒 names
    them, and builds nothing for the others."""
    for row, _, _, hours, required in _progress_rows(year, members, tuple(fields)):
        if hours < required:
            yield row, hours, required


@dataclass
class OrgStats:
    org_id: int
    code: str
    name: str
    members: int
    met: int
    hours: Decimal

    @property
    def rate(self) -> int:
        return int(self.met * 100 / self.members) if self.members else 0

    @property
    def average(self) -> Decimal:
        return (self.hours / self.members).quantize(Decimal("0.1")) if self.members else Decimal(0)


def org_stats(progress: list[MemberProgress]) -> list[OrgStats]:
    by_org: dict[int, OrgStats] = {}
    for mp in progress:
        m = mp.member
        s = by_org.setdefault(
            m["organization_id"],
            OrgStats(
                m["organization_id"], m["organization__code"], m["organization__name"], 0, 0, Decimal(0)
            ),
        )
        s.members += 1
        s.met += mp.progress.met
        s.hours += mp.progress.hours
    return sorted(by_org.values(), key=lambda s: s.code)


def credited_activities(member: Member, year: int) -> list[Activity]:
    return list(
        Activity.objects.filter(
            is_deleted=False,
            date__year=year,
            kinds__credits_study=True,
            attendance__member=member,
            attendance__present=True,
        )
        .distinct()
        .select_related("organization")
        .prefetch_related("kinds")
        .order_by("-date")
    )


def day_total(member: Member, day: date, *, exclude_id: int | None = None) -> Decimal:
    qs = StudyRecord.objects.filter(member=member, date=day, is_deleted=False)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.aggregate(t=Sum("hours"))["t"] or Decimal(0)


@transaction.atomic
def add_record(
    member: Member,
    *,
    day: date,
    hours: Decimal,
    content: str,
    form: str,
    actor: Actor = None,
    source: str = "manual",
) -> StudyRecord:
    if hours <= 0 or hours > MAX_HOURS_PER_DAY:
        raise Refusal("学时应大于 0 且不超过 24", field="hours")
    if day > timezone.localdate():
        raise Refusal("学习日期不能晚于今天", field="date")
    if form not in StudyForm.values:
        raise Refusal("学习形式不正确", field="form")
    if day_total(member, day) + hours > MAX_HOURS_PER_DAY:
        raise Refusal("该党员当天的学时合计将超过 24 学时，请核对", field="hours")
    if StudyRecord.objects.filter(
        member=member, date=day, content=content, form=form, is_deleted=False
    ).exists():
        raise Refusal("该党员当天已有相同内容和形式的学习记录", field="content")
    return actions.create(
        StudyRecord,
        {
            "member": member,
            "date": day,
            "hours": hours,
            "content": content,
            "form": form,
            "source": source,
            "recorded_by": audit.actor_label(actor),
        },
        actor=actor,
        event="studyrecord.create",
    )


@transaction.atomic
def void_record(record: StudyRecord, *, actor: Actor = None, reason: str = "") -> None:
    before = audit.snapshot(record)
    record.is_deleted = True
    record.save(update_fields=["is_deleted"])
    audit.log_update(
        record, before, actor=actor, note=f"作废：{reason}" if reason else "作废", event="studyrecord.void"
    )


@transaction.atomic
def update_config(config: StudyConfig, data: dict[str, Any], *, actor: Actor = None) -> StudyConfig:
    before = audit.snapshot(config)
    for field, value in data.items():
        setattr(config, field, value)
    config.updated_by = actor if getattr(actor, "pk", None) else None
    config.save()
    audit.log_update(config, before, actor=actor, event="studyconfig.update")
    return config


def org_subtree_members(org: Organization) -> models.QuerySet[Member]:
    return Member.objects.current().filter(organization__path__startswith=org.path)
