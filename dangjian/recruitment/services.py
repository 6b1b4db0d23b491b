"""Every write of 发展党员 goes through here (pages, the import, the demo), audited in the same transaction.

- `create_candidate`: step 1 (递交入党申请书) creates the candidate.
- `record_step`: steps 2–25, checked by rules.check against what this module looks up (the branch's 正式党员 on
  the day, the 支部党员大会 record, the people named, the holiday calendar) and by access (who records which
  step). Step 17 creates the roster record (members.services.create_member, 入党 dated the day of step 15);
  step 19 places the member in a 党小组; step 24 confirms the 转正 (members.services.confirm_full, dated the end
  of the 预备期), extends the 预备期 or cancels it (the member leaves: 出党, 取消预备党员资格).
- `grant_override`: a superior waives an interval rule for one step of one candidate, with a reason.
- `terminate`: the pipeline ends before membership (终止, with the reason). Nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from dangjian.accounts.scope import org_in_scope
from dangjian.accounts.typing import Actor
from dangjian.activities.models import Activity
from dangjian.core import actions, audit, events
from dangjian.core import uploads as core_uploads
from dangjian.core.actions import Refusal
from dangjian.core.uploads import Checked
from dangjian.members import services as member_services
from dangjian.members.asof import members_on_roll
from dangjian.members.choices import EventKind
from dangjian.members.models import Member
from dangjian.members.rules import MemberFacts
from dangjian.orgs.models import Organization, PartyGroup

from . import access, rules
from .models import (
    Candidate,
    Holiday,
    IntervalOverride,
    RecruitmentPlan,
    RecruitmentSettings,
    RecruitmentStep,
    Stage,
    StepDocument,
)

UPLOAD_POLICY = "attachment"  # images or PDF (core.uploads)
MAX_DOCUMENTS = 10
WAIVER_HINT = "时限要求可由上级党委批准例外（写明理由）后办理"


class RecruitmentRefused(Refusal):
    """A refused write of the recruitment app (core.actions' one refusal type)."""


def today() -> date:
    return timezone.localdate()


def _who(actor: Actor, actor_name: str) -> str:
    return audit.actor_label(actor, actor_name)[:150]


# --- what the rules read ---------------------------------------------------------------------------------------
def work_calendar() -> rules.WorkCalendar:
    holidays: set[date] = set()
    workdays: set[date] = set()
    for day, is_workday in Holiday.objects.values_list("date", "is_workday"):
        (workdays if is_workday else holidays).add(day)
    return rules.WorkCalendar(frozenset(holidays), frozenset(workdays))


def history(candidate: Candidate, steps: Sequence[RecruitmentStep] | None = None) -> list[rules.Done]:
    """The candidate's steps in the order they were recorded; for an imported candidate, the steps the import
    took as done come first (rules.implied_steps)."""
    rows = sorted(steps if steps is not None else candidate.steps.all(), key=lambda s: s.pk)
    recorded = [
        rules.Done(s.number, s.date, s.outcome, int((s.details or {}).get("months") or 0)) for s in rows
    ]
    if not candidate.imported_through:
        return recorded
    implied = rules.implied_steps(
        candidate.imported_through,
        candidate.applied_on,
        candidate.activist_on,
        candidate.target_on,
        candidate.admitted_on,
        {d.number for d in recorded},
    )
    return [*implied, *recorded]


def facts_of(
    candidate: Candidate,
    *,
    on: date | None = None,
    steps: Sequence[RecruitmentStep] | None = None,
    calendar: rules.WorkCalendar | None = None,
    publicity_required: int | None = None,
) -> rules.Facts:
    publicity = None
    if candidate.publicity_start and candidate.publicity_end:
        publicity = (candidate.publicity_start, candidate.publicity_end)
    return rules.Facts(
        stage=candidate.stage,
        birth_date=candidate.birth_date,
        history=history(candidate, steps),
        today=on or today(),
        calendar=calendar if calendar is not None else work_calendar(),
        publicity_required=(
            publicity_required
            if publicity_required is not None
            else RecruitmentSettings.current().publicity_workdays
        ),
        publicity=publicity,
        archived=candidate.archived_on is not None,
    )


def full_members_on(org: Organization, on: date) -> int:
    """正式党员 on the roll of the branch on the day (支部条例 第二十条: 7 or more → a committee)."""
    orgs = Organization.objects.filter(pk=org.pk)
    return members_on_roll(on, orgs).filter(full_date__isnull=False, full_date__lte=on).count()


def branch_members(org: Organization, on: date | None = None) -> QuerySet[Member]:
    """The members on the roll of the branch on the day (for 培养联系人, 入党介绍人)."""
    return members_on_roll(on or today(), Organization.objects.filter(pk=org.pk)).order_by("name", "pk")


def assemblies(org: Organization) -> QuerySet[Activity]:
    """The branch's recorded 支部党员大会 (not voided), newest first: what steps 15 and 23 reuse."""
    return (
        Activity.objects.filter(organization=org, is_deleted=False, kinds__key="branch_assembly")
        .distinct()
        .order_by("-date", "-id")
    )


# --- step 1: a new candidate -----------------------------------------------------------------------------------
@dataclass
class Applicant:
    """The person's facts as the step-1 form or an import row gives them (already cleaned)."""

    name: str
    id_number: str
    gender: str
    birth_date: date
    ethnicity: str = ""
    education: str = ""
    category: str = "在职"
    workplace: str = ""
    phone: str = ""
    frontline: bool = False


def _check_new_person(id_number: str) -> None:
    if Candidate.objects.filter(id_number=id_number).exclude(stage=Stage.ENDED).exists():
        raise RecruitmentRefused(
            "该公民身份号码已在发展党员程序中（同一人只能有一条进行中的记录）；请在发展党员名单中查找",
            "id_number",
        )
    if Member.objects.filter(id_number=id_number).exists():
        raise RecruitmentRefused(
            "该公民身份号码已登记为党员，不能再作为入党申请人登记；请核对号码", "id_number"
        )


def _refuse(violations: Sequence[rules.Violation], hint: str = "") -> None:
    if violations:
        text = "；".join(v.text for v in violations)
        raise RecruitmentRefused(
            text + (f"。{hint}" if hint else ""), violations[0].field, violations[0].code
        )


@transaction.atomic
def create_candidate(
    person: Applicant,
    organization: Organization,
    applied_on: date,
    *,
    actor: Actor = None,
    actor_name: str = "",
    document_no: str = "",
    notes: str = "",
    uploads: Sequence[Any] = (),
) -> Candidate:
    """Step 1 (递交入党申请书): the candidate, handled by `organization` (a branch), as 申请人."""
    reason = access.refusal_for(actor, organization, 1)
    if reason:
        raise RecruitmentRefused(reason)
    if not organization.is_branch or not organization.is_active:
        raise RecruitmentRefused("入党申请应由现有的党支部受理；请选择一个党支部", "organization")
    _check_new_person(person.id_number)
    _refuse(rules.check_application(person.birth_date, applied_on, today()))
    checked = check_uploads(uploads)
    candidate = actions.create(
        Candidate,
        {**person.__dict__, "organization": organization, "applied_on": applied_on, "stage": Stage.APPLICANT},
        actor=actor,
        actor_name=actor_name,
        note="递交入党申请书",
    )
    _add_step(
        candidate, 1, applied_on, actor, actor_name, document_no=document_no, notes=notes, checked=checked
    )
    return candidate


def check_uploads(files: Sequence[Any]) -> list[Checked]:
    if len(files) > MAX_DOCUMENTS:
        raise RecruitmentRefused(f"每个步骤最多上传 {MAX_DOCUMENTS} 个文件", "documents")
    out = []
    for f in files:
        try:
            out.append(core_uploads.check(UPLOAD_POLICY, f))
        except core_uploads.UploadRefused as exc:
            raise RecruitmentRefused("；".join(exc.messages), "documents") from None
    return out


def _add_step(
    candidate: Candidate,
    number: int,
    on: date,
    actor: Actor,
    actor_name: str,
    *,
    checked: Sequence[Checked] = (),
    **values: Any,
) -> RecruitmentStep:
    step = RecruitmentStep.objects.create(
        candidate=candidate,
        number=number,
        date=on,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        recorded_by_name=_who(actor, actor_name),
        **values,
    )
    for c in checked:
        doc = StepDocument.stored(c, "recruitment", actor, step=step)
        doc.save()
    audit.log_create(
        step,
        actor=actor,
        actor_name=actor_name,
        note=f"{candidate.name}：{step.step.title}",
        event="candidate.step",
    )
    return step


# --- steps 2–25 ----------------------------------------------------------------------------------------------
@dataclass
class StepInput:
    """What the person enters for a step (a form's cleaned data, an import row)."""

    on: date
    outcome: str = ""
    body: str = ""
    source: str = ""
    opinions_heard: bool = False
    people: Sequence[Member] = ()
    training_days: Decimal | None = None
    training_hours: Decimal | None = None
    course: str = ""
    publicity_start: date | None = None
    publicity_end: date | None = None
    activity: Activity | None = None
    votes_for: int | None = None
    months: int = 0
    dossier: Sequence[str] = ()
    party_group: PartyGroup | None = None
    talker: str = ""
    document_no: str = ""
    notes: str = ""
    uploads: Sequence[Any] = field(default_factory=tuple)


def entry_of(candidate: Candidate, number: int, data: StepInput, actor: Actor) -> rules.Entry:
    """The rules' view of the input, with what only the database knows."""
    org = candidate.organization
    entry = rules.Entry(
        on=data.on,
        outcome=data.outcome,
        body=data.body,
        source=data.source,
        opinions_heard=data.opinions_heard,
        training_days=data.training_days,
        training_hours=data.training_hours,
        votes_for=data.votes_for,
        months=data.months,
        may_approve=access.may_approve(actor),
    )
    if number in rules.DECISION_STEPS:
        entry.full_members = full_members_on(org, data.on)
        entry.body = data.body or rules.decision_body(entry.full_members)
    if number in (5, 9):
        on_roll = set(branch_members(org, data.on).values_list("pk", flat=True))
        entry.people = tuple(
            rules.Person(m.name, m.full_date is not None and m.full_date <= data.on, m.pk in on_roll)
            for m in data.people
        )
    if number == 12 and data.publicity_start and data.publicity_end:
        entry.publicity = (data.publicity_start, data.publicity_end)
    if number in rules.ASSEMBLY_STEPS and data.activity is not None:
        a = data.activity
        entry.assembly = rules.Assembly(
            on=a.date,
            same_org=a.organization_id == org.pk,
            voided=a.is_deleted,
            is_assembly=a.kinds.filter(key="branch_assembly").exists(),
            voting_expected=a.voting_expected,
            voting_present=a.voting_present,
        )
    if number == 25:
        entry.dossier_missing = tuple(d for d in rules.DOSSIER if d not in set(data.dossier))
    return entry


def open_override(candidate: Candidate, number: int) -> IntervalOverride | None:
    return (
        IntervalOverride.objects.filter(candidate=candidate, number=number, step__isnull=True)
        .order_by("-granted_at", "-id")
        .first()
    )


@transaction.atomic
def grant_override(
    candidate: Candidate, number: int, reason: str, *, actor: Actor, actor_name: str = ""
) -> IntervalOverride:
    """A superior waives the interval rules of step `number` for this candidate (used by the next recording)."""
    if number not in rules.STEPS or number == 1:
        raise RecruitmentRefused("请选择要批准例外的步骤", "number")
    if rules.SUPERIOR not in access.capacities(actor, candidate.organization):
        raise RecruitmentRefused("时限要求的例外只能由上级党委（上级党组织管理员或局党建管理员）批准")
    reason = reason.strip()
    if len(reason) < 4:
        raise RecruitmentRefused("请写明批准例外的理由（不少于4个字）", "reason")
    if not candidate.is_open:
        raise RecruitmentRefused("该发展党员对象的程序已结束")
    if open_override(candidate, number) is not None:
        raise RecruitmentRefused(f"{rules.STEPS[number].title}已有尚未使用的例外批准", "number")
    row = IntervalOverride.objects.create(
        candidate=candidate,
        number=number,
        reason=reason[:300],
        granted_by=actor if getattr(actor, "pk", None) else None,
        granted_by_name=_who(actor, actor_name),
    )
    audit.log_create(
        row,
        actor=actor,
        actor_name=actor_name,
        note=f"{candidate.name}：{rules.STEPS[number].title}准予时限例外：{reason}",
        event="candidate.override",
    )
    return row


def record_step(
    candidate: Candidate,
    number: int,
    data: StepInput,
    *,
    actor: Actor,
    expected_version: Any = None,
    actor_name: str = "",
    override_reason: str = "",
    on_today: date | None = None,
) -> RecruitmentStep:
    """Record step `number` (2–25) for the candidate, or refuse with the rule it breaks."""
    if number not in rules.STEPS or number == 1:
        raise RecruitmentRefused("步骤编号无效", "number")
    with transaction.atomic():
        cand = actions.lock(
            Candidate.objects.select_related("organization", "member"),
            candidate.pk,
            expected_version=expected_version,
            what="发展党员记录",
        )
        reason = access.refusal_for(actor, cand.organization, number)
        if reason:
            raise RecruitmentRefused(reason)
        checked = check_uploads(data.uploads)
        facts = facts_of(cand, on=on_today)
        entry = entry_of(cand, number, data, actor)
        verdict = rules.check(number, entry, facts)
        _refuse(verdict.blocking)
        override = None
        if verdict.waivable:
            override = open_override(cand, number)
            superior = rules.SUPERIOR in access.capacities(actor, cand.organization)
            if override is None and override_reason.strip() and superior:
                override = grant_override(cand, number, override_reason, actor=actor, actor_name=actor_name)
            if override is None:
                _refuse(verdict.waivable, WAIVER_HINT)
        step = _write_step(cand, number, data, entry, verdict, override, actor, actor_name, checked)
        _announce(cand, facts.today, number, actor)
    return step


def _write_step(
    cand: Candidate,
    number: int,
    data: StepInput,
    entry: rules.Entry,
    verdict: rules.Verdict,
    override: IntervalOverride | None,
    actor: Actor,
    actor_name: str,
    checked: Sequence[Checked],
) -> RecruitmentStep:
    before = audit.snapshot(cand)
    extra: dict[str, list[Any]] = {}
    details: dict[str, Any] = {}
    outcome = data.outcome
    on = data.on
    if number == 2 and data.talker:
        details["talker"] = data.talker
    if number == 16 and data.talker:
        details["talker"] = data.talker
    if number == 3:
        details["source"] = data.source
        cand.stage, cand.activist_on = Stage.ACTIVIST, on
    if number in (5, 9):
        names = [m.name for m in data.people]
        details["people"] = names
        relation = cand.contacts if number == 5 else cand.introducers
        old = sorted(relation.values_list("pk", flat=True))
        relation.set(list(data.people))
        extra["contacts" if number == 5 else "introducers"] = [old, sorted(m.pk for m in data.people)]
    if number == 7:
        details["opinions_heard"] = True
        cand.stage, cand.target_on = Stage.TARGET, on
    if number == 11:
        details.update(
            {
                "days": str(data.training_days) if data.training_days is not None else "",
                "hours": str(data.training_hours) if data.training_hours is not None else "",
                "course": data.course,
            }
        )
    if number == 12:
        cand.publicity_start, cand.publicity_end = data.publicity_start, data.publicity_end
    if number == 15:
        cand.admitted_on = on
    if number == 17:
        cand.approved_on = on
        assert cand.admitted_on is not None
        cand.probation_ends_on = rules.probation_end(cand.admitted_on)
        cand.stage = Stage.PROBATIONARY
        cand.member = _create_member(cand, actor, actor_name)
    if number == 19 and data.party_group is not None:
        _place(cand, data.party_group, actor, actor_name)
        details["party_group"] = data.party_group.name
    if number == 23:
        details["months"] = data.months if outcome == rules.EXTEND else 0
    if number == 24:
        outcome, months = _approve_full(cand, on, actor, actor_name)
        details["months"] = months
    if number == 25:
        details["dossier"] = list(data.dossier)
        cand.archived_on = on
    step = _add_step(
        cand,
        number,
        on,
        actor,
        actor_name,
        checked=checked,
        outcome=outcome,
        body=entry.body if number in rules.DECISION_STEPS else "",
        activity=data.activity if number in rules.ASSEMBLY_STEPS else None,
        votes_for=data.votes_for if number in rules.ASSEMBLY_STEPS else None,
        details=details,
        document_no=data.document_no.strip()[:100],
        notes=data.notes.strip(),
        late=bool(verdict.flags),
        late_note="；".join(f.message for f in verdict.flags)[:200],
        override=override,
    )
    actions.save_versioned(
        cand,
        expected_version=None,
        actor=actor,
        actor_name=actor_name,
        event="candidate.advance",
        note=step.step.title,
        before=before,
        locked=True,
        extra=extra,
        skip_unchanged=True,
    )
    return step


def _create_member(cand: Candidate, actor: Actor, actor_name: str) -> Member:
    """Step 17: the roster record, 入党 dated the day of the 支部大会 (step 15), 预备党员."""
    assert cand.admitted_on is not None
    facts = MemberFacts(
        name=cand.name,
        gender=cand.gender,
        ethnicity=cand.ethnicity,
        id_number=cand.id_number,
        birth_date=cand.birth_date,
        education=cand.education,
        join_date=cand.admitted_on,
        full_date=None,
        category=cand.category,
        workplace=cand.workplace,
        phone=cand.phone,
    )
    return member_services.create_member(facts, cand.organization, actor=actor, actor_name=actor_name)


def _place(cand: Candidate, group: PartyGroup, actor: Actor, actor_name: str) -> None:
    if group.organization_id != cand.organization_id:
        raise RecruitmentRefused("党小组必须属于本支部", "party_group")
    member = cand.member
    assert member is not None
    member_services.update_member(
        member, {"party_group": group}, expected_version=member.version, actor=actor, actor_name=actor_name
    )


def _approve_full(cand: Candidate, on: date, actor: Actor, actor_name: str) -> tuple[str, int]:
    """Step 24 approves the 支部大会's decision (step 23): 转正, 延长预备期 or 取消预备党员资格."""
    facts = history(cand)
    decision = rules.latest(rules.current(facts), 23)
    assert decision is not None
    member = cand.member
    assert member is not None and cand.admitted_on is not None
    if decision.outcome == rules.EXTEND:
        cand.extension_months = decision.months
        cand.probation_ends_on = rules.probation_end(cand.admitted_on, decision.months)
        return rules.EXTEND, decision.months
    if decision.outcome == rules.CANCEL:
        member_services.end_membership(
            member,
            EventKind.LEFT,
            on,
            expected_version=member.version,
            actor=actor,
            actor_name=actor_name,
            note=f"取消预备党员资格（支部大会 {decision.on:%Y-%m-%d} 决议，上级党委 {on:%Y-%m-%d} 批准）",
        )
        cand.stage, cand.ended_on, cand.ended_reason = Stage.ENDED, on, rules.CANCEL
        return rules.CANCEL, 0
    end = rules.probation_end(cand.admitted_on, cand.extension_months)
    member_services.confirm_full(
        member,
        end,
        expected_version=member.version,
        actor=actor,
        actor_name=actor_name,
        note=f"支部大会 {decision.on:%Y-%m-%d} 讨论通过，上级党委 {on:%Y-%m-%d} 批准；预备期满之日转为正式党员",
    )
    cand.stage, cand.full_on = Stage.FULL, end
    return rules.CONFIRM, 0


def _announce(cand: Candidate, on: date, number: int, actor: Actor) -> None:
    """Tell whoever must act next: the superior when a superior step is now due, the branch after a superior
    step (core.events; notify turns it into 站内通知)."""
    due = rules.due_steps(facts_of(cand, on=on))
    superior = [d for d in due if d.step.actor == rules.SUPERIOR]
    url = f"/recruitment/{cand.pk}/"
    if superior and rules.STEPS[number].actor == rules.BRANCH:
        events.emit(
            "candidate.await",
            title=f"发展党员待上级党委办理：{cand.name}（{superior[0].step.title}）",
            key=f"{cand.pk}:{superior[0].number}",
            body=f"{cand.organization.name}已登记{rules.STEPS[number].title}。",
            url=url,
            org=cand.organization,
            audience="reviewers",
            actor=actor,
        )
    elif rules.STEPS[number].actor == rules.SUPERIOR and any(d.step.actor == rules.BRANCH for d in due):
        events.emit(
            "candidate.await",
            title=f"上级党委已办理{cand.name}的{rules.STEPS[number].title}",
            key=f"{cand.pk}:done:{number}",
            url=url,
            org=cand.organization,
            audience="org_admins",
            actor=actor,
        )


# --- ending a pipeline ---------------------------------------------------------------------------------------
@transaction.atomic
def terminate(
    candidate: Candidate,
    on: date,
    reason: str,
    *,
    actor: Actor,
    expected_version: Any = None,
    actor_name: str = "",
) -> Candidate:
    """终止 before membership (申请人, 积极分子, 发展对象): the person withdraws, moves away, no longer qualifies.
    A 预备党员's 预备期 ends only by the 支部大会 and the approval (steps 23, 24)."""
    cand = actions.lock(Candidate, candidate.pk, expected_version=expected_version, what="发展党员记录")
    caps = access.capacities(actor, cand.organization)
    if not caps:
        raise RecruitmentRefused("只有本支部或上级党委可以终止发展程序")
    if cand.stage not in rules.BEFORE_MEMBERSHIP:
        raise RecruitmentRefused(
            f"当前阶段为“{cand.stage}”，不能终止；预备党员应经支部大会讨论、上级党委批准取消预备党员资格"
        )
    reason = reason.strip()
    if len(reason) < 2:
        raise RecruitmentRefused("请写明终止的原因", "reason")
    if on > today():
        raise RecruitmentRefused("日期不能晚于今天", "on")
    if on < cand.applied_on:
        raise RecruitmentRefused("终止日期不能早于申请日期", "on")
    cand.stage, cand.ended_on, cand.ended_reason = Stage.ENDED, on, reason[:300]
    actions.save_versioned(
        cand,
        expected_version=None,
        actor=actor,
        actor_name=actor_name,
        event="candidate.terminate",
        note=reason,
    )
    return cand


# --- settings --------------------------------------------------------------------------------------------------
@transaction.atomic
def update_settings(
    publicity_workdays: int, *, actor: Actor, expected_version: Any = None
) -> RecruitmentSettings:
    if not 1 <= publicity_workdays <= 30:
        raise RecruitmentRefused("公示工作日数应在1至30之间", "publicity_workdays")
    row, _ = RecruitmentSettings.objects.get_or_create(pk=1)
    row.publicity_workdays = publicity_workdays
    actions.save_versioned(
        row, expected_version=expected_version, actor=actor, event="recruitmentsettings.update", what="设置"
    )
    return row


@transaction.atomic
def add_holiday(day: date, name: str, is_workday: bool, *, actor: Actor) -> Holiday:
    name = name.strip()
    if not name:
        raise RecruitmentRefused("请填写节假日名称，如“国庆节”“国庆调休”", "name")
    if Holiday.objects.filter(date=day).exists():
        raise RecruitmentRefused(f"{day:%Y-%m-%d} 已在节假日日历中", "date")
    if is_workday and day.weekday() < 5:
        raise RecruitmentRefused("调休上班日应为周六或周日", "is_workday")
    if not is_workday and day.weekday() >= 5:
        raise RecruitmentRefused(
            "周六、周日本来就不是工作日，无需登记为节假日（调休上班请勾选“调休上班”）", "date"
        )
    return actions.create(
        Holiday,
        {"date": day, "name": name[:40], "is_workday": is_workday},
        actor=actor,
        event="holiday.create",
    )


@transaction.atomic
def remove_holiday(holiday: Holiday, *, actor: Actor) -> None:
    audit.log_delete(holiday, actor=actor, note=str(holiday), event="holiday.delete")
    holiday.delete()


# --- plans -------------------------------------------------------------------------------------------------------
PLAN_FIELDS = ("quota", "frontline", "youth", "educated", "note")


@transaction.atomic
def save_plan(
    organization: Organization,
    year: int,
    values: dict[str, Any],
    *,
    actor: Actor,
    expected_version: Any = None,
    actor_name: str = "",
) -> RecruitmentPlan:
    """The organisation's 发展党员计划 for the year (created or changed, audited)."""
    if actor is not None and not org_in_scope(actor, organization, write=True):
        raise RecruitmentRefused("该党组织不在您的管理范围内")
    if not 2000 <= year <= 2100:
        raise RecruitmentRefused("年度无效", "year")
    quota = int(values.get("quota") or 0)
    labels = {
        "frontline": "其中：生产、工作一线",
        "youth": "其中：35岁及以下青年",
        "educated": "其中：大专及以上学历",
    }
    for f, label in labels.items():
        if int(values.get(f) or 0) > quota:
            raise RecruitmentRefused(f"“{label}”不能多于发展名额（{quota}）", f)
    data = {f: values.get(f) or (0 if f != "note" else "") for f in PLAN_FIELDS}
    row = RecruitmentPlan.objects.select_for_update().filter(organization=organization, year=year).first()
    if row is None:
        return actions.create(
            RecruitmentPlan,
            {"organization": organization, "year": year, **data},
            actor=actor,
            actor_name=actor_name,
            event="recruitmentplan.create",
        )
    for f, v in data.items():
        setattr(row, f, v)
    actions.save_versioned(
        row,
        expected_version=expected_version,
        actor=actor,
        actor_name=actor_name,
        event="recruitmentplan.update",
        what="发展党员计划",
        skip_unchanged=True,
    )
    return row
