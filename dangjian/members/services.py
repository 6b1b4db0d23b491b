"""Every write on members goes through here (views, commands, the roster import), audited in the same
transaction. Nobody is deleted: leaving is a status, a date and a `MembershipEvent`.

Edits carry the `version` the user saw; a save over a newer version is refused (`StaleVersionError`).
Moves between organisations: the target must be an active 党支部 (or 联合/临时党支部) inside the actor's write
scope. An org admin therefore moves members only inside their own subtree; moving a member to a branch of
another subtree is the bureau admin's act (the receiving organisation is outside the org admin's scope).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any, cast

from django.db import models, transaction
from django.utils import timezone

from dangjian.accounts.scope import org_in_scope
from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit
from dangjian.core.actions import Refusal, Stale
from dangjian.core.bulk import RowInserter
from dangjian.core.models import AuditAction
from dangjian.orgs.models import Organization

from .choices import EventKind, Status
from .models import Member, MembershipEvent
from .rules import MemberFacts, full_date_window, initials_of

STALE_MESSAGE = "该党员信息在您打开页面后已被他人修改，本次保存未生效；请刷新页面，核对最新信息后重新操作"
# The facts a roster row carries (the organisation is handled as a move).
FACT_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "id_number",
    "birth_date",
    "education",
    "join_date",
    "full_date",
    "category",
    "workplace",
    "phone",
)
# What the edit form may change besides the facts.
EXTRA_FIELDS = ("party_group", "is_floating", "floating_note", "is_lost", "lost_since")
LEAVING_STATUS = {
    EventKind.TRANSFER_OUT: Status.TRANSFERRED_OUT,
    EventKind.SUSPENDED: Status.SUSPENDED,
    EventKind.LEFT: Status.LEFT,
    EventKind.DECEASED: Status.DECEASED,
}
# The named audit event of each way of leaving (labels in core.audit_events).
LEAVING_EVENTS = {
    EventKind.TRANSFER_OUT: "member.transfer_out",
    EventKind.SUSPENDED: "member.suspend",
    EventKind.LEFT: "member.leave",
    EventKind.DECEASED: "member.decease",
}


class MemberError(Refusal):
    """A refused write of the members app (core.actions' one refusal type)."""


class StaleVersionError(Stale, MemberError):
    def __init__(self) -> None:
        super().__init__(STALE_MESSAGE)


def today() -> date:
    return timezone.localdate()


def _who(actor: Actor, actor_name: str) -> str:
    return audit.actor_label(actor, actor_name)


def refresh_initials(member: Member) -> None:
    member.initials = initials_of(member.name)


def _check_unique_id(id_number: str, exclude_pk: int | None = None) -> None:
    qs = Member.objects.filter(id_number=id_number)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise MemberError(
            "该公民身份号码已登记为党员，同一人只能登记一次；请核对号码。如系从其他党组织转来，请由局党建管理员办理转接",
            "id_number",
        )


def _check_day(on: date, member: Member, what: str, field: str = "on") -> None:
    if on > today():
        raise MemberError(f"{what}日期不能晚于今天；请核对", field)
    if on < member.join_date:
        raise MemberError(f"{what}日期不能早于入党日期（{member.join_date:%Y-%m-%d}）；请核对", field)


def _check_version(member: Member, expected_version: int) -> None:
    """Refuse before touching the object; `_save_versioned` still guards against a write in between."""
    try:
        actions.check_version(member, expected_version)
    except Stale:
        raise StaleVersionError() from None


def _save_versioned(member: Member, fields: Iterable[str], expected_version: int | None) -> None:
    """Write `fields` only if the row still has the version the user saw; bump the version."""
    if expected_version is None:
        expected_version = member.version
    names = {cast("models.Field[Any, Any]", Member._meta.get_field(f)).attname for f in fields}
    values = {n: getattr(member, n) for n in names}
    now = timezone.now()
    updated = Member.objects.filter(pk=member.pk, version=expected_version).update(
        **values, version=expected_version + 1, updated_at=now
    )
    if not updated:
        raise StaleVersionError()
    member.version = expected_version + 1
    member.updated_at = now


def _event(
    member: Member,
    kind: str,
    on: date,
    who: str,
    *,
    from_org: Organization | int | None = None,
    to_org: Organization | int | None = None,
    destination: str = "",
    note: str = "",
) -> MembershipEvent:
    def _id(o: Organization | int | None) -> int | None:
        return o.pk if isinstance(o, Organization) else o

    return MembershipEvent(
        member=member,
        kind=kind,
        date=on,
        from_org_id=_id(from_org),
        to_org_id=_id(to_org),
        destination=destination[:100],
        note=note[:300],
        recorded_by=who[:150],
    )


def _check_target(target: Organization, actor: Actor) -> None:
    if not target.is_branch:
        raise MemberError("党员只能编入党支部（含联合党支部、临时党支部）；请选择一个党支部", "organization")
    if not target.is_active:
        raise MemberError(f"“{target.name}”已撤销，不能再编入党员；请选择现有的党支部", "organization")
    if actor is not None and getattr(actor, "pk", None) and not org_in_scope(actor, target, write=True):
        raise MemberError(
            "目标党支部不在您的管理范围内。跨党组织的转接由局党建管理员办理，请与其联系", "organization"
        )


# -- create and edit ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TransferIn:
    """A member who arrives from outside the system (转入) instead of joining here."""

    on: date
    source: str  # 来自（系统外党组织）
    note: str = ""


@transaction.atomic
def create_member(
    facts: MemberFacts,
    organization: Organization,
    *,
    actor: Actor = None,
    actor_name: str = "",
    transfer_in: TransferIn | None = None,
    extra: dict[str, Any] | None = None,
) -> Member:
    _check_unique_id(facts.id_number)
    _check_target(organization, actor)
    who = _who(actor, actor_name)
    member = Member(organization=organization, **{f: getattr(facts, f) for f in FACT_FIELDS}, **(extra or {}))
    refresh_initials(member)
    if transfer_in is not None:
        member.arrived_on = transfer_in.on  # counted here from the transfer (members.asof)
        if transfer_in.on > today():
            raise MemberError("转入日期不能晚于今天；请核对", "transfer_on")
        if transfer_in.on < facts.join_date:
            raise MemberError("转入日期不能早于入党日期；请核对", "transfer_on")
        if not transfer_in.source.strip():
            raise MemberError("请填写转入党员原所在的党组织（转出单位）", "transfer_source")
    member.save()
    if transfer_in is not None:
        events = [
            _event(
                member,
                EventKind.TRANSFER_IN,
                transfer_in.on,
                who,
                to_org=organization,
                destination=transfer_in.source.strip(),
                note=transfer_in.note,
            )
        ]
        note = f"转入，来自{transfer_in.source.strip()}"
    else:
        events = joining_events(member, who)
        note = "新增党员"
    MembershipEvent.objects.bulk_create(events)
    audit.log_create(member, actor=actor, actor_name=actor_name, note=note)
    return member


def joining_events(member: Member, who: str, note: str = "") -> list[MembershipEvent]:
    """入党 at the join date, and 转正 when the member is already full."""
    events = [
        _event(member, EventKind.JOINED, member.join_date, who, to_org=member.organization_id, note=note)
    ]
    if member.full_date is not None:
        events.append(_event(member, EventKind.FULL, member.full_date, who, note=note))
    return events


@transaction.atomic
def update_member(
    member: Member,
    data: dict[str, Any],
    *,
    expected_version: int,
    actor: Actor = None,
    actor_name: str = "",
) -> dict[str, list[Any]]:
    """Change facts and flags (not the organisation: that is a move). Returns the changes."""
    unknown = set(data) - set(FACT_FIELDS) - set(EXTRA_FIELDS)
    if unknown:
        raise ValueError(f"update_member: unexpected fields {sorted(unknown)}")
    _check_version(member, expected_version)
    if "id_number" in data and data["id_number"] != member.id_number:
        _check_unique_id(data["id_number"], exclude_pk=member.pk)
    group = data.get("party_group")
    if group is not None and group.organization_id != member.organization_id:
        raise MemberError("党小组必须属于该党员所在的党支部", "party_group")
    before = audit.snapshot(member)
    became_full = member.full_date is None and data.get("full_date") is not None
    for field, value in data.items():
        setattr(member, field, value)
    refresh_initials(member)
    after = audit.snapshot(member)
    changed = [f for f in after if after[f] != before.get(f)]
    if not changed:
        return {}
    _save_versioned(member, changed, expected_version)
    if became_full and member.full_date is not None:
        _event(member, EventKind.FULL, member.full_date, _who(actor, actor_name)).save()
    return audit.log_update(member, before, actor=actor, actor_name=actor_name, note="修改党员信息")


# -- moves and status --------------------------------------------------------------------------------------
def _require_current(member: Member, what: str) -> None:
    if member.status != Status.NORMAL:
        raise MemberError(f"该党员当前状态为“{member.status}”，不能办理{what}")


@transaction.atomic
def move_member(
    member: Member,
    target: Organization,
    on: date,
    *,
    expected_version: int,
    actor: Actor = None,
    actor_name: str = "",
    note: str = "",
) -> MembershipEvent:
    """组织内转接: to another branch inside the system."""
    _check_version(member, expected_version)
    _require_current(member, "组织内转接")
    if target.pk == member.organization_id:
        raise MemberError("目标党支部与当前所在党支部相同；请选择另一个党支部", "organization")
    _check_target(target, actor)
    _check_day(on, member, "转接")
    before = audit.snapshot(member)
    source = member.organization
    member.organization = target
    member.party_group = None
    _save_versioned(member, ["organization", "party_group"], expected_version)
    event = MembershipEvent.objects.create(
        member=member,
        kind=EventKind.MOVED,
        date=on,
        from_org=source,
        to_org=target,
        note=note[:300],
        recorded_by=_who(actor, actor_name)[:150],
    )
    audit.log_update(
        member,
        before,
        actor=actor,
        actor_name=actor_name,
        note=f"组织内转接：{source.name} → {target.name}",
        event="member.move",
    )
    return event


@transaction.atomic
def end_membership(
    member: Member,
    kind: str,
    on: date,
    *,
    expected_version: int,
    destination: str = "",
    actor: Actor = None,
    actor_name: str = "",
    note: str = "",
) -> MembershipEvent:
    """转出 (to a named organisation outside the system), 停止党籍, 出党, 死亡."""
    if kind not in LEAVING_STATUS:
        raise MemberError("变动类型无效", "kind")
    label = EventKind(kind).label
    _check_version(member, expected_version)
    _require_current(member, label)
    _check_day(on, member, label)
    destination = destination.strip()
    if kind == EventKind.TRANSFER_OUT and not destination:
        raise MemberError("请填写转往的党组织名称（系统外的接收单位）", "destination")
    if kind in (EventKind.SUSPENDED, EventKind.LEFT) and not note.strip():
        raise MemberError(f"请写明{label}的原因及批准文件或会议", "note")
    before = audit.snapshot(member)
    member.status = LEAVING_STATUS[EventKind(kind)]
    member.left_on = on
    _save_versioned(member, ["status", "left_on"], expected_version)
    event = MembershipEvent.objects.create(
        member=member,
        kind=kind,
        date=on,
        from_org_id=member.organization_id,
        destination=destination[:100],
        note=note[:300],
        recorded_by=_who(actor, actor_name)[:150],
    )
    audit.log_update(
        member,
        before,
        actor=actor,
        actor_name=actor_name,
        note=f"{label}" + (f"，转往{destination}" if destination else ""),
        event=LEAVING_EVENTS[EventKind(kind)],
    )
    return event


@transaction.atomic
def restore_membership(
    member: Member,
    on: date,
    *,
    expected_version: int,
    actor: Actor = None,
    actor_name: str = "",
    note: str = "",
) -> MembershipEvent:
    """恢复党籍 after 停止党籍 (教育管理条例 第二十四条: only 停止党籍 may be restored)."""
    _check_version(member, expected_version)
    if member.status != Status.SUSPENDED:
        raise MemberError("只有“停止党籍”的党员可以恢复党籍；出党、转出、死亡不能恢复")
    if member.left_on and on < member.left_on:
        raise MemberError("恢复日期不能早于停止党籍的日期；请核对", "on")
    _check_day(on, member, "恢复党籍")
    if not note.strip():
        raise MemberError("请写明恢复党籍的依据（批准的会议或文件）", "note")
    before = audit.snapshot(member)
    member.status = Status.NORMAL
    member.left_on = None
    _save_versioned(member, ["status", "left_on"], expected_version)
    event = MembershipEvent.objects.create(
        member=member,
        kind=EventKind.RESTORED,
        date=on,
        to_org_id=member.organization_id,
        note=note[:300],
        recorded_by=_who(actor, actor_name)[:150],
    )
    audit.log_update(
        member, before, actor=actor, actor_name=actor_name, note="恢复党籍", event="member.restore"
    )
    return event


@transaction.atomic
def confirm_full(
    member: Member,
    on: date,
    *,
    expected_version: int,
    actor: Actor = None,
    actor_name: str = "",
    note: str = "",
) -> MembershipEvent:
    """转正 of a 预备党员: the date lies between 入党日期 + 1 year and + 2 years and not in the future."""
    _check_version(member, expected_version)
    _require_current(member, "转正")
    if member.full_date is not None:
        raise MemberError(f"该党员已于 {member.full_date:%Y-%m-%d} 转为正式党员")
    first, last = full_date_window(member.join_date)
    if not first <= on <= last:
        raise MemberError(
            f"转正日期应在入党日期满1年至满2年之间（{first:%Y-%m-%d} 至 {last:%Y-%m-%d}）；"
            "预备期满不能转正的，应延长预备期或取消预备党员资格",
            "on",
        )
    if on > today():
        raise MemberError("转正日期不能晚于今天；请在支部大会通过后再办理", "on")
    before = audit.snapshot(member)
    member.full_date = on
    _save_versioned(member, ["full_date"], expected_version)
    event = MembershipEvent.objects.create(
        member=member,
        kind=EventKind.FULL,
        date=on,
        note=note[:300],
        recorded_by=_who(actor, actor_name)[:150],
    )
    audit.log_update(
        member, before, actor=actor, actor_name=actor_name, note="预备党员转正", event="member.full"
    )
    return event


def record_full_view(member: Member, *, actor: Actor, ip: str | None = None) -> None:
    """Someone other than the member saw the full ID number and phone."""
    audit.record(
        AuditAction.VIEW_SENSITIVE,
        actor=actor,
        instance=member,
        ip=ip,
        note="查看完整公民身份号码和联系电话",
    )


def record_export(*, actor: Actor, actor_name: str = "", count: int, full: bool, scope: str) -> None:
    audit.record(
        AuditAction.EXPORT,
        actor=actor,
        actor_name=actor_name,
        model="members.member",
        object_repr="党员名册",
        note=f"导出党员名册 {count} 人（{scope}；身份证号码{'完整' if full else '已脱敏'}）",
    )


# -- the roster import ---------------------------------------------------------------------------------------
@dataclass
class RosterWrite:
    facts: MemberFacts
    organization_id: int
    existing: Member | None = None


BULK_BATCH = 500
APPLY_CHUNK = 5000  # rows written (and audited) at a time, to bound memory


def apply_roster(
    rows: Sequence[RosterWrite], *, actor: Actor = None, actor_name: str = "", note: str = "名册导入"
) -> None:
    """Write planned roster rows in bulk: creations with their 入党/转正 events; updates with a 组织内转接 event
    when the organisation changes and a 转正 event when the full date first appears. One audit entry per
    member. The caller holds the transaction (the import framework does)."""
    who = _who(actor, actor_name)
    members, events = RowInserter(Member, MEMBER_COLUMNS), RowInserter(MembershipEvent, EVENT_COLUMNS)
    for i in range(0, len(rows), APPLY_CHUNK):
        chunk = rows[i : i + APPLY_CHUNK]
        entries = _create_chunk(
            [r for r in chunk if r.existing is None], members, events, who, actor, actor_name, note
        )
        entries += _update_chunk(
            [r for r in chunk if r.existing is not None], events, who, actor, actor_name, note
        )
        audit.record_many(entries)


# The columns the roster import writes (RowInserter rows); every other column takes its default.
MEMBER_COLUMNS = (*FACT_FIELDS, "arrived_on", "organization_id", "initials")
EVENT_COLUMNS = ("member_id", "kind", "date", "from_org_id", "to_org_id", "note", "recorded_by")
_facts_of = attrgetter(*FACT_FIELDS)


def _create_chunk(
    rows: list[RosterWrite],
    members: RowInserter,
    events: RowInserter,
    who: str,
    actor: Actor,
    actor_name: str,
    note: str,
) -> list[audit.Entry]:
    if not rows:
        return []
    values: list[Sequence[Any]] = [
        (*_facts_of(r.facts), r.facts.arrived_on, r.organization_id, initials_of(r.facts.name)) for r in rows
    ]
    ids = members.insert_keyed(values, "id_number")
    new_events: list[tuple[Any, ...]] = []
    entries: list[audit.Entry] = []
    recorded_by = who[:150]
    joined, full, arrived = EventKind.JOINED, EventKind.FULL, EventKind.TRANSFER_IN
    create = AuditAction.CREATE
    for r in rows:
        f = r.facts
        pk = ids[f.id_number]
        if f.arrived_on is None:
            new_events.append((pk, joined, f.join_date, None, r.organization_id, note, recorded_by))
        else:  # joined elsewhere, counted here from the transfer (转入本组织日期)
            new_events.append((pk, joined, f.join_date, None, None, note, recorded_by))
            new_events.append((pk, arrived, f.arrived_on, None, r.organization_id, note, recorded_by))
        if f.full_date is not None:
            new_events.append((pk, full, f.full_date, None, None, note, recorded_by))
        # The row itself holds the values; the entry says who created which member where (no copy of the
        # ID number or phone in the log).
        entries.append(
            audit.Entry(
                action=create,
                actor=actor,
                actor_name=actor_name,
                model="members.member",
                object_id=str(pk),
                object_repr=f.name,
                changes={
                    "organization": [None, r.organization_id],
                    "join_date": [None, f.join_date.isoformat()],
                },
                note=note,
            )
        )
    events.insert(new_events)
    return entries


def _update_chunk(
    rows: list[RosterWrite], events: RowInserter, who: str, actor: Actor, actor_name: str, note: str
) -> list[audit.Entry]:
    if not rows:
        return []
    on, now = today(), timezone.now()
    changed: list[tuple[Member, dict[str, Any]]] = []
    for r in rows:
        m = r.existing
        assert m is not None
        before = audit.snapshot(m)
        for f in FACT_FIELDS:
            setattr(m, f, getattr(r.facts, f))
        m.arrived_on = r.facts.arrived_on
        if m.organization_id != r.organization_id:
            m.organization_id = r.organization_id
            m.party_group_id = None
        refresh_initials(m)
        m.version += 1
        m.updated_at = now
        changed.append((m, before))
    Member.objects.bulk_update(
        [m for m, _ in changed],
        [*FACT_FIELDS, "arrived_on", "organization", "party_group", "initials", "version", "updated_at"],
        batch_size=BULK_BATCH,
    )
    new_events: list[tuple[Any, ...]] = []
    entries: list[audit.Entry] = []
    recorded_by = who[:150]
    for m, before in changed:
        diff = audit.diff(before, audit.snapshot(m))
        if "organization" in diff:
            new_events.append(
                (m.pk, EventKind.MOVED, on, before["organization"], m.organization_id, note, recorded_by)
            )
        if before.get("full_date") is None and m.full_date is not None:
            new_events.append((m.pk, EventKind.FULL, m.full_date, None, None, note, recorded_by))
        if "arrived_on" in diff and m.arrived_on is not None:
            new_events.append(
                (m.pk, EventKind.TRANSFER_IN, m.arrived_on, None, m.organization_id, note, recorded_by)
            )
        entries.append(
            audit.Entry(
                action=AuditAction.UPDATE,
                actor=actor,
                actor_name=actor_name,
                instance=m,
                changes=diff,
                note=note,
            )
        )
    events.insert(new_events)
    return entries
