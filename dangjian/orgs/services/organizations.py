"""Writes on units, organisations (create, edit, move, dissolve) and party groups."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit
from dangjian.core.actions import Refusal

from ..models import BRANCH_KINDS, Organization, OrgKind, PartyGroup, Unit, UnitKind, UnitKindChange
from .base import today_or_now

JOINT_BRANCH_MAX_UNITS = 5  # 支部条例 第五条: 联合党支部覆盖单位一般不超过5个
GENERATED_CODE = re.compile(r"^ORG(\d{5})$")


# --- units ------------------------------------------------------------------------------------------------
def _check_unit_name(name: str, exclude_pk: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise Refusal("请填写单位名称", "name")
    if Unit.objects.filter(name=name).exclude(pk=exclude_pk or 0).exists():
        raise Refusal(f"单位“{name}”已存在；同名单位只能登记一次", "name")
    return name


@transaction.atomic
def create_unit(*, name: str, kind: str, note: str = "", actor: Actor = None, actor_name: str = "") -> Unit:
    return actions.create(
        Unit,
        {"name": _check_unit_name(name), "kind": kind, "note": note},
        actor=actor,
        actor_name=actor_name,
        event="unit.create",
    )


@transaction.atomic
def create_units(
    items: Sequence[tuple[str, str]], *, actor: Actor = None, actor_name: str = ""
) -> list[Unit]:
    """`create_unit(name=…, kind=…)` for many (name, kind) pairs at once: the same checks (the names taken
    looked up in one query), rows and audit entries, in order."""
    names = [(name or "").strip() for name, _kind in items]
    taken = set(Unit.objects.filter(name__in=names).values_list("name", flat=True))
    seen: set[str] = set()
    for name in names:
        if not name:
            raise Refusal("请填写单位名称", "name")
        if name in taken or name in seen:
            raise Refusal(f"单位“{name}”已存在；同名单位只能登记一次", "name")
        seen.add(name)
    made = Unit.objects.bulk_create(
        [Unit(name=name, kind=kind, note="") for name, (_n, kind) in zip(names, items, strict=True)]
    )
    audit.record_many(
        audit.Entry(
            action="unit.create",
            actor=actor,
            actor_name=actor_name,
            instance=u,
            changes=audit.created(u),
        )
        for u in made
    )
    return made


@transaction.atomic
def update_unit(
    unit: Unit, *, expected_version: int | None, actor: Actor = None, actor_name: str = "", **fields: Any
) -> Unit:
    unit = actions.lock(Unit, unit.pk, expected_version=expected_version, what="单位")
    before = audit.snapshot(unit)
    if "name" in fields:
        fields["name"] = _check_unit_name(fields["name"], unit.pk)
    for k, v in fields.items():
        setattr(unit, k, v)
    actions.save_versioned(
        unit,
        expected_version=None,
        before=before,
        locked=True,
        skip_unchanged=True,
        actor=actor,
        actor_name=actor_name,
        event="unit.update",
    )
    return unit


@transaction.atomic
def change_unit_kind(
    unit: Unit,
    *,
    kind: str,
    valid_from: date,
    expected_version: int | None,
    note: str = "",
    actor: Actor = None,
    actor_name: str = "",
    today: date | None = None,
) -> UnitKindChange:
    """变更: the unit is of `kind` from `valid_from` on. The kind it had before is kept as a dated row (the first
    change also records the kind it had since it was registered), so figures as of an earlier day keep it."""
    unit = actions.lock(Unit, unit.pk, expected_version=expected_version, what="单位")
    if kind not in UnitKind.values:
        raise Refusal("请选择单位类别", "kind")
    if valid_from > today_or_now(today):
        raise Refusal("变更日期不能晚于今天；变更生效后再登记", "valid_from")
    history = list(unit.kind_changes.all())
    if not history:
        history.append(UnitKindChange.objects.create(unit=unit, kind=unit.kind, valid_from=None))
    if any(h.valid_from == valid_from for h in history):
        raise Refusal(f"{valid_from:%Y-%m-%d} 已登记过一次类别变更；如需更正请联系系统管理员", "valid_from")
    dated = [(h.valid_from, h) for h in history if h.valid_from is not None]
    last = max(dated, key=lambda pair: pair[0]) if dated else None
    if last is not None and valid_from < last[0]:
        raise Refusal(f"变更日期应晚于上一次变更（{last[0]:%Y-%m-%d}）", "valid_from")
    in_force = last[1] if last is not None else history[0]
    if in_force.kind == kind:
        raise Refusal(f"该单位目前已是“{UnitKind(kind).label}”，无需变更", "kind")
    change = actions.create(
        UnitKindChange,
        {
            "unit": unit,
            "kind": kind,
            "valid_from": valid_from,
            "note": note.strip()[:200],
            "recorded_by": audit.actor_label(actor, actor_name)[:150],
        },
        actor=actor,
        actor_name=actor_name,
        event="unitkindchange.create",
        note="单位类别变更",
    )
    before = audit.snapshot(unit)
    unit.kind = kind  # the stored kind is the one in force today; the rows answer for earlier days
    actions.save_versioned(
        unit,
        expected_version=None,
        before=before,
        locked=True,
        skip_unchanged=True,
        actor=actor,
        actor_name=actor_name,
        event="unit.update",
        note=f"单位类别变更，{valid_from:%Y-%m-%d}起",
    )
    return change


# --- organisations ----------------------------------------------------------------------------------------
def next_generated_code(taken: Iterable[str] = ()) -> str:
    """ORG00001, ORG00002, …: one past the highest generated code in the database or in `taken`."""
    numbers = [
        int(m.group(1))
        for code in [
            *Organization.objects.filter(code__startswith="ORG").values_list("code", flat=True),
            *taken,
        ]
        if (m := GENERATED_CODE.match(code))
    ]
    return f"ORG{max(numbers, default=0) + 1:05d}"


def _check_name_and_code(name: str, code: str, exclude_pk: int | None = None) -> tuple[str, str]:
    name = (name or "").strip()
    code = (code or "").strip().upper()
    if not name:
        raise Refusal("请填写组织名称", "name")
    if Organization.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        raise Refusal(f"组织名称“{name}”已被其他党组织使用；请使用全称并避免重名", "name")
    if code:
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9_-]{0,31}", code):
            raise Refusal("组织代码只能由字母、数字、短横线组成，不超过32位", "code")
        if Organization.objects.filter(code=code).exclude(pk=exclude_pk).exists():
            raise Refusal(f"组织代码“{code}”已被其他党组织使用", "code")
    return name, code


def check_parent(parent: Organization) -> None:
    if parent.dissolved_on is not None:
        raise Refusal(f"上级党组织“{parent.name}”已撤销，不能在其下设立或调入党组织", "parent")
    if parent.kind in BRANCH_KINDS:
        raise Refusal(
            f"“{parent.name}”是{parent.get_kind_display()}，党支部下只设党小组，不能再设党组织", "parent"
        )


def _check_units(kind: str, units: Sequence[Unit]) -> None:
    if kind == OrgKind.JOINT_BRANCH and len(units) > JOINT_BRANCH_MAX_UNITS:
        raise Refusal(
            f"联合党支部覆盖的单位一般不超过{JOINT_BRANCH_MAX_UNITS}个（支部条例 第五条），这里选了{len(units)}个",
            "units",
        )


def _check_founded(founded_on: date | None, today: date) -> None:
    if founded_on and founded_on > today:
        raise Refusal("成立日期不能晚于今天", "founded_on")


@transaction.atomic
def create_organization(
    *,
    parent: Organization | None,
    name: str,
    kind: str,
    code: str = "",
    short_name: str = "",
    founded_on: date | None = None,
    phone: str = "",
    note: str = "",
    units: Sequence[Unit] = (),
    actor: Actor = None,
    actor_name: str = "",
    today: date | None = None,
) -> Organization:
    name, code = _check_name_and_code(name, code)
    _check_units(kind, units)
    _check_founded(founded_on, today_or_now(today))
    fields = {
        "name": name,
        "code": code or next_generated_code(),
        "kind": kind,
        "short_name": (short_name or "").strip(),
        "founded_on": founded_on,
        "phone": phone,
        "note": note,
    }
    extra: dict[str, list[Any]] = {}
    if parent is not None:
        parent = Organization.objects.select_for_update().get(pk=parent.pk)
        check_parent(parent)
        extra["parent"] = [None, parent.name]
    if units:
        extra["units"] = [None, sorted(u.name for u in units)]

    def make(data: dict[str, Any]) -> Organization:
        org = (
            Organization.objects.add_child(parent, data)
            if parent is not None
            else Organization.objects.add_root(data)
        )
        if units:
            org.units.set(units)
        return org

    return actions.create(
        Organization,
        fields,
        make=make,
        extra=extra,
        actor=actor,
        actor_name=actor_name,
        event="organization.create",
    )


@dataclass
class NewOrganization:
    """One organisation of a bulk create: `parent` is an existing organisation, an earlier item of the same
    call (parents before children), or None for a new top-level organisation (a root)."""

    name: str
    kind: str
    code: str
    parent: Organization | NewOrganization | None
    founded_on: date | None = None
    units: Sequence[Unit] = ()
    instance: Organization | None = None


SIMPLE_CODE = re.compile(r"[A-Z0-9]+")


def appendable(parent: Organization, codes: Iterable[str], children_codes: Iterable[str]) -> bool:
    """Whether new children with these codes can take the next paths after the parent's existing children and
    keep treebeard's order (`node_order_by = ["code"]`): every new code sorts after every existing one. Only
    plain letter-and-digit codes, whose order is the same in Python and in every database collation."""
    codes = list(codes)
    if not all(SIMPLE_CODE.fullmatch(c) for c in codes):
        return False
    existing = list(children_codes)
    if not all(SIMPLE_CODE.fullmatch(c) for c in existing):
        return False
    return not existing or min(codes) > max(existing)


def create_organizations(
    items: Sequence[NewOrganization],
    *,
    actor: Actor = None,
    actor_name: str = "",
    today: date | None = None,
    batch_size: int = 500,
) -> list[Organization]:
    """Create many organisations set-based: the materialised paths are computed here (each parent's new
    children after its existing ones, in code order — the caller checks that with `appendable`), inserted in
    bulk, the parents' `numchild` raised, the units linked, and one create entry audited per organisation, as
    `create_organization` would leave them. Parents come before their children in `items`."""
    now = today_or_now(today)
    by_parent: dict[int, list[NewOrganization]] = {}
    for item in items:
        name, code = item.name.strip(), item.code.strip().upper()
        if not name or not code:
            raise Refusal("请填写组织名称", "name")
        _check_units(item.kind, item.units)
        _check_founded(item.founded_on, now)
        by_parent.setdefault(id(item.parent), []).append(item)
    with transaction.atomic():
        existing_parents = {id(i.parent): i.parent for i in items if isinstance(i.parent, Organization)}
        locked = {
            p.pk: p
            for p in Organization.objects.select_for_update().filter(
                pk__in=[p.pk for p in existing_parents.values()]
            )
        }
        last_step: dict[int, int] = {}
        if any(i.parent is None for i in items):  # new roots go after the existing ones
            last_root = (
                Organization.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
            )
            last_step[id(None)] = Organization._str2int(last_root) if last_root else 0
        for key, parent in existing_parents.items():
            fresh = locked[parent.pk]
            check_parent(fresh)
            existing_parents[key] = fresh
            last = (
                Organization.objects.filter(path__startswith=fresh.path, depth=fresh.depth + 1)
                .order_by("-path")
                .values_list("path", flat=True)
                .first()
            )
            last_step[key] = Organization._str2int(last[-Organization.steplen :]) if last else 0
        made: list[Organization] = []
        for item in items:
            key = id(item.parent)
            up: Organization | None = None
            if isinstance(item.parent, Organization):
                up = existing_parents[key]
            elif item.parent is not None:
                up = item.parent.instance
                assert up is not None, "parents come before their children"
                check_parent(up)
            step = last_step.get(key, 0) + 1
            last_step[key] = step
            depth = up.depth + 1 if up is not None else 1
            org = Organization(
                name=item.name.strip(),
                code=item.code.strip().upper(),
                kind=item.kind,
                founded_on=item.founded_on,
                depth=depth,
                numchild=len(by_parent.get(id(item), [])),
                path=Organization._get_path(up.path if up is not None else None, depth, step),
            )
            if len(org.path) != depth * Organization.steplen:
                where = f"“{up.name}”的下级党组织" if up is not None else "顶层党组织"
                raise Refusal(f"{where}过多，无法再增加", "parent")
            item.instance = org
            made.append(org)
        for i in range(0, len(made), batch_size):
            Organization.objects.bulk_create(made[i : i + batch_size])
        raised = []
        for key, parent in existing_parents.items():
            parent.numchild += len(by_parent[key])
            raised.append(parent)
        Organization.objects.bulk_update(raised, ["numchild"])
        through = Organization.units.through
        through.objects.bulk_create(
            through(organization_id=o.pk, unit_id=u.pk)
            for o, i in zip(made, items, strict=True)
            for u in i.units
        )
        entries = []
        for item in items:
            new = item.instance
            above = item.parent.instance if isinstance(item.parent, NewOrganization) else item.parent
            assert new is not None
            changes = audit.created(new)
            if above is not None:  # a root has none (as `create_organization` records it)
                changes["parent"] = [None, above.name]
            if item.units:
                changes["units"] = [None, sorted(u.name for u in item.units)]
            entries.append(
                audit.Entry(
                    action="organization.create",
                    actor=actor,
                    actor_name=actor_name,
                    instance=new,
                    changes=changes,
                )
            )
        audit.record_many(entries)
    return made


def _unit_names(org: Organization) -> list[str]:
    return sorted(org.units.values_list("name", flat=True))


@transaction.atomic
def update_organization(
    org: Organization,
    *,
    expected_version: int | None,
    actor: Actor = None,
    actor_name: str = "",
    units: Sequence[Unit] | None = None,
    today: date | None = None,
    **fields: Any,
) -> dict[str, list[Any]]:
    """Change the plain fields (and the units when given); returns the changes (empty: nothing changed)."""
    org = actions.lock(Organization, org.pk, expected_version=expected_version, what="党组织")
    before = audit.snapshot(org)
    name, code = _check_name_and_code(fields.pop("name", org.name), fields.pop("code", org.code), org.pk)
    kind = fields.get("kind", org.kind)
    if kind in BRANCH_KINDS and kind != org.kind and Organization.objects.get_children_count(org):
        raise Refusal("该组织下设有党组织，不能改为党支部类别；请先调整下级组织", "kind")
    _check_founded(fields.get("founded_on", org.founded_on), today_or_now(today))
    code_changed = code != org.code
    org.name, org.code = name, code
    for k, v in fields.items():
        setattr(org, k, v)
    extra: dict[str, list[Any]] = {}
    if units is not None:
        _check_units(kind, units)
        old_units, new_units = _unit_names(org), sorted(u.name for u in units)
        if old_units != new_units:
            org.units.set(units)
            extra["units"] = [old_units, new_units]
    elif kind != before["kind"]:
        _check_units(kind, list(org.units.all()))
    changes = actions.save_versioned(
        org,
        expected_version=None,
        before=before,
        locked=True,
        skip_unchanged=True,
        extra=extra,
        actor=actor,
        actor_name=actor_name,
        event="organization.update",
    )
    if changes and code_changed:
        _resort(org)  # siblings are ordered by code (node_order_by)
    return changes


def _resort(org: Organization) -> None:
    parent = Organization.objects.get_parent(org, update=True)
    if parent is not None:
        Organization.objects.move(org, parent, "sorted-child")
    else:
        Organization.objects.move(org, Organization.objects.get_first_root_node(), "sorted-sibling")


@transaction.atomic
def move_organization(
    org: Organization,
    new_parent: Organization | None,
    *,
    expected_version: int | None,
    actor: Actor = None,
    actor_name: str = "",
) -> None:
    """Put `org` (with its whole subtree) under `new_parent` (None: make it a top organisation), kept in
    code order."""
    org = actions.lock(Organization, org.pk, expected_version=expected_version, what="党组织")
    before = audit.snapshot(org)
    if org.dissolved_on is not None:
        raise Refusal("已撤销的党组织不能调整隶属关系", "parent")
    old_parent = Organization.objects.get_parent(org, update=True)
    if new_parent is None:
        if old_parent is None:
            raise Refusal("该组织已是最上级党组织", "parent")
        Organization.objects.move(org, Organization.objects.get_first_root_node(), "sorted-sibling")
    else:
        new_parent = Organization.objects.select_for_update().get(pk=new_parent.pk)
        if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
            raise Refusal("不能把党组织调整到它自己或它的下级组织之下", "parent")
        check_parent(new_parent)
        if old_parent is not None and old_parent.pk == new_parent.pk:
            raise Refusal(f"该组织已隶属于“{new_parent.name}”", "parent")
        Organization.objects.move(org, new_parent, "sorted-child")
    # The move rewrote the tree columns in the database; only the version (and stamp) are saved from memory.
    actions.save_versioned(
        org,
        expected_version=None,
        before=before,
        locked=True,
        fields=(),
        extra={"parent": [old_parent.name if old_parent else None, new_parent.name if new_parent else None]},
        actor=actor,
        actor_name=actor_name,
        event="organization.move",
        note="调整隶属关系",
    )


@transaction.atomic
def dissolve_organization(
    org: Organization,
    *,
    dissolved_on: date,
    reason: str,
    expected_version: int | None,
    actor: Actor = None,
    actor_name: str = "",
    today: date | None = None,
) -> None:
    """撤销: the record stays (with its history); it only stops counting from `dissolved_on` on."""
    org = actions.lock(Organization, org.pk, expected_version=expected_version, what="党组织")
    if org.dissolved_on is not None:
        raise Refusal(f"该组织已于 {org.dissolved_on:%Y-%m-%d} 撤销")
    if not (reason or "").strip():
        raise Refusal("请填写撤销原因及上级批复文号", "reason")
    if dissolved_on > today_or_now(today):
        raise Refusal("撤销日期不能晚于今天", "dissolved_on")
    if org.founded_on and dissolved_on < org.founded_on:
        raise Refusal(f"撤销日期不能早于成立日期（{org.founded_on:%Y-%m-%d}）", "dissolved_on")
    live_children = Organization.objects.get_children(org).filter(dissolved_on__isnull=True)
    if live_children.exists():
        names = "、".join(live_children.values_list("name", flat=True)[:5])
        raise Refusal(f"该组织下还有未撤销的党组织（{names}）；请先撤销或调整这些下级组织")
    # Related manager of members.Member (below us in the layers): read without importing it.
    on_roll = org.members.current().count()
    if on_roll:
        raise Refusal(f"该组织还有 {on_roll} 名党员；请先为他们办理组织关系转接")
    before = audit.snapshot(org)
    org.dissolved_on = dissolved_on
    org.dissolved_reason = reason.strip()
    actions.save_versioned(
        org,
        expected_version=None,
        before=before,
        locked=True,
        actor=actor,
        actor_name=actor_name,
        event="organization.dissolve",
        note="撤销党组织",
    )
    PartyGroup.objects.filter(organization=org, is_active=True).update(is_active=False)


# --- party groups ------------------------------------------------------------------------------------------
def _check_group(org: Organization, name: str, exclude_pk: int | None = None) -> str:
    name = (name or "").strip()
    if not org.is_branch:
        raise Refusal("党小组只能设在党支部（含联合党支部、临时党支部）之内")
    if org.dissolved_on is not None:
        raise Refusal("该党支部已撤销，不能再设党小组")
    if not name:
        raise Refusal("请填写党小组名称", "name")
    if PartyGroup.objects.filter(organization=org, name=name).exclude(pk=exclude_pk or 0).exists():
        raise Refusal(f"本支部已有名为“{name}”的党小组", "name")
    return name


@transaction.atomic
def create_party_group(
    org: Organization, *, name: str, leader_name: str = "", actor: Actor = None, actor_name: str = ""
) -> PartyGroup:
    return actions.create(
        PartyGroup,
        {"organization": org, "name": _check_group(org, name), "leader_name": (leader_name or "").strip()},
        actor=actor,
        actor_name=actor_name,
        event="partygroup.create",
    )


@transaction.atomic
def update_party_group(
    group: PartyGroup,
    *,
    expected_version: int | None,
    actor: Actor = None,
    actor_name: str = "",
    **fields: Any,
) -> PartyGroup:
    group = actions.lock(PartyGroup, group.pk, expected_version=expected_version, what="党小组")
    before = audit.snapshot(group)
    if "name" in fields:
        fields["name"] = _check_group(group.organization, fields["name"], group.pk)
    for k, v in fields.items():
        setattr(group, k, v)
    actions.save_versioned(
        group,
        expected_version=None,
        before=before,
        locked=True,
        skip_unchanged=True,
        actor=actor,
        actor_name=actor_name,
        event="partygroup.update",
    )
    return group
