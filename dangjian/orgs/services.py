"""Every write on units, organisations, party groups, terms, posts and 换届 steps, shared by the pages, the
`import_orgs` command and other apps; each write is audited in the same transaction (dangjian.core.audit).

Also the 换届 overview (`term_overview`), which the 月提醒 command and the dashboard reuse.
Permission (who may call what) is decided by the pages through dangjian.accounts.scope; the rules here are the
domain's own (a 党支部 has no sub-organisations, a delay is at most one year, …).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.models import AuditAction
from dangjian.core.periods import add_years

from .models import (
    BRANCH_KINDS,
    RENEWAL_ORDER,
    Committee,
    CommitteeKind,
    Organization,
    OrgKind,
    PartyGroup,
    Post,
    PostTitle,
    RenewalStep,
    RenewalStepKind,
    Term,
    Unit,
)
from .terms import (
    STATUS_TAG,
    PostSpec,
    TermStatus,
    delay_problem,
    posts_problems,
    step_after,
    step_problem,
    term_status,
    term_years_problem,
    urgency_key,
)

JOINT_BRANCH_MAX_UNITS = 5  # 支部条例 第五条: 联合党支部覆盖单位一般不超过5个
GENERATED_CODE = re.compile(r"^ORG(\d{5})$")
POST_LABELS = dict(PostTitle.choices)
STEP_LABELS = dict(RenewalStepKind.choices)


class ServiceError(Exception):
    """A refused write; `message` is Chinese and says what to do; `field` names the form field, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleVersion(ServiceError):
    pass


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _lock(model: type[models.Model], pk: Any, expected_version: int | None, what: str) -> Any:
    """The row, locked for this transaction; StaleVersion when someone saved it after the form was opened."""
    obj = model.objects.select_for_update().get(pk=pk)
    if expected_version is not None and obj.version != expected_version:
        raise StaleVersion(
            f"该{what}已被他人修改（您编辑的是第 {expected_version} 版，当前为第 {obj.version} 版）；"
            "请刷新页面，核对最新内容后重新提交"
        )
    return obj


def _save_new_version(obj: Any, before: dict[str, Any], actor: Any, actor_name: str, note: str = "") -> dict:
    """Save with version + 1 and audit what changed (nothing is saved when nothing changed)."""
    changes = audit.diff(before, audit.snapshot(obj))
    if not changes:
        return {}
    obj.version += 1
    obj.save()
    audit.log_update(obj, before, actor=actor, actor_name=actor_name, note=note)
    return changes


# --- units ------------------------------------------------------------------------------------------------
def _check_unit_name(name: str, exclude_pk: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ServiceError("请填写单位名称", "name")
    if Unit.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        raise ServiceError(f"单位“{name}”已存在；同名单位只能登记一次", "name")
    return name


@transaction.atomic
def create_unit(*, name: str, kind: str, note: str = "", actor: Any = None, actor_name: str = "") -> Unit:
    unit = Unit.objects.create(name=_check_unit_name(name), kind=kind, note=note)
    audit.log_create(unit, actor=actor, actor_name=actor_name)
    return unit


@transaction.atomic
def update_unit(
    unit: Unit, *, expected_version: int | None, actor: Any = None, actor_name: str = "", **fields: Any
) -> Unit:
    unit = _lock(Unit, unit.pk, expected_version, "单位")
    before = audit.snapshot(unit)
    if "name" in fields:
        fields["name"] = _check_unit_name(fields["name"], unit.pk)
    for k, v in fields.items():
        setattr(unit, k, v)
    _save_new_version(unit, before, actor, actor_name)
    return unit


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
        raise ServiceError("请填写组织名称", "name")
    if Organization.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        raise ServiceError(f"组织名称“{name}”已被其他党组织使用；请使用全称并避免重名", "name")
    if code:
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9_-]{0,31}", code):
            raise ServiceError("组织代码只能由字母、数字、短横线组成，不超过32位", "code")
        if Organization.objects.filter(code=code).exclude(pk=exclude_pk).exists():
            raise ServiceError(f"组织代码“{code}”已被其他党组织使用", "code")
    return name, code


def check_parent(parent: Organization) -> None:
    if parent.dissolved_on is not None:
        raise ServiceError(f"上级党组织“{parent.name}”已撤销，不能在其下设立或调入党组织", "parent")
    if parent.kind in BRANCH_KINDS:
        raise ServiceError(
            f"“{parent.name}”是{parent.get_kind_display()}，党支部下只设党小组，不能再设党组织", "parent"
        )


def _check_units(kind: str, units: Sequence[Unit]) -> None:
    if kind == OrgKind.JOINT_BRANCH and len(units) > JOINT_BRANCH_MAX_UNITS:
        raise ServiceError(
            f"联合党支部覆盖的单位一般不超过{JOINT_BRANCH_MAX_UNITS}个（支部条例 第五条），这里选了{len(units)}个",
            "units",
        )


def _check_founded(founded_on: date | None, today: date) -> None:
    if founded_on and founded_on > today:
        raise ServiceError("成立日期不能晚于今天", "founded_on")


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
    actor: Any = None,
    actor_name: str = "",
    today: date | None = None,
) -> Organization:
    name, code = _check_name_and_code(name, code)
    _check_units(kind, units)
    _check_founded(founded_on, _today(today))
    fields = {
        "name": name,
        "code": code or next_generated_code(),
        "kind": kind,
        "short_name": (short_name or "").strip(),
        "founded_on": founded_on,
        "phone": phone,
        "note": note,
    }
    if parent is not None:
        parent = Organization.objects.select_for_update().get(pk=parent.pk)
        check_parent(parent)
        org = Organization.objects.add_child(parent, fields)
    else:
        org = Organization.objects.add_root(fields)
    if units:
        org.units.set(units)
    changes = {k: [None, v] for k, v in audit.snapshot(org).items() if v not in (None, "", [], {})}
    if parent is not None:
        changes["parent"] = [None, parent.name]
    if units:
        changes["units"] = [None, sorted(u.name for u in units)]
    audit.record(AuditAction.CREATE, actor=actor, actor_name=actor_name, instance=org, changes=changes)
    return org


def _unit_names(org: Organization) -> list[str]:
    return sorted(org.units.values_list("name", flat=True))


@transaction.atomic
def update_organization(
    org: Organization,
    *,
    expected_version: int | None,
    actor: Any = None,
    actor_name: str = "",
    units: Sequence[Unit] | None = None,
    today: date | None = None,
    **fields: Any,
) -> dict[str, list[Any]]:
    """Change the plain fields (and the units when given); returns the changes (empty: nothing changed)."""
    org = _lock(Organization, org.pk, expected_version, "党组织")
    before = audit.snapshot(org)
    name, code = _check_name_and_code(fields.pop("name", org.name), fields.pop("code", org.code), org.pk)
    kind = fields.get("kind", org.kind)
    if kind in BRANCH_KINDS and kind != org.kind and Organization.objects.get_children_count(org):
        raise ServiceError("该组织下设有党组织，不能改为党支部类别；请先调整下级组织", "kind")
    _check_founded(fields.get("founded_on", org.founded_on), _today(today))
    code_changed = code != org.code
    org.name, org.code = name, code
    for k, v in fields.items():
        setattr(org, k, v)
    changes = audit.diff(before, audit.snapshot(org))
    if units is not None:
        _check_units(kind, units)
        old_units, new_units = _unit_names(org), sorted(u.name for u in units)
        if old_units != new_units:
            org.units.set(units)
            changes["units"] = [old_units, new_units]
    elif "kind" in changes:
        _check_units(kind, list(org.units.all()))
    if not changes:
        return {}
    org.version += 1
    org.save()
    if code_changed:
        _resort(org)  # siblings are ordered by code (node_order_by)
    audit.record(AuditAction.UPDATE, actor=actor, actor_name=actor_name, instance=org, changes=changes)
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
    actor: Any = None,
    actor_name: str = "",
) -> None:
    """Put `org` (with its whole subtree) under `new_parent` (None: make it a top organisation), kept in
    code order."""
    org = _lock(Organization, org.pk, expected_version, "党组织")
    if org.dissolved_on is not None:
        raise ServiceError("已撤销的党组织不能调整隶属关系", "parent")
    old_parent = Organization.objects.get_parent(org, update=True)
    if new_parent is None:
        if old_parent is None:
            raise ServiceError("该组织已是最上级党组织", "parent")
        Organization.objects.move(org, Organization.objects.get_first_root_node(), "sorted-sibling")
    else:
        new_parent = Organization.objects.select_for_update().get(pk=new_parent.pk)
        if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
            raise ServiceError("不能把党组织调整到它自己或它的下级组织之下", "parent")
        check_parent(new_parent)
        if old_parent is not None and old_parent.pk == new_parent.pk:
            raise ServiceError(f"该组织已隶属于“{new_parent.name}”", "parent")
        Organization.objects.move(org, new_parent, "sorted-child")
    Organization.objects.filter(pk=org.pk).update(version=models.F("version") + 1)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        actor_name=actor_name,
        instance=org,
        changes={
            "parent": [old_parent.name if old_parent else None, new_parent.name if new_parent else None]
        },
        note="调整隶属关系",
    )


@transaction.atomic
def dissolve_organization(
    org: Organization,
    *,
    dissolved_on: date,
    reason: str,
    expected_version: int | None,
    actor: Any = None,
    actor_name: str = "",
    today: date | None = None,
) -> None:
    """撤销: the record stays (with its history); it only stops counting from `dissolved_on` on."""
    org = _lock(Organization, org.pk, expected_version, "党组织")
    if org.dissolved_on is not None:
        raise ServiceError(f"该组织已于 {org.dissolved_on:%Y-%m-%d} 撤销")
    if not (reason or "").strip():
        raise ServiceError("请填写撤销原因及上级批复文号", "reason")
    if dissolved_on > _today(today):
        raise ServiceError("撤销日期不能晚于今天", "dissolved_on")
    if org.founded_on and dissolved_on < org.founded_on:
        raise ServiceError(f"撤销日期不能早于成立日期（{org.founded_on:%Y-%m-%d}）", "dissolved_on")
    live_children = Organization.objects.get_children(org).filter(dissolved_on__isnull=True)
    if live_children.exists():
        names = "、".join(live_children.values_list("name", flat=True)[:5])
        raise ServiceError(f"该组织下还有未撤销的党组织（{names}）；请先撤销或调整这些下级组织")
    # Related manager of members.Member (below us in the layers): read without importing it.
    on_roll = org.members.current().count()  # type: ignore[attr-defined]
    if on_roll:
        raise ServiceError(f"该组织还有 {on_roll} 名党员；请先为他们办理组织关系转接")
    before = audit.snapshot(org)
    org.dissolved_on = dissolved_on
    org.dissolved_reason = reason.strip()
    org.version += 1
    org.save()
    PartyGroup.objects.filter(organization=org, is_active=True).update(is_active=False)
    audit.log_update(org, before, actor=actor, actor_name=actor_name, note="撤销党组织")


# --- party groups ------------------------------------------------------------------------------------------
def _check_group(org: Organization, name: str, exclude_pk: int | None = None) -> str:
    name = (name or "").strip()
    if not org.is_branch:
        raise ServiceError("党小组只能设在党支部（含联合党支部、临时党支部）之内")
    if org.dissolved_on is not None:
        raise ServiceError("该党支部已撤销，不能再设党小组")
    if not name:
        raise ServiceError("请填写党小组名称", "name")
    if PartyGroup.objects.filter(organization=org, name=name).exclude(pk=exclude_pk).exists():
        raise ServiceError(f"本支部已有名为“{name}”的党小组", "name")
    return name


@transaction.atomic
def create_party_group(
    org: Organization, *, name: str, leader_name: str = "", actor: Any = None, actor_name: str = ""
) -> PartyGroup:
    group = PartyGroup.objects.create(
        organization=org, name=_check_group(org, name), leader_name=(leader_name or "").strip()
    )
    audit.log_create(group, actor=actor, actor_name=actor_name)
    return group


@transaction.atomic
def update_party_group(
    group: PartyGroup, *, expected_version: int | None, actor: Any = None, actor_name: str = "", **fields: Any
) -> PartyGroup:
    group = _lock(PartyGroup, group.pk, expected_version, "党小组")
    before = audit.snapshot(group)
    if "name" in fields:
        fields["name"] = _check_group(group.organization, fields["name"], group.pk)
    for k, v in fields.items():
        setattr(group, k, v)
    _save_new_version(group, before, actor, actor_name)
    return group


# --- terms and posts ----------------------------------------------------------------------------------------
@dataclass
class PostInput:
    """A row of the posts form: an existing post (pk) or a new one; `ended_on` ends a holder's tenure."""

    title: str
    person_name: str
    id_number: str = ""
    is_full_time: bool = False
    pk: int | None = None
    ended_on: date | None = None

    @property
    def spec(self) -> PostSpec:
        return PostSpec(self.title, self.person_name, self.id_number, self.is_full_time)


def current_term(org: Organization) -> Term | None:
    return (
        Term.objects.filter(committee__organization=org, is_current=True).select_related("committee").first()
    )


def _check_can_be_elected(org: Organization) -> None:
    if not org.has_elected_term:
        raise ServiceError(
            f"{org.get_kind_display()}由上级党组织批准设立、成员由任命产生，不适用选举任期（换届提醒显示为“不适用”）"
        )
    if org.dissolved_on is not None:
        raise ServiceError("该组织已撤销，不能登记任期")


def _check_posts(posts: Sequence[PostInput], committee_kind: str) -> None:
    active = [p.spec for p in posts if p.ended_on is None]
    problems = posts_problems(
        active, secretary_only=committee_kind == CommitteeKind.SECRETARY_ONLY, labels=POST_LABELS
    )
    if problems:
        raise ServiceError("；".join(problems), "posts")


def _committee_for(org: Organization, committee_kind: str | None, actor: Any, actor_name: str) -> Committee:
    committee, created = Committee.objects.select_for_update().get_or_create(
        organization=org, defaults={"kind": committee_kind or CommitteeKind.COMMITTEE}
    )
    if created:
        audit.log_create(committee, actor=actor, actor_name=actor_name)
    elif committee_kind and committee.kind != committee_kind:
        before = audit.snapshot(committee)
        committee.kind = committee_kind
        committee.save(update_fields=["kind"])
        audit.log_update(committee, before, actor=actor, actor_name=actor_name)
    return committee


def _create_posts(
    term: Term, posts: Sequence[PostInput], started_on: date | None, first_sort: int = 0
) -> list[Post]:
    return Post.objects.bulk_create(
        [
            Post(
                term=term,
                title=p.title,
                person_name=p.person_name.strip(),
                id_number=p.id_number,
                is_full_time=p.is_full_time,
                started_on=started_on,
                ended_on=p.ended_on,
                sort=first_sort + i,
            )
            for i, p in enumerate(posts)
        ]
    )


def _audit_posts(posts: Sequence[Post], actor: Any, actor_name: str) -> None:
    audit.record_many(
        audit.Entry(
            action=AuditAction.CREATE,
            actor=actor,
            actor_name=actor_name,
            model="orgs.post",
            object_id=str(p.pk or ""),
            object_repr=str(p),
            changes={k: [None, v] for k, v in audit.snapshot(p).items() if v not in (None, "")},
        )
        for p in posts
    )


def _check_election_date(elected_on: date, today: date, org: Organization) -> None:
    if elected_on > today:
        raise ServiceError("选举日期不能晚于今天", "elected_on")
    if org.founded_on and elected_on < org.founded_on:
        raise ServiceError(f"选举日期不能早于成立日期（{org.founded_on:%Y-%m-%d}）", "elected_on")


@transaction.atomic
def save_current_term(
    org: Organization,
    *,
    number: int | None,
    elected_on: date,
    years: int | None,
    committee_kind: str | None,
    posts: Sequence[PostInput] | None,
    note: str | None = None,
    expected_version: int | None = None,
    actor: Any = None,
    actor_name: str = "",
    today: date | None = None,
) -> Term:
    """录入或更正本届: record the current term when none is on file, or correct it (dates, seats).

    A *new* term after an election goes through `record_election` (the 换届 steps), not here.
    `posts=None` leaves the seats as they are (the organisation import knows no seats); `number=None`
    numbers a first entry after the last term on file; `committee_kind=None` keeps the committee's;
    `note=None` keeps the note.
    """
    _check_can_be_elected(org)
    years = years or org.default_term_years
    if problem := term_years_problem(years):
        raise ServiceError(problem, "years")
    _check_election_date(elected_on, _today(today), org)
    committee = _committee_for(org, committee_kind, actor, actor_name)
    if posts is not None:
        _check_posts(posts, committee.kind)
    term = Term.objects.filter(committee=committee, is_current=True).first()
    if term is None:
        previous = (
            Term.objects.filter(committee=committee, successor__isnull=True).order_by("-elected_on").first()
        )
        if previous is not None and elected_on <= previous.elected_on:
            raise ServiceError(
                f"选举日期应晚于上一届（第{previous.number}届，{previous.elected_on:%Y-%m-%d}）", "elected_on"
            )
        term = Term.objects.create(
            committee=committee,
            number=number or (previous.number + 1 if previous else 1),
            elected_on=elected_on,
            years=years,
            note=note or "",
            previous=previous,
        )
        audit.log_create(term, actor=actor, actor_name=actor_name, note="录入本届任期")
        _audit_posts(_create_posts(term, posts or (), elected_on), actor, actor_name)
        return term
    term = _lock(Term, term.pk, expected_version, "届次")
    if term.previous_id and elected_on <= term.previous.elected_on:
        raise ServiceError(
            f"选举日期应晚于上一届的选举日期（{term.previous.elected_on:%Y-%m-%d}）", "elected_on"
        )
    before = audit.snapshot(term)
    term.number, term.elected_on, term.years = number or term.number, elected_on, years
    if note is not None:
        term.note = note
    term.expires_on = add_years(elected_on, years)
    if term.extended_to and (problem := delay_problem(term.expires_on, term.extended_to)):
        raise ServiceError(
            f"本届已批准延期至 {term.extended_to:%Y-%m-%d}，与更正后的届满日期不符：{problem}", "elected_on"
        )
    _save_new_version(term, before, actor, actor_name, note="更正本届任期")
    if posts is not None:
        _update_posts(term, posts, actor, actor_name)
    return term


def _update_posts(term: Term, posts: Sequence[PostInput], actor: Any, actor_name: str) -> None:
    existing = {p.pk: p for p in term.posts.all()}
    entries: list[audit.Entry] = []
    new_rows: list[PostInput] = []
    for i, p in enumerate(posts):
        if p.pk is None:
            new_rows.append(p)
            continue
        post = existing.get(p.pk)
        if post is None:
            raise ServiceError("职务记录不属于本届，请刷新页面后重试", "posts")
        before = audit.snapshot(post)
        post.title, post.person_name, post.id_number = p.title, p.person_name.strip(), p.id_number
        post.is_full_time, post.ended_on, post.sort = p.is_full_time, p.ended_on, i
        changes = audit.diff(before, audit.snapshot(post))
        if changes:
            post.save()
            entries.append(
                audit.Entry(
                    AuditAction.UPDATE, actor=actor, actor_name=actor_name, instance=post, changes=changes
                )
            )
    audit.record_many(entries)
    if new_rows:
        # Seats added to a term already on file (补选, or a late correction): the start date is unknown.
        start = term.elected_on if not existing else None
        _audit_posts(_create_posts(term, new_rows, start, first_sort=len(posts)), actor, actor_name)


@transaction.atomic
def grant_delay(
    term: Term,
    *,
    extended_to: date,
    reason: str,
    expected_version: int | None,
    actor: Any = None,
    actor_name: str = "",
) -> Term:
    """Record the superior's approval to hold the election later (选举条例 第三条: at most one year)."""
    term = _lock(Term, term.pk, expected_version, "届次")
    if not term.is_current:
        raise ServiceError("只能为本届（现任）委员会登记延期换届")
    if problem := delay_problem(term.expires_on, extended_to):
        raise ServiceError(problem, "extended_to")
    if not (reason or "").strip():
        raise ServiceError("请填写延期理由及上级党组织的批复（文号）", "reason")
    before = audit.snapshot(term)
    term.extended_to, term.extension_reason = extended_to, reason.strip()
    _save_new_version(term, before, actor, actor_name, note="经批准延期换届")
    return term


@transaction.atomic
def record_election(
    org: Organization,
    elected_on: date,
    years: int | None,
    posts: Sequence[PostInput],
    actor: Any = None,
    *,
    actor_name: str = "",
    number: int | None = None,
    committee_kind: str | None = None,
    note: str = "",
    doc_number: str = "",
    today: date | None = None,
    require_posts: bool = True,
) -> Term:
    """The 选举大会 was held: the current term ends on `elected_on`, the new one (with its seats) becomes
    current, and the old term's renewal records its election step."""
    _check_can_be_elected(org)
    years = years or org.default_term_years
    if problem := term_years_problem(years):
        raise ServiceError(problem, "years")
    _check_election_date(elected_on, _today(today), org)
    committee = _committee_for(org, committee_kind, actor, actor_name)
    if require_posts:
        _check_posts(posts, committee.kind)
    old = Term.objects.select_for_update().filter(committee=committee, is_current=True).first()
    if old is not None:
        if elected_on <= old.elected_on:
            raise ServiceError(
                f"选举日期应晚于本届（第{old.number}届）的选举日期 {old.elected_on:%Y-%m-%d}", "elected_on"
            )
        before = audit.snapshot(old)
        old.is_current, old.ended_on = False, elected_on
        old.version += 1
        old.save()
        audit.log_update(old, before, actor=actor, actor_name=actor_name, note="换届，本届任期结束")
    new = Term.objects.create(
        committee=committee,
        number=number or (old.number + 1 if old else 1),
        elected_on=elected_on,
        years=years,
        previous=old,
        note=note,
    )
    audit.log_create(new, actor=actor, actor_name=actor_name, note="换届选举，新一届开始")
    _audit_posts(_create_posts(new, posts, elected_on), actor, actor_name)
    if old is not None:
        step = RenewalStep.objects.create(
            term=old,
            kind=RenewalStepKind.ELECTION,
            done_on=elected_on,
            doc_number=doc_number,
            note=note,
            new_term=new,
            recorded_by=audit.actor_label(actor, actor_name),
        )
        audit.log_create(step, actor=actor, actor_name=actor_name)
    return new


def renewal_term(org: Organization) -> Term | None:
    """The term whose 换届 is under way: the previous term while its renewal is being wrapped up (elected,
    but not yet 结果报批 / 新一届), else the current term; None when no term is on file."""
    term = (
        Term.objects.filter(committee__organization=org, is_current=True)
        .select_related("previous", "committee")
        .first()
    )
    if term is None:
        return None
    previous = term.previous
    if previous is not None:
        kinds = set(previous.renewal_steps.values_list("kind", flat=True))
        if kinds and RenewalStepKind.NEW_TERM not in kinds:
            return previous
    return term


@transaction.atomic
def record_step(
    org: Organization,
    kind: str,
    done_on: date,
    *,
    doc_number: str = "",
    note: str = "",
    actor: Any = None,
    actor_name: str = "",
    today: date | None = None,
    election: dict[str, Any] | None = None,
) -> RenewalStep:
    """Record the next 换届 step. The 选举大会 step needs `election` (years, posts, number, committee_kind)
    and starts the new term through `record_election`."""
    today = _today(today)
    term = renewal_term(org)
    if term is None:
        raise ServiceError("尚未录入本届任期；请先录入本届委员会的选举日期和任期")
    done = {s.kind: s.done_on for s in term.renewal_steps.all()}
    if problem := step_problem(RENEWAL_ORDER, done, kind, done_on, today, STEP_LABELS):
        raise ServiceError(problem, "done_on" if kind == step_after(RENEWAL_ORDER, done) else "kind")
    if kind == RenewalStepKind.ELECTION:
        if election is None:
            raise ServiceError("登记选举大会须同时登记新一届委员会的组成")
        new = record_election(
            org, done_on, election.get("years"), election.get("posts", ()), actor,
            actor_name=actor_name, number=election.get("number"),
            committee_kind=election.get("committee_kind"), note=note, doc_number=doc_number, today=today,
        )  # fmt: skip
        return new.elected_by_step
    try:
        step = RenewalStep.objects.create(
            term=term,
            kind=kind,
            done_on=done_on,
            doc_number=(doc_number or "").strip(),
            note=(note or "").strip(),
            recorded_by=audit.actor_label(actor, actor_name),
        )
    except IntegrityError:
        raise ServiceError(f"“{STEP_LABELS[kind]}”已登记，请刷新页面")
    audit.log_create(step, actor=actor, actor_name=actor_name)
    return step


# --- the 换届 overview ----------------------------------------------------------------------------------------
@dataclass
class TermRow:
    org: Organization
    term: Term | None
    status: TermStatus
    expires_on: date | None  # as approved: a granted delay moves it (Term.effective_expiry)
    days_left: int | None
    steps: list[RenewalStep] = field(default_factory=list)
    next_step: str | None = None  # RenewalStepKind value
    wrapping_up: bool = False  # the steps belong to the previous term (elected, not yet 新一届)

    @property
    def status_tag(self) -> str:
        return STATUS_TAG[self.status]

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def next_step_label(self) -> str:
        return STEP_LABELS.get(self.next_step or "", "")

    @property
    def step_kinds(self) -> list[str]:
        return [s.kind for s in self.steps]

    def reminder_item(self) -> dict[str, Any] | None:
        """The 月提醒 item of design §4, or None when there is nothing to remind."""
        if self.status not in (TermStatus.EXPIRING, TermStatus.OVERDUE, TermStatus.MISSING):
            return None
        return {
            "type": "term",
            "status": str(self.status),
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
        }


def term_overview(orgs_qs: models.QuerySet[Organization], today: date) -> list[TermRow]:
    """Every organisation of `orgs_qs` still existing on `today`, with its term status, expiry and the
    renewal steps done, most urgent first. Three queries, whatever the number of organisations."""
    live = orgs_qs.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
    orgs = list(live.order_by("path"))
    ids = live.values("pk")
    terms = {
        t.committee.organization_id: t
        for t in Term.objects.filter(is_current=True, committee__organization__in=ids).select_related(
            "committee"
        )
    }
    steps_by_term: dict[int, list[RenewalStep]] = {}
    for s in (
        RenewalStep.objects.filter(term__committee__organization__in=ids)
        .filter(Q(term__is_current=True) | Q(term__successor__is_current=True))
        .order_by("term_id", "done_on", "id")
    ):
        steps_by_term.setdefault(s.term_id, []).append(s)
    rows = []
    for org in orgs:
        term = terms.get(org.pk)
        expiry = term.effective_expiry if term else None
        status = term_status(expiry, today, elected=org.has_elected_term)
        row = TermRow(
            org=org,
            term=term,
            status=status,
            expires_on=expiry if org.has_elected_term else None,
            days_left=(expiry - today).days if expiry and org.has_elected_term else None,
        )
        if term is not None and org.has_elected_term:
            previous_steps = steps_by_term.get(term.previous_id or 0, [])
            if previous_steps and RenewalStepKind.NEW_TERM not in {s.kind for s in previous_steps}:
                row.steps, row.wrapping_up = previous_steps, True
            else:
                row.steps = steps_by_term.get(term.pk, [])
            row.next_step = step_after(RENEWAL_ORDER, row.step_kinds)
        rows.append(row)
    rows.sort(key=lambda r: urgency_key(r.status, r.expires_on, r.org.code))
    return rows
