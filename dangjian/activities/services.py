"""Every write on activity records, shared by the pages, the 台账 import and the demo (design §3).

For other apps:
- `members_on(org, day)`: the members on the organisation's roll on that day (current members plus those
  who left or moved away after it, per status / left_on and the membership events).
- `record_activity(...)`: validate and store one record with its attendance, counts, quorum and attachments.
- `update_activity`, `void_activity`, `submit` / `withdraw` / `approve` / `return_for_correction`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts import policy, scope
from dangjian.accounts.policy import Perm
from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit, events, progress, stamps
from dangjian.core import uploads as core_uploads
from dangjian.core.actions import Refusal, Stale
from dangjian.core.bulk import RowInserter
from dangjian.core.models import AuditAction
from dangjian.core.uploads import Checked
from dangjian.members.models import Member
from dangjian.orgs.models import Organization, PartyGroup

from . import review, rules, uploads
from .models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Attachment,
    Attendance,
    ChangeKind,
    ChangeRequest,
    ChangeState,
    KindAudience,
    ReviewAction,
    ReviewStep,
)
from .roster import Roster, RosterIndex, committee_id_numbers, members_on, roster_for


class ActivityInvalid(Refusal):
    """The record cannot be stored as given; `errors` maps a form field (or "__all__") to Chinese messages
    (a record can be refused for several reasons at once; `message` joins them, `field` names the first)."""

    default_code = "invalid"

    def __init__(self, errors: Mapping[str, list[str]]):
        self.errors = {k: list(v) for k, v in errors.items() if v}
        first = next(iter(self.errors), None)
        super().__init__(
            "；".join(m for msgs in self.errors.values() for m in msgs),
            None if first in (None, "__all__") else first,
        )


AT_ENTRY = "录入人有审核权限，录入即审核通过"
CHANGED_SINCE_REQUEST = "申请提交后该记录已被修改，请驳回后由申请人重新申请"


class ConcurrencyError(Stale):
    def __init__(self, message: str = "该记录已被他人修改。请刷新页面，核对最新内容后再保存。"):
        super().__init__(message)


# --- the record -----------------------------------------------------------------------------------------------
Absences = Mapping[int, tuple[str, str]]


@dataclass
class ActivityInput:
    organization: Organization
    kinds: list[ActivityKind]
    date: date | None
    topic: str
    place: str = ""
    host: str = ""
    speaker: str = ""
    site: str = ""
    party_group: PartyGroup | None = None
    talk_a: Member | None = None
    talk_b: Member | None = None
    minutes: str = ""
    resolutions: str = ""
    hours: Decimal | None = None
    absences: Absences = field(default_factory=dict)  # member id → (reason, note)
    counts: tuple[int, int] | None = None  # (应到, 实到) as a 台账 states them
    absence_note: str = ""
    start_time: time | None = None
    end_time: time | None = None


TEXT_LIMITS = {"topic": 200, "place": 100, "host": 40, "speaker": 40, "site": 100, "absence_note": 2000}


def resolve_kinds(kinds: Iterable[ActivityKind | str]) -> list[ActivityKind]:
    items = list(kinds)
    keys = [k for k in items if isinstance(k, str)]
    found = {k.key: k for k in ActivityKind.objects.filter(key__in=keys)} if keys else {}
    out: list[ActivityKind] = []
    for k in items:
        kind = found.get(k) if isinstance(k, str) else k
        if kind is None:
            raise ActivityInvalid({"kinds": [f"没有代码为“{k}”的活动类型"]})
        if kind not in out:
            out.append(kind)
    return sorted(out, key=lambda k: (k.sort, k.pk))


def _validate(
    d: ActivityInput,
    *,
    actor: Actor,
    strict: bool,
    today: date,
    roster: Roster | None,
    existing_kind_ids: set[int] = frozenset(),  # type: ignore[assignment]
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def err(f: str, msg: str) -> None:
        errors.setdefault(f, []).append(msg)

    org = d.organization
    if getattr(actor, "pk", None) and not scope.org_in_scope(actor, org, write=True):
        err("organization", f"“{org.name}”不在您的管理范围内")
    if not d.kinds:
        err("kinds", "请至少选择一种活动类型")
    for k in d.kinds:
        if not k.is_active and k.pk not in existing_kind_ids:
            err("kinds", f"活动类型“{k.name}”已停用")
    if d.date is None:
        err("date", "请填写活动日期")
    else:
        if d.date > today:
            err("date", f"活动日期 {d.date:%Y-%m-%d} 晚于今天，不能登记尚未开展的活动")
        if org.founded_on and d.date < org.founded_on:
            err("date", f"{org.name}成立于 {org.founded_on:%Y-%m-%d}，活动日期不能早于成立日期")
        if org.dissolved_on and d.date > org.dissolved_on:
            err("date", f"{org.name}已于 {org.dissolved_on:%Y-%m-%d} 撤销，活动日期不能晚于撤销日期")
    if not d.topic.strip():
        err("topic", "请填写活动主题")
    if message := rules.times_error(d.start_time, d.end_time):
        err("end_time", message)
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(d, name) or "") > limit:
            err(name, f"不能超过 {limit} 个字")
    if d.hours is not None and not (Decimal("0") < d.hours <= Decimal("24")):
        err("hours", "学时应大于 0 且不超过 24")
    if d.party_group is not None and d.party_group.organization_id != org.pk:
        err("party_group", f"党小组“{d.party_group.name}”不属于{org.name}")
    audiences = {k.audience for k in d.kinds}
    if strict:
        if any(k.needs_speaker for k in d.kinds) and not d.speaker.strip():
            speaker_kinds = "、".join(k.name for k in d.kinds if k.needs_speaker)
            err("speaker", f"{speaker_kinds}须填写主讲人")
        if any(k.needs_site for k in d.kinds) and not d.site.strip():
            err("site", "现场教学须填写教学地点（基地）")
        if KindAudience.GROUP in audiences and d.party_group is None:
            err("party_group", "党小组会须选择党小组")
        if KindAudience.TALK in audiences:
            if d.talk_a is None:
                err("talk_a", "谈心谈话须选择谈话人")
            if d.talk_b is None:
                err("talk_b", "谈心谈话须选择谈话对象")
    if d.talk_a is not None and d.talk_a == d.talk_b:
        err("talk_b", "谈话人和谈话对象不能是同一人")
    if d.date is not None and not errors.get("date") and (d.talk_a or d.talk_b):
        on_roll = {m.pk for m in members_on(org, d.date, subtree=not org.is_branch)}
        for f, m in (("talk_a", d.talk_a), ("talk_b", d.talk_b)):
            if m is not None and m.pk not in on_roll:
                err(f, f"{m.name}在 {d.date:%Y-%m-%d} 不是{org.name}的党员")
    if roster is not None and d.absences:
        names = {m.pk: m.name for m in roster.members}
        for member_id, (reason, _note) in d.absences.items():
            if member_id not in names:
                err("absences", "缺席名单中有不在应到名单中的人员，请核对出勤名单")
                break
            if reason not in rules.ABSENCE_REASONS:
                err("absences", f"请为缺席的{names[member_id]}选择缺席原因（因公、因病、事假、其他）")
    if d.counts is not None:
        expected, present = d.counts
        if present > expected:
            err("counts", f"实到人数（{present}）不能多于应到人数（{expected}）")
        if len(d.absences) > expected - present:
            err("absences", f"缺席人员有 {len(d.absences)} 人，多于应到与实到之差（{expected - present} 人）")
    return errors


@dataclass
class Tally:
    rows: list[tuple[Member, bool, str, str]]  # member, present, reason, note
    expected: int
    present: int
    voting_expected: int
    voting_present: int
    quorum_met: bool | None


def tally(d: ActivityInput, roster: Roster) -> Tally:
    """Attendance rows and the counts derived from them (or, for a 台账 row, stated by it)."""
    assert d.date is not None
    day = d.date
    needs_quorum = any(k.needs_quorum for k in d.kinds)
    absences = d.absences
    # m.id rather than m.pk: the property costs more than the rest of the row (a 台账 import runs this a
    # few million times)
    everyone = [
        (m, m.id not in absences, *(absences.get(m.id) or ("", ""))) if absences else (m, True, "", "")
        for m in roster.members
    ]
    if d.counts is None:
        rows = everyone
        expected, present = len(rows), sum(1 for r in rows if r[1])
    else:
        expected, present = d.counts
        # A 台账 that matches the roll on that day gives a full attendance list; otherwise only the named absentees.
        full = len(everyone) == expected and expected - len(d.absences) == present
        rows = everyone if full else [r for r in everyone if not r[1]]
    voters = [r for r in rows if rules.has_vote(r[0].full_date, day)]
    complete = d.counts is None or len(rows) == expected
    v_exp = len(voters) if complete else 0
    v_pres = sum(1 for r in voters if r[1]) if complete else 0
    if not needs_quorum:
        quorum = None
    elif d.counts is None:
        quorum = rules.quorum_met(v_pres, v_exp)
    else:
        quorum = rules.quorum_met(present, expected)  # design §5: a 台账 states 实到 against 应到
    return Tally(rows, expected, present, v_exp, v_pres, quorum)


# --- attachments --------------------------------------------------------------------------------------------
def check_uploads(files: Sequence[Any], *, already: int = 0) -> list[Checked]:
    """Every attachment checked by the one upload policy ('attachment'); ActivityInvalid names each bad file."""
    errors: list[str] = []
    if already + len(files) > uploads.MAX_FILES_PER_RECORD:
        errors.append(f"每条记录最多 {uploads.MAX_FILES_PER_RECORD} 个附件")
    out: list[Checked] = []
    for f in files:
        try:
            out.append(core_uploads.check(uploads.POLICY, f))
        except core_uploads.UploadRefused as exc:
            errors.extend(exc.messages)
    if errors:
        raise ActivityInvalid({"attachments": errors})
    return out


def _store_uploads(
    activity: Activity, checked: list[Checked], saved: list[str], actor: Actor = None
) -> list[Attachment]:
    rows = []
    for c in checked:
        rows.append(Attachment.stored(c, "activities", actor, activity=activity))
        saved.append(rows[-1].file.name)  # removed again (_discard) if the transaction fails
    return Attachment.objects.bulk_create(rows)


def _discard(saved: list[str]) -> None:
    for name in saved:
        default_storage.delete(name)


# --- create / update / void ------------------------------------------------------------------------------------
def _apply(activity: Activity, d: ActivityInput, t: Tally) -> None:
    activity.organization = d.organization
    activity.date = d.date  # type: ignore[assignment]
    for name in _TEXT_FIELDS:
        setattr(activity, name, (getattr(d, name) or "").strip())
    activity.party_group = d.party_group
    activity.talk_a, activity.talk_b = d.talk_a, d.talk_b
    activity.hours = d.hours
    activity.start_time, activity.end_time = d.start_time, d.end_time
    activity.expected, activity.present = t.expected, t.present
    activity.voting_expected, activity.voting_present = t.voting_expected, t.voting_present
    activity.quorum_met = t.quorum_met


ACTIVITY_LABEL = Activity._meta.label_lower
_TEXT_FIELDS = ("topic", "place", "host", "speaker", "site", "minutes", "resolutions", "absence_note")


def _apply_values(v: dict[str, Any], d: ActivityInput, t: Tally) -> None:
    """`_apply` on a record's column values (attnames) instead of an instance."""
    v["organization_id"] = d.organization.pk
    v["date"] = d.date
    for name in _TEXT_FIELDS:
        v[name] = (getattr(d, name) or "").strip()
    v["party_group_id"] = getattr(d.party_group, "pk", None)
    v["talk_a_id"], v["talk_b_id"] = getattr(d.talk_a, "pk", None), getattr(d.talk_b, "pk", None)
    v["hours"] = d.hours
    v["expected"], v["present"] = t.expected, t.present
    v["voting_expected"], v["voting_present"] = t.voting_expected, t.voting_present
    v["quorum_met"] = t.quorum_met


def _summary(activity: Activity, kinds: Sequence[ActivityKind]) -> str:
    return _summary_text(activity.expected, activity.present, activity.quorum_met, kinds)


def _summary_text(expected: int, present: int, quorum_met: bool | None, kinds: Sequence[ActivityKind]) -> str:
    text = f"{'、'.join(k.name for k in kinds)}；应到 {expected} 人，实到 {present} 人"
    if quorum_met is False:
        text += "；未达法定人数，不计入"
    return text


def _make_input(organization: Organization, kinds: Iterable[ActivityKind | str], **kw: Any) -> ActivityInput:
    absences = {
        int(k): (v if isinstance(v, tuple) else (str(v), ""))
        for k, v in (kw.pop("absences", None) or {}).items()
    }
    return ActivityInput(organization=organization, kinds=resolve_kinds(kinds), absences=absences, **kw)


def record_activity(
    *,
    organization: Organization,
    kinds: Iterable[ActivityKind | str],
    date: date | None,
    topic: str,
    actor: Actor = None,
    actor_name: str = "",
    attachments: Sequence[Any] = (),
    source: str = "manual",
    import_key: str = "",
    strict: bool = True,
    submit: bool = False,
    roster: Roster | None = None,
    today: date | None = None,
    **details: Any,
) -> Activity:
    """Validate and store one record. `details`: place, host, speaker, site, party_group, talk_a, talk_b,
    minutes, resolutions, hours, absences ({member id: (reason, note)} — everyone else on the roster is
    present), counts ((应到, 实到) as a 台账 states them), absence_note. `strict` (the form) also requires
    the speaker, site, party group and talk participants the kinds call for. Raises ActivityInvalid."""
    d = _make_input(organization, kinds, date=date, topic=topic or "", **details)
    today = today or timezone.localdate()
    if roster is None and d.date is not None and d.kinds:
        roster = roster_for(
            organization, d.date, d.kinds, party_group=d.party_group, talk_a=d.talk_a, talk_b=d.talk_b
        )
    errors = _validate(d, actor=actor, strict=strict, today=today, roster=roster)
    checked: list[Checked] = []
    try:
        checked = check_uploads(attachments)
    except ActivityInvalid as exc:
        errors.update(exc.errors)
    if errors:
        raise ActivityInvalid(errors)
    assert roster is not None
    t = tally(d, roster)
    saved: list[str] = []
    try:
        with transaction.atomic():
            activity = Activity(created_by=actor if getattr(actor, "pk", None) else None, source=source)
            activity.import_key = import_key
            activity.topic = d.topic
            _apply(activity, d, t)
            at_entry = approves_at_entry(actor, organization)
            if at_entry:  # the create audit entry then records status 已通过 itself
                activity.status = ActivityStatus.APPROVED
                activity.submitted_at = activity.reviewed_at = timezone.now()
                activity.reviewed_by = actor if getattr(actor, "pk", None) else None
            activity.save()
            if at_entry:
                activity.status = ActivityStatus.DRAFT  # the step's from-status
                _step(activity, ReviewAction.APPROVE, ActivityStatus.APPROVED, actor, actor_name, AT_ENTRY)
                activity.status = ActivityStatus.APPROVED
            activity.kinds.set(d.kinds)
            Attendance.objects.bulk_create(
                Attendance(activity=activity, member=m, present=p, absence_reason=r, note=n[:100])
                for m, p, r, n in t.rows
            )
            _store_uploads(activity, checked, saved, actor)
            audit.log_create(
                activity,
                actor=actor,
                actor_name=actor_name,
                note=_summary(activity, d.kinds) + (f"；{AT_ENTRY}" if at_entry else ""),
            )
            if submit and not at_entry:
                _transition(activity, review.Action.SUBMIT, actor, actor_name=actor_name)
    except BaseException:
        _discard(saved)
        raise
    return activity


@dataclass
class NewRecord:
    """One record of a bulk create (the 台账 import): what `record_activity` takes for one row."""

    organization: Organization
    kinds: list[ActivityKind]
    date: date
    topic: str
    roster: Roster
    import_key: str = ""
    host: str = ""
    minutes: str = ""
    counts: tuple[int, int] | None = None
    absences: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    absence_note: str = ""


def record_activities(
    records: Iterable[NewRecord],
    *,
    total: int | None = None,
    actor: Actor = None,
    actor_name: str = "",
    source: str = "import",
    today: date | None = None,
    batch_size: int = 1000,
    stage: str = "写入",
) -> int:
    """Store many records at once, set-based: the same rows, review steps, attendance and one audit entry per
    record as `record_activity` (strict=False, no attachments) would leave, written in batches of bulk inserts.
    The caller has validated the rows and checked the actor's scope; the service's own checks still run and
    raise ActivityInvalid for the first record they refuse (nothing is written then: call inside a
    transaction). Reports progress as `stage` (of `total` records, when `records` is not a sequence).
    `records` may be a generator: they are taken a batch at a time and nothing of a written batch is kept, so
    a city's 台账 does not hold its hundred and sixty thousand records (and their attendance) at once. Returns
    the number of records written."""
    today = today or timezone.localdate()
    if total is None:
        records = list(records)
        total = len(records)
    pending = iter(records)
    written = 0
    actor_user = actor if getattr(actor, "pk", None) else None
    label = audit.actor_label(actor, actor_name)
    through = Activity.kinds.through
    # The records as plain rows (no field compilation per value); the auto_now(_add) fields get the
    # inserter's time, which the instances are given too (the audit entry snapshots them).
    auto = [f.attname for f in Activity._meta.concrete_fields if getattr(f, "auto_now", False)]
    auto += [f.attname for f in Activity._meta.concrete_fields if getattr(f, "auto_now_add", False)]
    columns = [
        f.attname for f in Activity._meta.concrete_fields if not f.primary_key and f.attname not in auto
    ]
    with transaction.atomic(), stamps.counted_per_topic(Activity, through, Attendance):
        inserter = RowInserter(Activity, columns)
        links = RowInserter(through, ("activity_id", "activitykind_id"))
        attendance = RowInserter(
            Attendance, ("activity_id", "member_id", "present", "absence_reason", "note")
        )
        steps = RowInserter(
            ReviewStep,
            ("activity_id", "action", "from_status", "to_status", "actor_id", "actor_name", "comment", "at"),
        )
        # Each record as its column values (no model instance: building one per row cost a fifth of a city's
        # import), from the defaults an unsaved record has; the audit entry is the snapshot the instance
        # would give (`audit.snapshot_of`), as `record_activity` leaves it.
        proto = Activity(created_by=actor_user, source=source)
        base = {f.attname: getattr(proto, f.attname) for f in Activity._meta.concrete_fields}
        approves: dict[int, bool] = {}
        while chunk := list(itertools.islice(pending, batch_size)):
            built: list[tuple[dict[str, Any], ActivityInput, bool]] = []
            rows: list[tuple[int, Tally]] = []
            now = timezone.now()
            for rec in chunk:
                d = _make_input(
                    rec.organization,
                    rec.kinds,
                    date=rec.date,
                    topic=rec.topic or "",
                    host=rec.host,
                    minutes=rec.minutes,
                    counts=rec.counts,
                    absences=dict(rec.absences),
                    absence_note=rec.absence_note,
                )
                # actor None: the caller checked the scope once for the whole import
                errors = _validate(d, actor=None, strict=False, today=today, roster=rec.roster)
                if errors:
                    raise ActivityInvalid(errors)
                t = tally(d, rec.roster)
                v = dict(base)
                v["import_key"] = rec.import_key
                _apply_values(v, d, t)
                org_id = rec.organization.pk
                at_entry = approves.get(org_id)
                if at_entry is None:
                    at_entry = approves[org_id] = approves_at_entry(actor, rec.organization)
                if at_entry:
                    v["status"] = ActivityStatus.APPROVED.value
                    v["submitted_at"] = v["reviewed_at"] = now
                    v["reviewed_by_id"] = getattr(actor_user, "pk", None)
                built.append((v, d, at_entry))
                rows.append((len(built) - 1, t))
            ids = inserter.insert_returning_ids([[v[c] for c in columns] for v, _d, _e in built])
            for (v, _d, _e), pk in zip(built, ids, strict=True):
                v["id"] = pk
                for c in auto:
                    v[c] = inserter.now
            # COPY on PostgreSQL, multi-row INSERT … VALUES elsewhere (core.bulk)
            links.insert((v["id"], k.id) for v, d, _e in built for k in d.kinds)
            attendance.insert(
                (built[i][0]["id"], m.id, p, r, n[:100]) for i, t in rows for m, p, r, n in t.rows
            )
            steps.insert(
                (v["id"], ReviewAction.APPROVE.value, ActivityStatus.DRAFT.value, ActivityStatus.APPROVED.value,
                 getattr(actor_user, "pk", None), label, AT_ENTRY, now)
                for v, _d, at_entry in built
                if at_entry
            )  # fmt: skip
            audit.record_many(
                audit.Entry(
                    action=AuditAction.CREATE,
                    actor=actor,
                    actor_name=actor_name,
                    model=ACTIVITY_LABEL,
                    object_id=str(v["id"]),
                    object_repr=f"{v['date']:%Y-%m-%d} {v['topic']}",
                    changes=audit.created(audit.snapshot_of(Activity, v)),
                    note=_summary_text(v["expected"], v["present"], v["quorum_met"], d.kinds)
                    + (f"；{AT_ENTRY}" if at_entry else ""),
                )
                for v, d, at_entry in built
            )
            written += len(built)
            progress.report(stage, written, total)
    return written


def _absent_map(activity: Activity) -> dict[int, tuple[str, str]]:
    return {a.member_id: (a.absence_reason, a.note) for a in activity.attendance.all() if not a.present}


def update_activity(
    activity: Activity,
    *,
    version: int,
    actor: Actor,
    kinds: Iterable[ActivityKind | str],
    date: date | None,
    topic: str,
    organization: Organization | None = None,
    reason: str = "",
    actor_name: str = "",
    attachments: Sequence[Any] = (),
    remove_attachments: Iterable[int] = (),
    strict: bool = True,
    roster: Roster | None = None,
    today: date | None = None,
    **details: Any,
) -> Activity:
    """Change a record. Editing an approved (locked) record is a reviewer's (or the command line's) and needs
    a reason; the organisation's own admins use `request_edit` instead (see review.py). A stale `version`
    raises ConcurrencyError."""
    action = review.edit_action(activity.status)
    try:
        review.check(action, activity.status, activity.is_deleted, review_actor(actor, activity), reason)
    except review.ReviewError as exc:
        if exc.forbidden:
            raise
        missing_reason = action in review.NEEDS_COMMENT and not reason.strip() and not activity.is_deleted
        raise ActivityInvalid({"reason" if missing_reason else "__all__": [exc.message]})
    d = _make_input(organization or activity.organization, kinds, date=date, topic=topic or "", **details)
    today = today or timezone.localdate()
    if roster is None and d.date is not None and d.kinds:
        roster = roster_for(
            d.organization, d.date, d.kinds, party_group=d.party_group, talk_a=d.talk_a, talk_b=d.talk_b
        )
    old_kinds = list(activity.kinds.all())
    errors = _validate(
        d,
        actor=actor,
        strict=strict,
        today=today,
        roster=roster,
        existing_kind_ids={k.pk for k in old_kinds},
    )
    current = activity.attachments.filter(is_deleted=False)
    remove = set(int(i) for i in remove_attachments) & set(current.values_list("pk", flat=True))
    checked: list[Checked] = []
    try:
        checked = check_uploads(attachments, already=current.count() - len(remove))
    except ActivityInvalid as exc:
        errors.update(exc.errors)
    if errors:
        raise ActivityInvalid(errors)
    assert roster is not None
    t = tally(d, roster)
    before = audit.snapshot(activity)
    old_absent = _absent_map(activity)
    saved: list[str] = []
    try:
        with transaction.atomic():
            claimed = Activity.objects.filter(pk=activity.pk, version=version, is_deleted=False).update(
                version=F("version") + 1
            )
            if not claimed:
                raise ConcurrencyError()
            activity.version = version + 1
            _apply(activity, d, t)
            locked_edit = activity.status == ActivityStatus.APPROVED
            if locked_edit:  # by a reviewer: what is stored is what they approve, so it stays approved
                _step(activity, ReviewAction.EDIT_LOCKED, ActivityStatus.APPROVED, actor, actor_name, reason)
            activity.save()
            if [k.pk for k in old_kinds] != [k.pk for k in d.kinds]:
                activity.kinds.set(d.kinds)
            _replace_attendance(activity, t)
            if remove:
                Attachment.objects.filter(pk__in=remove).update(is_deleted=True)
            added = _store_uploads(activity, checked, saved, actor)
            changes = audit.diff(before, audit.snapshot(activity))
            if [k.name for k in old_kinds] != [k.name for k in d.kinds]:
                changes["kinds"] = [[k.name for k in old_kinds], [k.name for k in d.kinds]]
            new_absent = {m.pk: (r, n) for m, p, r, n in t.rows if not p}
            if new_absent != old_absent:
                changes["absent"] = [_absent_text(old_absent), _absent_text(new_absent)]
            if remove:
                changes["attachments_removed"] = [sorted(remove), []]
            if added:
                changes["attachments_added"] = [[], [a.original_name for a in added]]
            if changes:
                audit.record(
                    AuditAction.UPDATE,
                    actor=actor,
                    actor_name=actor_name,
                    instance=activity,
                    changes=changes,
                    note=("修改已审核通过的记录，重新提交审核；原因：" + reason.strip())
                    if locked_edit
                    else (reason.strip() or "修改活动记录"),
                )
    except BaseException:
        _discard(saved)
        raise
    return activity


def _absent_text(absent: Mapping[int, tuple[str, str]]) -> list[str]:
    names = dict(Member.objects.filter(pk__in=list(absent)).values_list("pk", "name"))
    return sorted(f"{names.get(pk, pk)}（{r}）" for pk, (r, _n) in absent.items())


def _replace_attendance(activity: Activity, t: Tally) -> None:
    existing = {a.member_id: a for a in activity.attendance.all()}
    wanted = {m.pk for m, *_ in t.rows}
    stale = [a.pk for mid, a in existing.items() if mid not in wanted]
    if stale:
        Attendance.objects.filter(pk__in=stale).delete()  # no longer expected (date, kinds or group changed)
    create, change = [], []
    for m, present, reason, note in t.rows:
        a = existing.get(m.pk)
        if a is None:
            create.append(
                Attendance(
                    activity=activity, member=m, present=present, absence_reason=reason, note=note[:100]
                )
            )
        elif (a.present, a.absence_reason, a.note) != (present, reason, note[:100]):
            a.present, a.absence_reason, a.note = present, reason, note[:100]
            change.append(a)
    Attendance.objects.bulk_create(create)
    Attendance.objects.bulk_update(change, ["present", "absence_reason", "note"])


def void_activity(activity: Activity, *, actor: Actor, reason: str, actor_name: str = "") -> Activity:
    """作废: the record stays (never deleted), flagged with the reason; it no longer counts. An approved record
    is voided only by a reviewer (its organisation's admins use `request_void`)."""
    facts = review_actor(actor, activity)
    review.check(review.void_action(activity.status), activity.status, activity.is_deleted, facts, reason)
    with transaction.atomic():
        claimed = Activity.objects.filter(pk=activity.pk, is_deleted=False).update(
            is_deleted=True,
            void_reason=reason.strip()[:200],
            voided_at=timezone.now(),
            version=F("version") + 1,
        )
        if not claimed:
            raise review.ReviewError("该记录已作废")
        activity.refresh_from_db()
        _step(activity, ReviewAction.VOID, activity.status, actor, actor_name, reason)
        audit.log_delete(activity, actor=actor, actor_name=actor_name, note=f"作废：{reason.strip()}")
    return activity


# --- review -------------------------------------------------------------------------------------------------
def may_review_org(user: Any, org: Organization) -> bool:
    # Reviewers are the bureau (everything) and org admins (strictly below their own organisation).
    root = scope.scope_root(user) if policy.can(user, Perm.REVIEW_ACTIVITIES) else None
    return review.may_review(
        is_bureau_admin=scope.is_bureau_admin(user),
        admin_root_path=root.path if root is not None else None,
        org_path=org.path,
    )


def approves_at_entry(user: Any, org: Organization) -> bool:
    """Whoever may review the organisation's records approves their own entries at once (issue 13): an admin of
    a superior organisation, the bureau admin, or the command line / import job, which acts for the bureau."""
    return not getattr(user, "pk", None) or may_review_org(user, org)


def review_actor(user: Any, activity: Activity) -> review.Actor:
    if user is None:  # a command or job acting on behalf of the system (for the bureau)
        return review.Actor(can_write=True, can_review=True)
    org = activity.organization
    return review.Actor(
        can_write=scope.org_in_scope(user, org, write=True),
        can_review=may_review_org(user, org),
    )


def reviewable(qs: QuerySet[Activity], user: Any) -> QuerySet[Activity]:
    """The records of the organisations this user reviews (strictly below an org admin's own)."""
    if scope.is_bureau_admin(user):
        return qs
    # The one other reviewer: an org admin, below their own organisation.
    if policy.can(user, Perm.REVIEW_ACTIVITIES) and (root := scope.scope_root(user)) is not None:
        return qs.filter(organization__path__startswith=root.path).exclude(organization_id=root.pk)
    return qs.none()


def _step(
    activity: Activity, action: str, to_status: str, actor: Actor, actor_name: str, comment: str
) -> ReviewStep:
    return ReviewStep.objects.create(
        activity=activity,
        action=action,
        from_status=activity.status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=audit.actor_label(actor, actor_name),
        comment=comment.strip()[:300],
    )


def _transition(
    activity: Activity,
    action: review.Action,
    actor: Actor,
    comment: str = "",
    actor_name: str = "",
    version: int | None = None,
) -> Activity:
    target = review.check(
        action, activity.status, activity.is_deleted, review_actor(actor, activity), comment
    )
    now = timezone.now()
    fields: dict[str, Any] = {"status": target}
    if action == review.Action.SUBMIT:
        fields.update(submitted_at=now, review_comment="")
    elif action in (review.Action.APPROVE, review.Action.RETURN):
        fields.update(
            reviewed_by=actor if getattr(actor, "pk", None) else None,
            reviewed_at=now,
            review_comment=comment.strip()[:300],
        )
    with transaction.atomic():
        # Claim the transition: two reviewers acting at once cannot both succeed.
        claim = Activity.objects.filter(pk=activity.pk, status=activity.status, is_deleted=False)
        if version is not None:  # a reviewer decides on what they saw: not on a record changed since
            claim = claim.filter(version=version)
        if not claim.update(**fields, version=F("version") + 1):
            raise review.ReviewError("该记录在您查看后已被他人修改或办理，请刷新页面核对后再办理")
        step = _step(activity, str(action), target, actor, actor_name, comment)
        old = activity.status
        activity.refresh_from_db()
        audit.record(
            f"activity.{action}",  # activity.submit / withdraw / approve / return (core.audit_events)
            actor=actor,
            actor_name=actor_name,
            instance=activity,
            changes={"status": [old, target]},
            note=review.ACTION_LABELS[action] + (f"：{comment.strip()}" if comment.strip() else ""),
        )
        _announce(activity, action, step, actor, comment)
    return activity


def _announce(
    activity: Activity, action: review.Action, step: ReviewStep, actor: Actor, comment: str
) -> None:
    """待审核 to the reviewers; 通过 / 退回 to whoever entered the record and the organisation's admins."""
    org = activity.organization
    url = reverse("activities:detail", args=[activity.pk])
    what = f"{org.name}“{activity.date:%Y-%m-%d} {activity.topic}”"
    key = f"{activity.pk}:{step.pk}"
    if action == review.Action.SUBMIT:
        events.emit(
            "activity.submit",
            title=f"{what}待审核",
            body=f"{org.name}提交了组织生活记录，请审核。",
            url=url,
            key=key,
            org=org,
            audience="reviewers",
            actor=actor,
        )
    elif action in (review.Action.APPROVE, review.Action.RETURN):
        returned = action == review.Action.RETURN
        events.emit(
            "activity.return" if returned else "activity.approve",
            title=f"{what}{'被退回' if returned else '已审核通过'}",
            body=(f"退回意见：{comment.strip()}\n请按意见补正后重新提交。" if returned else comment.strip()),
            url=url,
            key=key,
            recipients=[activity.created_by],
            org=org,
            audience="org_admins",
            actor=actor,
        )


def submit(activity: Activity, *, actor: Actor, actor_name: str = "") -> Activity:
    if (
        activity.checkin_opened_at is not None
    ):  # QR 签到 (activities.checkin): every 未签到 needs a reason first
        waiting = Attendance.objects.filter(activity=activity, present=False, absence_reason="").count()
        if waiting:
            raise review.ReviewError(
                f"尚有 {waiting} 人未签到：请在“修改”中为其选择缺席原因或改为出席后，再提交审核"
            )
    return _transition(activity, review.Action.SUBMIT, actor, actor_name=actor_name)


def withdraw(activity: Activity, *, actor: Actor, actor_name: str = "") -> Activity:
    return _transition(activity, review.Action.WITHDRAW, actor, actor_name=actor_name)


def approve(
    activity: Activity, *, actor: Actor, comment: str = "", actor_name: str = "", version: int | None = None
) -> Activity:
    return _transition(activity, review.Action.APPROVE, actor, comment, actor_name, version)


def return_for_correction(
    activity: Activity, *, actor: Actor, comment: str, actor_name: str = "", version: int | None = None
) -> Activity:
    return _transition(activity, review.Action.RETURN, actor, comment, actor_name, version)


# --- kinds --------------------------------------------------------------------------------------------------
KIND_EDITABLE_BUILTIN = ("name", "synonyms", "sort")
KIND_FIELDS = (
    "name",
    "synonyms",
    "audience",
    "needs_quorum",
    "needs_speaker",
    "needs_site",
    "credits_study",
    "sort",
    "is_active",
)


def _kind_words(kind: ActivityKind) -> set[str]:
    return rules.kind_words(kind.name, kind.synonyms)


def _check_kind(kind: ActivityKind) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    name = "".join(kind.name.split())
    if not name:
        errors["name"] = ["请填写名称"]
    others = ActivityKind.objects.exclude(pk=kind.pk)
    taken: dict[str, str] = {}
    for other in others:
        for w in _kind_words(other):
            taken[w] = other.name
    taken.update({w: "（导入通用写法）" for w in rules.IMPORT_KIND_SYNONYMS})
    for w in _kind_words(kind):
        if w in taken and not (w in rules.IMPORT_KIND_SYNONYMS and kind.is_builtin):
            field_name = "name" if w == name else "synonyms"
            errors.setdefault(field_name, []).append(
                f"“{w}”已被活动类型“{taken[w]}”使用，导入台账时会无法区分"
            )
    return errors


def _next_kind_key() -> str:
    n = ActivityKind.objects.filter(key__startswith="local_").count() + 1
    while ActivityKind.objects.filter(key=f"local_{n}").exists():
        n += 1
    return f"local_{n}"


def create_kind(*, actor: Actor, actor_name: str = "", key: str = "", **values: Any) -> ActivityKind:
    kind = ActivityKind(key=key.strip() or _next_kind_key(), is_builtin=False)
    for f in KIND_FIELDS:
        if f in values:
            setattr(kind, f, values[f])
    kind.name = kind.name.strip()
    kind.is_talk = kind.audience == KindAudience.TALK
    errors = _check_kind(kind)
    if ActivityKind.objects.filter(key=kind.key).exists():
        errors.setdefault("key", []).append(f"代码“{kind.key}”已被使用")
    if errors:
        raise ActivityInvalid(errors)
    with transaction.atomic():
        kind.save()
        audit.log_create(kind, actor=actor, actor_name=actor_name, note="新增活动类型")
    return kind


def update_kind(kind: ActivityKind, *, actor: Actor, actor_name: str = "", **values: Any) -> ActivityKind:
    """Built-in kinds are what the rules count: only their name, synonyms and order may change."""
    before = audit.snapshot(kind)
    allowed = KIND_EDITABLE_BUILTIN if kind.is_builtin else KIND_FIELDS
    for f in allowed:
        if f in values:
            setattr(kind, f, values[f])
    kind.name = kind.name.strip()
    kind.is_talk = kind.audience == KindAudience.TALK
    errors = _check_kind(kind)
    if errors:
        raise ActivityInvalid(errors)
    with transaction.atomic():
        kind.save()
        audit.log_update(kind, before, actor=actor, actor_name=actor_name, note="修改活动类型")
    return kind


__all__ = [
    "ActivityInvalid",
    "committee_id_numbers",
    "ConcurrencyError",
    "RosterIndex",
    "Roster",
    "members_on",
    "roster_for",
    "record_activity",
    "update_activity",
    "void_activity",
    "submit",
    "withdraw",
    "approve",
    "return_for_correction",
    "reviewable",
    "review_actor",
    "may_review_org",
    "create_kind",
    "update_kind",
]


# --- change requests on approved records (issue 13) ----------------------------------------------------------
EDIT_FIELDS = ("place", "host", "speaker", "site", "minutes", "resolutions", "absence_note")


def pending_change(activity: Activity) -> ChangeRequest | None:
    return activity.change_requests.filter(state=ChangeState.PENDING).select_related("requested_by").first()


def _check_request(activity: Activity, actor: Actor, reason: str) -> None:
    try:
        review.check(
            review.Action.REQUEST_CHANGE,
            activity.status,
            activity.is_deleted,
            review_actor(actor, activity),
            reason,
        )
    except review.ReviewError as exc:
        if exc.forbidden:
            raise
        raise ActivityInvalid({"reason" if not reason.strip() else "__all__": [exc.message]})
    if pending_change(activity) is not None:
        raise ActivityInvalid({"__all__": ["该记录已有一项待审批的变更申请，请等待上级党组织审批"]})


def _open_request(
    activity: Activity, kind: str, reason: str, payload: dict[str, Any], actor: Actor, actor_name: str
) -> ChangeRequest:
    with transaction.atomic():
        cr = ChangeRequest.objects.create(
            activity=activity,
            kind=kind,
            reason=reason.strip()[:300],
            payload=payload,
            requested_by=actor if getattr(actor, "pk", None) else None,
        )
        label = ChangeKind(kind).label
        _step(
            activity,
            ReviewAction.REQUEST_CHANGE,
            activity.status,
            actor,
            actor_name,
            f"申请{label}：{reason.strip()}",
        )
        audit.log_create(
            cr, actor=actor, actor_name=actor_name, note=f"申请{label}已通过的记录：{reason.strip()}"
        )
    return cr


def request_void(activity: Activity, *, actor: Actor, reason: str, actor_name: str = "") -> ChangeRequest:
    """The organisation's admin asks to void an approved record; it keeps counting until a reviewer agrees."""
    _check_request(activity, actor, reason)
    return _open_request(activity, ChangeKind.VOID, reason, {}, actor, actor_name)


def _payload(d: ActivityInput, absences: Absences) -> dict[str, Any]:
    return {
        "organization": d.organization.pk,
        "kinds": [k.key for k in d.kinds],
        "date": d.date.isoformat() if d.date else None,
        "topic": d.topic,
        "party_group": d.party_group.pk if d.party_group else None,
        "talk_a": d.talk_a.pk if d.talk_a else None,
        "talk_b": d.talk_b.pk if d.talk_b else None,
        "hours": str(d.hours) if d.hours is not None else None,
        "start_time": d.start_time.isoformat() if d.start_time else None,
        "end_time": d.end_time.isoformat() if d.end_time else None,
        "absences": {str(k): list(v) for k, v in absences.items()},
        **{f: getattr(d, f) for f in EDIT_FIELDS},
    }


def _from_payload(p: Mapping[str, Any]) -> dict[str, Any]:
    def pick(model: Any, pk: Any) -> Any:
        return model.objects.get(pk=pk) if pk else None

    return {
        "organization": Organization.objects.get(pk=p["organization"]),
        "kinds": list(p["kinds"]),
        "date": date.fromisoformat(p["date"]) if p.get("date") else None,
        "topic": p.get("topic", ""),
        "party_group": pick(PartyGroup, p.get("party_group")),
        "talk_a": pick(Member, p.get("talk_a")),
        "talk_b": pick(Member, p.get("talk_b")),
        "hours": Decimal(p["hours"]) if p.get("hours") else None,
        "start_time": time.fromisoformat(p["start_time"]) if p.get("start_time") else None,
        "end_time": time.fromisoformat(p["end_time"]) if p.get("end_time") else None,
        "absences": {int(k): tuple(v) for k, v in (p.get("absences") or {}).items()},
        **{f: p.get(f, "") for f in EDIT_FIELDS},
    }


def request_edit(
    activity: Activity,
    *,
    actor: Actor,
    reason: str,
    kinds: Iterable[ActivityKind | str],
    date: date | None,
    topic: str,
    organization: Organization | None = None,
    actor_name: str = "",
    attachments: Sequence[Any] = (),
    remove_attachments: Iterable[int] = (),
    today: date | None = None,
    roster: Roster | None = None,
    **details: Any,
) -> ChangeRequest:
    """The organisation's admin asks to change an approved record: the proposed record is validated as an edit
    would be and kept with the request; the record stays as it is (and keeps counting) until a reviewer
    approves, which applies it (`decide_change`)."""
    _check_request(activity, actor, reason)
    if list(attachments) or list(remove_attachments):
        raise ActivityInvalid({"attachments": ["修改申请不能同时增删附件；请在申请批准后再办理附件"]})
    absences = details.get("absences") or {}
    d = _make_input(organization or activity.organization, kinds, date=date, topic=topic or "", **details)
    today = today or timezone.localdate()
    if roster is None and d.date is not None and d.kinds:
        roster = roster_for(
            d.organization, d.date, d.kinds, party_group=d.party_group, talk_a=d.talk_a, talk_b=d.talk_b
        )
    existing = set(activity.kinds.values_list("pk", flat=True))
    errors = _validate(d, actor=actor, strict=True, today=today, roster=roster, existing_kind_ids=existing)
    if errors:
        raise ActivityInvalid(errors)
    payload = _payload(
        d, {int(k): tuple(v) if isinstance(v, tuple | list) else (str(v), "") for k, v in absences.items()}
    )
    payload["version"] = activity.version
    return _open_request(activity, ChangeKind.EDIT, reason, payload, actor, actor_name)


def decide_change(
    cr: ChangeRequest, *, actor: Actor, approve: bool, comment: str = "", actor_name: str = ""
) -> ChangeRequest:
    """A reviewer of the record's organisation approves (the void or edit is applied, audited with the
    request's reason) or rejects (with a comment; the record stays as it was) a pending request."""
    activity = cr.activity
    if not review_actor(actor, activity).can_review:
        raise review.ReviewError("只有上级党组织的管理员或局党建管理员可以审批该申请", forbidden=True)
    if not approve and not comment.strip():
        raise review.ReviewError("驳回申请须填写驳回意见")
    with transaction.atomic():
        claimed = ChangeRequest.objects.filter(pk=cr.pk, state=ChangeState.PENDING).update(
            state=ChangeState.APPROVED if approve else ChangeState.REJECTED,
            decided_by=actor if getattr(actor, "pk", None) else None,
            decided_at=timezone.now(),
            decision_comment=comment.strip()[:300],
        )
        if not claimed:
            raise review.ReviewError("该申请已被办理，请刷新页面")
        before = {"state": ChangeState.PENDING.value}
        cr.refresh_from_db()
        label = cr.get_kind_display()
        why = f"同意{label}申请（{cr.reason}）" + (f"；{comment.strip()}" if comment.strip() else "")
        if approve and cr.kind == ChangeKind.VOID:
            void_activity(activity, actor=actor, reason=why[:200], actor_name=actor_name)
        elif approve:
            p = dict(cr.payload)
            # The request carries the version it was filed against (a missing one is stale too).
            try:
                actions.check_version(activity, p.get("version", ""), CHANGED_SINCE_REQUEST)
            except Stale as exc:
                raise review.ReviewError(exc.message) from None
            update_activity(
                activity,
                version=activity.version,
                actor=actor,
                reason=why,
                actor_name=actor_name,
                **_from_payload(p),
            )
        else:
            _step(
                activity,
                ReviewAction.REJECT_CHANGE,
                activity.status,
                actor,
                actor_name,
                f"驳回{label}申请：{comment.strip()}",
            )
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            actor_name=actor_name,
            instance=cr,
            changes={"state": [before["state"], cr.state]},
            note=("批准" if approve else "驳回") + f"{label}申请：{comment.strip() or cr.reason}",
        )
    return cr


# --- review at scale (issue 18) -----------------------------------------------------------------------------
@dataclass
class BulkResult:
    """What a bulk approval did: the records approved, and per record refused its label and the reason."""

    approved: list[Activity]
    refused: list[tuple[int, str, str]]  # (pk, "2025-03-02 主题", message)


NOT_SEEN = "尚未查看该记录的内容：请先展开或打开记录，核对后再审核通过"


def bulk_approve(
    pks: Sequence[int], *, actor: Actor, seen: Mapping[int, int], comment: str = "", actor_name: str = ""
) -> BulkResult:
    """Approve several records at once, each on its own (one `activity.approve` event per record).

    `seen` maps a record to the version whose content was shown to this reviewer (expanded in place or
    opened): a record never shown is refused, and so is one changed since it was shown. A refusal of one
    record leaves the others approved; every refusal is reported with its record."""
    wanted = list(dict.fromkeys(int(pk) for pk in pks))
    found = {
        a.pk: a
        for a in reviewable(Activity.objects.filter(pk__in=wanted, is_deleted=False), actor).select_related(
            "organization"
        )
    }
    result = BulkResult(approved=[], refused=[])
    for pk in wanted:
        a = found.get(pk)
        if a is None:
            result.refused.append((pk, f"#{pk}", "记录不存在或不在您的审核范围内"))
            continue
        label = f"{a.date:%Y-%m-%d} {a.topic}"
        if pk not in seen:
            result.refused.append((pk, label, NOT_SEEN))
            continue
        try:
            result.approved.append(
                approve(a, actor=actor, comment=comment, actor_name=actor_name, version=seen[pk])
            )
        except review.ReviewError as exc:
            result.refused.append((pk, label, exc.message))
    return result


def pending_by_org(user: Any, limit: int = 8) -> list[tuple[Organization, int]]:
    """The organisations with records waiting for this reviewer, most waiting first, and how many each."""
    from django.db.models import Count

    rows = (
        reviewable(Activity.objects.filter(status=ActivityStatus.SUBMITTED, is_deleted=False), user)
        .values("organization")
        .annotate(n=Count("id"))
        .order_by("-n", "organization")[:limit]
    )
    orgs = Organization.objects.in_bulk([r["organization"] for r in rows])
    return [(orgs[r["organization"]], r["n"]) for r in rows]
