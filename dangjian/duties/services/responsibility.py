"""Writes of 责任体系 and 责任清单, and the completion figures read from them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from dangjian.accounts import scope
from dangjian.accounts.typing import Actor
from dangjian.core import audit, measures
from dangjian.core.actions import Refusal
from dangjian.orgs.models import Organization

from ..cadence import (
    ONCE_KEY,
    Cadence,
    Occurrence,
    OccurrenceState,
    Tally,
    occurrence_by_key,
    occurrence_state,
    occurrences,
    year_range,
)
from ..files import CheckedFile
from ..models import (
    Duty,
    DutyEvidence,
    DutyList,
    DutyListKind,
    DutyReport,
    FirstResponsible,
    LeadingGroup,
    LeadingGroupMember,
    ListStatus,
)
from .common import create, store_files, update_fields

# --- the leading group and first responsible persons ------------------------------------------------------


@transaction.atomic
def save_group(group: LeadingGroup | None, data: dict[str, Any], actor: Actor, version: int | None = None):
    if group is None:
        return create(LeadingGroup, data, actor)
    return update_fields(group, data, actor, expected_version=version)


@transaction.atomic
def save_group_member(
    member: LeadingGroupMember | None,
    group: LeadingGroup,
    data: dict[str, Any],
    actor: Actor,
    version: int | None = None,
) -> LeadingGroupMember:
    if member is None:
        return create(LeadingGroupMember, {**data, "group": group}, actor)
    return update_fields(member, data, actor, expected_version=version)


@transaction.atomic
def retire_group_member(
    member: LeadingGroupMember, actor: Actor, on: date | None = None
) -> LeadingGroupMember:
    """Members leave the group by adjustment; the record stays for the history of the group."""
    if not member.is_active:
        return member
    return update_fields(
        member,
        {"is_active": False, "ended_on": on or timezone.localdate()},
        actor,
        event="leadinggroupmember.retire",
        note="调整出领导小组",
    )


@transaction.atomic
def set_first_responsible(org: Organization, data: dict[str, Any], actor: Actor) -> FirstResponsible:
    """Record a new first responsible person; the previous one stays in the history, no longer current."""
    current = FirstResponsible.objects.select_for_update().filter(organization=org, is_current=True).first()
    fields = ("person_name", "post", "user")
    if current and all(getattr(current, f) == data.get(f) for f in fields):
        return current
    if current:
        update_fields(
            current, {"is_current": False}, actor, event="firstresponsible.replace", note="第一责任人调整"
        )
    return create(FirstResponsible, {**data, "organization": org, "is_current": True}, actor)


# --- duty lists and items ------------------------------------------------------------------------------------


def _validate_list(data: dict[str, Any]) -> None:
    if data.get("kind") == DutyListKind.DUAL and not data.get("holder_name"):
        raise Refusal("“一岗双责”责任清单须填写责任人（班子成员）姓名", field="holder_name")
    if data.get("status") == ListStatus.ISSUED and not data.get("issued_on"):
        raise Refusal("已印发的清单须填写印发日期", field="issued_on")


@transaction.atomic
def save_duty_list(
    duty_list: DutyList | None,
    data: dict[str, Any],
    actor: Actor,
    *,
    units: Iterable[Any] | None = None,
    version: int | None = None,
) -> DutyList:
    _validate_list(data)
    if duty_list is None:
        row = create(DutyList, {**data, "created_by": actor if getattr(actor, "pk", None) else None}, actor)
    else:
        row = update_fields(duty_list, data, actor, expected_version=version)
    if units is not None:
        before = sorted(row.in_charge_units.values_list("pk", flat=True))
        row.in_charge_units.set(list(units))
        after = sorted(u.pk for u in units)
        if before != after:
            audit.record(
                "dutylist.in_charge_units",
                actor=actor,
                instance=row,
                changes={"in_charge_units": [before, after]},
            )
    return row


def _validate_duty(data: dict[str, Any], duty_list: DutyList) -> None:
    cadence = Cadence(data["cadence"])
    if cadence is Cadence.ONCE and not data.get("deadline"):
        raise Refusal("一次性事项须填写完成时限（日期）", field="deadline")
    if cadence is not Cadence.ONCE and data.get("deadline"):
        raise Refusal("周期性事项按周期末计算完成时限，请清空“完成时限”或把周期改为一次性", field="deadline")
    if data.get("measure_key") and not measures.exists(data["measure_key"]):
        raise Refusal("所选取数口径不存在，请重新选择", field="measure_key")
    start = data.get("starts_on")
    if start and start.year != duty_list.year:
        raise Refusal(f"起始日期应在清单年度（{duty_list.year}年）内", field="starts_on")


@transaction.atomic
def save_duty(
    duty: Duty | None, duty_list: DutyList, data: dict[str, Any], actor: Actor, version: int | None = None
) -> Duty:
    _validate_duty(data, duty_list)
    if duty is None:
        if not data.get("seq"):
            top = duty_list.items.aggregate(m=Max("seq"))["m"] or 0
            data = {**data, "seq": top + 1}
        return create(Duty, {**data, "duty_list": duty_list}, actor)
    return update_fields(duty, data, actor, expected_version=version)


@transaction.atomic
def retire_duty(duty: Duty, actor: Actor) -> Duty:
    if not duty.is_active:
        return duty
    return update_fields(duty, {"is_active": False}, actor, event="duty.retire", note="停用责任事项")


def _active_from(duty: Duty) -> date:
    """An item counts from its own start date, else from the first day of its list's year."""
    return duty.starts_on or date(duty.duty_list.year, 1, 1)


def duty_occurrences(duty: Duty, start: date, end: date) -> list[Occurrence]:
    """The occurrences of an item inside [start, end] and inside its list's year."""
    y0, y1 = year_range(duty.duty_list.year)
    return occurrences(
        duty.cadence, max(start, y0), min(end, y1), deadline=duty.deadline, active_from=_active_from(duty)
    )


def year_occurrences(duty: Duty) -> list[Occurrence]:
    y0, y1 = year_range(duty.duty_list.year)
    if duty.cadence == Cadence.ONCE:
        # A once-only item belongs to its list whatever year its deadline falls in; it is open from the
        # start of the list's year (or its own start date) until the deadline.
        return occurrences(
            duty.cadence, date.min, date.max, deadline=duty.deadline, active_from=_active_from(duty)
        )
    return duty_occurrences(duty, y0, y1)


def find_occurrence(duty: Duty, key: str) -> Occurrence:
    try:
        occ = occurrence_by_key(duty.cadence, key, deadline=duty.deadline)
    except ValueError as exc:
        raise Refusal(str(exc))
    if key != ONCE_KEY and occ not in year_occurrences(duty):
        raise Refusal(f"“{occ.label}”不在该事项的落实期间内（清单年度 {duty.duty_list.year} 年）")
    return occ


def is_responsible(user: Any, duty: Duty) -> bool:
    uid = getattr(user, "pk", None)
    if uid is None:
        return False
    if duty.responsible_user_id is not None:
        return duty.responsible_user_id == uid
    return duty.duty_list.holder_user_id == uid


def can_report(user: Any, duty: Duty) -> bool:
    """The person responsible, or whoever may change the list's organisation (the bureau; a branch's admin)."""
    return is_responsible(user, duty) or scope.org_in_scope(user, duty.duty_list.organization, write=True)


@transaction.atomic
def report_duty(
    duty: Duty,
    key: str,
    text: str,
    actor: Actor,
    *,
    files: Sequence[CheckedFile] = (),
    version: int | None = None,
    today: date | None = None,
) -> DutyReport:
    """Report (or amend the report of) one occurrence. The first report's time decides on-time completion."""
    today = today or timezone.localdate()
    if not duty.is_active or duty.duty_list.is_deleted:
        raise Refusal("该责任事项已停用，不能再报告完成情况")
    if duty.duty_list.status != ListStatus.ISSUED:
        raise Refusal("清单尚未印发（或已废止），不能报告完成情况")
    if duty.measure_key:
        raise Refusal(
            f"该事项已设为自动取数（{measures.label(duty.measure_key)}），完成情况按平台数据计算，不能手工填报",
            code="measure_bound",
        )
    occ = find_occurrence(duty, key)
    if occ.key != ONCE_KEY and today < occ.starts_on:
        raise Refusal(f"“{occ.label}”尚未开始，不能提前报告")
    text = (text or "").strip()
    if not text:
        raise Refusal("请填写完成情况", field="text")
    existing = DutyReport.objects.select_for_update().filter(duty=duty, period_key=occ.key).first()
    if existing is None:
        report = create(
            DutyReport,
            {
                "duty": duty,
                "period_key": occ.key,
                "due_on": occ.due_on,
                "text": text,
                "reported_by": actor if getattr(actor, "pk", None) else None,
                "reported_at": timezone.now(),
            },
            actor,
        )
    else:
        report = update_fields(
            existing,
            {"text": text},
            actor,
            event="dutyreport.amend",
            expected_version=version,
            note="补充完成情况",
        )
    store_files(DutyEvidence, files, "evidence", actor, report=report)
    return report


# --- completion figures (read side; constant number of queries) --------------------------------------------


@dataclass
class ItemProgress:
    duty: Duty
    rows: list[tuple[Occurrence, DutyReport | None, OccurrenceState]] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    values: dict[str, measures.MeasureValue | None] = field(
        default_factory=dict
    )  # bound items: per occurrence

    @property
    def overdue(self) -> list[Occurrence]:
        return [o for o, _r, s in self.rows if s is OccurrenceState.OVERDUE]

    @property
    def next_open(self) -> Occurrence | None:
        for o, _r, s in self.rows:
            if s in (OccurrenceState.OPEN, OccurrenceState.OVERDUE):
                return o
        return None


def reports_by_duty(duty_ids: Iterable[int]) -> dict[int, dict[str, DutyReport]]:
    found: dict[int, dict[str, DutyReport]] = defaultdict(dict)
    ids = list(duty_ids)
    if ids:
        for r in DutyReport.objects.filter(duty_id__in=ids).select_related("reported_by"):
            found[r.duty_id][r.period_key] = r
    return found


_MEASURE_STATE = {
    measures.MeasureStatus.MET: OccurrenceState.DONE,
    measures.MeasureStatus.UNMET: OccurrenceState.OVERDUE,
    measures.MeasureStatus.PENDING: OccurrenceState.OPEN,
    measures.MeasureStatus.NA: OccurrenceState.NA,
}


def measured_state(
    duty: Duty, occ: Occurrence, as_of: date
) -> tuple[OccurrenceState, measures.MeasureValue | None]:
    """The state of an occurrence of an item bound to a measure: read from the data, never from a report.
    达标 → 已完成; 未达标 → 逾期未完成; 进行中 (a period still running, or records awaiting review) → 待完成;
    不适用 → 不适用 (not counted). `as_of` is the day we look from; the measure reads the occurrence's facts as
    of its end (`measures.reading_day`), so a later 销号 or 签收 does not rewrite a month that has closed."""
    if as_of < occ.starts_on:
        return OccurrenceState.UPCOMING, None
    value = measures.value(duty.measure_key, duty.duty_list.organization, occ.due_on, as_of)
    return _MEASURE_STATE[value.status], value


def progress_for(duties: Sequence[Duty], as_of: date) -> list[ItemProgress]:
    """Each item's occurrences in its list's year, with report and state as of `as_of` (one query; items bound
    to a measure read it per occurrence)."""
    reports = reports_by_duty(d.pk for d in duties if not d.measure_key)
    result = []
    for d in duties:
        p = ItemProgress(d)
        if d.measure_key:
            for occ in year_occurrences(d):
                state, value = measured_state(d, occ, as_of)
                p.rows.append((occ, None, state))
                p.values[occ.key] = value
                p.tally.add(state)
            result.append(p)
            continue
        for occ in year_occurrences(d):
            r = reports.get(d.pk, {}).get(occ.key)
            reported_on = timezone.localdate(r.reported_at) if r else None
            state = occurrence_state(occ, reported_on, as_of)
            p.rows.append((occ, r, state))
            p.tally.add(state)
        result.append(p)
    return result


def live_duties(qs: QuerySet[Duty] | None = None) -> QuerySet[Duty]:
    qs = qs if qs is not None else Duty.objects.all()
    return qs.filter(is_active=True, duty_list__is_deleted=False).select_related(
        "duty_list", "duty_list__organization", "duty_list__holder_user", "responsible_user"
    )


def duties_of_user(user: Any) -> QuerySet[Duty]:
    """Items the user answers for in person: named on the item, or holder of a 一岗双责 list naming nobody."""
    return live_duties().filter(
        Q(responsible_user=user) | Q(responsible_user__isnull=True, duty_list__holder_user=user),
        duty_list__status=ListStatus.ISSUED,
    )


@dataclass
class RateRow:
    key: Any
    label: str
    sub: str = ""
    items: int = 0
    tally: Tally = field(default_factory=Tally)
    obj: Any = None


def completion_rates(
    year: int, as_of: date, duties: QuerySet[Duty] | None = None
) -> dict[str, list[RateRow]]:
    """Completion per list, per person and per item of the issued lists of `year` (two queries)."""
    qs = live_duties(duties).filter(duty_list__year=year, duty_list__status=ListStatus.ISSUED)
    progress = progress_for(
        list(qs.order_by("duty_list__organization__path", "duty_list_id", "seq", "id")), as_of
    )
    by_list: dict[int, RateRow] = {}
    by_person: dict[Any, RateRow] = {}
    by_item: list[RateRow] = []
    for p in progress:
        d, dl = p.duty, p.duty.duty_list
        lr = by_list.setdefault(dl.pk, RateRow(dl.pk, dl.title, dl.organization.name, obj=dl))
        who = person_key(d)
        pr = by_person.setdefault(who, RateRow(who, person_label(d), person_post(d)))
        for row in (lr, pr):
            row.items += 1
            for _o, _r, s in p.rows:
                row.tally.add(s)
        by_item.append(RateRow(d.pk, d.short_title, dl.title, items=1, tally=p.tally, obj=d))
    persons = sorted(by_person.values(), key=lambda r: (r.tally.rate is None, r.tally.rate or 0, r.label))
    return {"lists": list(by_list.values()), "persons": persons, "items": by_item}


def person_key(d: Duty) -> Any:
    if d.responsible_user_id:
        return ("user", d.responsible_user_id)
    if d.responsible_name or d.responsible_post:
        return ("name", d.responsible_name, d.responsible_post)
    if d.duty_list.holder_user_id:
        return ("user", d.duty_list.holder_user_id)
    return ("name", d.duty_list.holder_name, d.duty_list.holder_post)


def person_label(d: Duty) -> str:
    if d.responsible_name:
        return d.responsible_name
    if d.responsible_user_id:
        return str(d.responsible_user)
    if d.responsible_post:
        return d.responsible_post
    return d.duty_list.holder_name or (
        str(d.duty_list.holder_user) if d.duty_list.holder_user_id else "未指定"
    )


def person_post(d: Duty) -> str:
    if d.responsible_name or d.responsible_user_id or d.responsible_post:
        return d.responsible_post
    return d.duty_list.holder_post
