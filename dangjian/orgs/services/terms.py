"""Writes on committees, terms and seats, approved delays, elections and the 换届 steps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit
from dangjian.core.actions import Refusal
from dangjian.core.models import AuditAction
from dangjian.core.periods import add_years

from ..models import (
    RENEWAL_ORDER,
    Committee,
    CommitteeKind,
    Organization,
    Post,
    RenewalStep,
    RenewalStepKind,
    Term,
)
from ..terms import PostSpec, delay_problem, posts_problems, step_after, step_problem, term_years_problem
from .base import POST_LABELS, STEP_LABELS, today_or_now


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
        raise Refusal(
            f"{org.get_kind_display()}由上级党组织批准设立、成员由任命产生，不适用选举任期（换届提醒显示为“不适用”）"
        )
    if org.dissolved_on is not None:
        raise Refusal("该组织已撤销，不能登记任期")


def _check_posts(posts: Sequence[PostInput], committee_kind: str) -> None:
    active = [p.spec for p in posts if p.ended_on is None]
    problems = posts_problems(
        active, secretary_only=committee_kind == CommitteeKind.SECRETARY_ONLY, labels=POST_LABELS
    )
    if problems:
        raise Refusal("；".join(problems), "posts")


def _committee_for(org: Organization, committee_kind: str | None, actor: Actor, actor_name: str) -> Committee:
    committee, created = Committee.objects.select_for_update().get_or_create(
        organization=org, defaults={"kind": committee_kind or CommitteeKind.COMMITTEE}
    )
    if created:  # get_or_create under the lock: the kernel's create cannot lock first
        audit.log_create(committee, actor=actor, actor_name=actor_name, event="committee.create")
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


def _audit_posts(posts: Sequence[Post], actor: Actor, actor_name: str) -> None:
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
        raise Refusal("选举日期不能晚于今天", "elected_on")
    if org.founded_on and elected_on < org.founded_on:
        raise Refusal(f"选举日期不能早于成立日期（{org.founded_on:%Y-%m-%d}）", "elected_on")


def check_first_term(
    org: Organization, elected_on: date, years: int | None, *, today: date | None = None
) -> int:
    """What `save_current_term` checks before a first term (the years, the default when none); raises Refusal."""
    _check_can_be_elected(org)
    years = years or org.default_term_years
    problem = term_years_problem(years)
    if problem or years is None:
        raise Refusal(problem or "请填写任期年数", "years")
    _check_election_date(elected_on, today_or_now(today), org)
    return years


@transaction.atomic
def create_first_terms(
    items: Sequence[tuple[Organization, date, int | None]],
    *,
    actor: Actor = None,
    actor_name: str = "",
    today: date | None = None,
) -> list[Term]:
    """`save_current_term(org, number=None, elected_on=…, years=…, committee_kind=None, posts=None)` for many
    organisations created in the same transaction (no committee and no term on file yet), set-based: the same
    checks (the first refusal raised, nothing written), rows and audit entries (committee, then term, per
    organisation in order)."""
    prepared = [(org, e, check_first_term(org, e, years, today=today)) for org, e, years in items]
    committees = Committee.objects.bulk_create(
        [Committee(organization=org, kind=CommitteeKind.COMMITTEE) for org, _e, _y in prepared]
    )
    terms = Term.objects.bulk_create(
        [
            # Term.save computes the expiry; bulk_create does not call it
            Term(
                committee=c,
                number=1,
                elected_on=e,
                years=y,
                note="",
                previous=None,
                expires_on=add_years(e, y),
            )
            for c, (_o, e, y) in zip(committees, prepared, strict=True)
        ]
    )
    entries: list[audit.Entry] = []
    for c, t in zip(committees, terms, strict=True):
        entries.append(
            audit.Entry(
                action="committee.create",
                actor=actor,
                actor_name=actor_name,
                instance=c,
                changes=audit.created(c),
            )
        )
        entries.append(
            audit.Entry(
                action="term.create",
                actor=actor,
                actor_name=actor_name,
                instance=t,
                changes=audit.created(t),
                note="录入本届任期",
            )
        )
    audit.record_many(entries)
    return terms


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
    actor: Actor = None,
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
    problem = term_years_problem(years)
    if problem or years is None:
        raise Refusal(problem or "请填写任期年数", "years")
    _check_election_date(elected_on, today_or_now(today), org)
    committee = _committee_for(org, committee_kind, actor, actor_name)
    if posts is not None:
        _check_posts(posts, committee.kind)
    term = Term.objects.filter(committee=committee, is_current=True).first()
    if term is None:
        previous = (
            Term.objects.filter(committee=committee, successor__isnull=True).order_by("-elected_on").first()
        )
        if previous is not None and elected_on <= previous.elected_on:
            raise Refusal(
                f"选举日期应晚于上一届（第{previous.number}届，{previous.elected_on:%Y-%m-%d}）", "elected_on"
            )
        term = actions.create(
            Term,
            {
                "committee": committee,
                "number": number or (previous.number + 1 if previous else 1),
                "elected_on": elected_on,
                "years": years,
                "note": note or "",
                "previous": previous,
            },
            actor=actor,
            actor_name=actor_name,
            event="term.create",
            note="录入本届任期",
        )
        _audit_posts(_create_posts(term, posts or (), elected_on), actor, actor_name)
        return term
    term = actions.lock(Term, term.pk, expected_version=expected_version, what="届次")
    previous = term.previous
    if previous is not None and elected_on <= previous.elected_on:
        raise Refusal(f"选举日期应晚于上一届的选举日期（{previous.elected_on:%Y-%m-%d}）", "elected_on")
    before = audit.snapshot(term)
    term.number, term.elected_on, term.years = number or term.number, elected_on, years
    if note is not None:
        term.note = note
    term.expires_on = add_years(elected_on, years)
    if term.extended_to and (problem := delay_problem(term.expires_on, term.extended_to)):
        raise Refusal(
            f"本届已批准延期至 {term.extended_to:%Y-%m-%d}，与更正后的届满日期不符：{problem}", "elected_on"
        )
    actions.save_versioned(
        term,
        expected_version=None,
        before=before,
        locked=True,
        skip_unchanged=True,
        actor=actor,
        actor_name=actor_name,
        event="term.update",
        note="更正本届任期",
    )
    if posts is not None:
        _update_posts(term, posts, actor, actor_name)
    return term


def _update_posts(term: Term, posts: Sequence[PostInput], actor: Actor, actor_name: str) -> None:
    existing = {p.pk: p for p in term.posts.all()}
    entries: list[audit.Entry] = []
    new_rows: list[PostInput] = []
    for i, p in enumerate(posts):
        if p.pk is None:
            new_rows.append(p)
            continue
        post = existing.get(p.pk)
        if post is None:
            raise Refusal("职务记录不属于本届，请刷新页面后重试", "posts")
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
    actor: Actor = None,
    actor_name: str = "",
) -> Term:
    """Record the superior's approval to hold the election later (选举条例 第三条: at most one year)."""
    term = actions.lock(Term, term.pk, expected_version=expected_version, what="届次")
    if not term.is_current:
        raise Refusal("只能为本届（现任）委员会登记延期换届")
    if problem := delay_problem(term.expires_on, extended_to):
        raise Refusal(problem, "extended_to")
    if not (reason or "").strip():
        raise Refusal("请填写延期理由及上级党组织的批复（文号）", "reason")
    before = audit.snapshot(term)
    term.extended_to, term.extension_reason = extended_to, reason.strip()
    actions.save_versioned(
        term,
        expected_version=None,
        before=before,
        locked=True,
        skip_unchanged=True,
        actor=actor,
        actor_name=actor_name,
        event="term.update",
        note="经批准延期换届",
    )
    return term


@transaction.atomic
def record_election(
    org: Organization,
    elected_on: date,
    years: int | None,
    posts: Sequence[PostInput],
    actor: Actor = None,
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
    problem = term_years_problem(years)
    if problem or years is None:
        raise Refusal(problem or "请填写任期年数", "years")
    _check_election_date(elected_on, today_or_now(today), org)
    committee = _committee_for(org, committee_kind, actor, actor_name)
    if require_posts:
        _check_posts(posts, committee.kind)
    old = Term.objects.select_for_update().filter(committee=committee, is_current=True).first()
    if old is not None:
        if elected_on <= old.elected_on:
            raise Refusal(
                f"选举日期应晚于本届（第{old.number}届）的选举日期 {old.elected_on:%Y-%m-%d}", "elected_on"
            )
        before = audit.snapshot(old)
        old.is_current, old.ended_on = False, elected_on
        actions.save_versioned(
            old,
            expected_version=None,
            before=before,
            locked=True,
            actor=actor,
            actor_name=actor_name,
            event="term.end",
            note="换届，本届任期结束",
        )
    new = actions.create(
        Term,
        {
            "committee": committee,
            "number": number or (old.number + 1 if old else 1),
            "elected_on": elected_on,
            "years": years,
            "previous": old,
            "note": note,
        },
        actor=actor,
        actor_name=actor_name,
        event="term.create",
        note="换届选举，新一届开始",
    )
    _audit_posts(_create_posts(new, posts, elected_on), actor, actor_name)
    if old is not None:
        actions.create(
            RenewalStep,
            {
                "term": old,
                "kind": RenewalStepKind.ELECTION,
                "done_on": elected_on,
                "doc_number": doc_number,
                "note": note,
                "new_term": new,
                "recorded_by": audit.actor_label(actor, actor_name),
            },
            actor=actor,
            actor_name=actor_name,
            event="renewalstep.create",
        )
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
    actor: Actor = None,
    actor_name: str = "",
    today: date | None = None,
    election: dict[str, Any] | None = None,
) -> RenewalStep:
    """Record the next 换届 step. The 选举大会 step needs `election` (years, posts, number, committee_kind)
    and starts the new term through `record_election`."""
    today = today_or_now(today)
    term = renewal_term(org)
    if term is None:
        raise Refusal("尚未录入本届任期；请先录入本届委员会的选举日期和任期")
    done = {s.kind: s.done_on for s in term.renewal_steps.all()}
    if problem := step_problem(RENEWAL_ORDER, done, kind, done_on, today, STEP_LABELS):
        raise Refusal(problem, "done_on" if kind == step_after(RENEWAL_ORDER, done) else "kind")
    if kind == RenewalStepKind.ELECTION:
        if election is None:
            raise Refusal("登记选举大会须同时登记新一届委员会的组成")
        new = record_election(
            org, done_on, election.get("years"), election.get("posts", ()), actor,
            actor_name=actor_name, number=election.get("number"),
            committee_kind=election.get("committee_kind"), note=note, doc_number=doc_number, today=today,
        )  # fmt: skip
        return new.elected_by_step
    try:
        return actions.create(
            RenewalStep,
            {
                "term": term,
                "kind": kind,
                "done_on": done_on,
                "doc_number": (doc_number or "").strip(),
                "note": (note or "").strip(),
                "recorded_by": audit.actor_label(actor, actor_name),
            },
            actor=actor,
            actor_name=actor_name,
            event="renewalstep.create",
        )
    except IntegrityError:
        raise Refusal(f"“{STEP_LABELS[kind]}”已登记，请刷新页面") from None
