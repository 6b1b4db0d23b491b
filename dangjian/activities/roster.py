"""Who was on an organisation's roll on a day, and who is expected at a record (the attendance list).

Read-only; the rule itself (`rules.org_on`) is pure. Re-exported by services for other apps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs.models import Organization, PartyGroup, Post

from . import rules
from .models import ActivityKind, KindAudience


# --- the roll --------------------------------------------------------------------------------------
def _facts(
    m: Member, moves: dict[int, list[rules.Move]] | None = None
) -> tuple[rules.MemberFacts, list[rules.Move]]:
    facts = rules.MemberFacts(
        organization_id=m.organization_id, join_date=m.join_date, status=m.status, left_on=m.left_on
    )
    if moves is not None:
        return facts, moves.get(m.id, [])
    return facts, [rules.Move(e.kind, e.date, e.from_org_id, e.to_org_id) for e in m.events.all()]


# What the roll and an attendance list read of a member: the roll rule's facts, the name and the vote.
ROLL_FIELDS = ("name", "initials", "full_date", "organization", "join_date", "status", "left_on")


class RosterIndex:
    """Members that were ever on some organisations' rolls, with their history, to answer "who was on the
    roll of X on day D" for many organisations and days in memory (imports, the demo): two queries."""

    def __init__(self, members: Iterable[Member], moves: dict[int, list[rules.Move]] | None = None):
        """`moves`: each member's moves by member id, in date order; without it, from `m.events.all()`."""
        self._by_org: dict[int, list[tuple[Member, rules.MemberFacts, list[rules.Move]]]] = {}
        for m in members:
            facts, history = _facts(m, moves)
            # A member can only have been on the rolls they are on now or were moved away from.
            for org_id in {facts.organization_id, *(e.from_org_id for e in history if e.from_org_id)}:
                self._by_org.setdefault(org_id, []).append((m, facts, history))

    @classmethod
    def for_orgs(cls, org_ids: Iterable[int], *, slim: bool = False) -> RosterIndex:
        """The events as plain rows grouped here rather than prefetched as model objects (a city's 台账 import
        indexes some sixty thousand members). `slim`: the members carry only `ROLL_FIELDS` (an import, which
        reads nothing else of them), not every column and their organisation."""
        ids = list(set(org_ids))
        moved_away = MembershipEvent.objects.filter(from_org_id__in=ids).values("member_id")
        wanted = Q(organization_id__in=ids) | Q(pk__in=moved_away)
        qs = Member.objects.filter(wanted)
        members = list(qs.only(*ROLL_FIELDS) if slim else qs.select_related("organization"))
        moves: dict[int, list[rules.Move]] = {}
        events = (
            MembershipEvent.objects.filter(member__in=Member.objects.filter(wanted).values("pk"))
            .order_by("date", "id")
            .values_list("member_id", "kind", "date", "from_org_id", "to_org_id")
        )
        for member_id, kind, day, from_org, to_org in events.iterator(chunk_size=5000):
            moves.setdefault(member_id, []).append(rules.Move(kind, day, from_org, to_org))
        return cls(members, moves)

    def on(self, org_ids: int | Iterable[int], day: date) -> list[Member]:
        wanted = {org_ids} if isinstance(org_ids, int) else set(org_ids)
        found: dict[int, Member] = {}
        for org_id in wanted:
            for m, facts, moves in self._by_org.get(org_id, ()):
                if m.id not in found and rules.org_on(facts, moves, day) in wanted:
                    found[m.id] = m
        return sorted(found.values(), key=lambda m: (m.initials or m.name, m.name, m.id))


def _roll_ids(org: Organization, subtree: bool) -> list[int]:
    return list(org.subtree().values_list("pk", flat=True)) if subtree else [org.pk]


def members_on(org: Organization, day: date, *, subtree: bool = False) -> list[Member]:
    """The members on `org`'s roll on `day` (with `subtree`, on the roll of any organisation under it),
    ordered by name. 预备党员 are included; `rules.has_vote(m.full_date, day)` tells who votes."""
    ids = _roll_ids(org, subtree)
    return RosterIndex.for_orgs(ids).on(ids, day)


def committee_id_numbers(org: Organization, day: date) -> set[str]:
    """ID numbers of the committee members (posts) of `org` in office on `day`."""
    posts = (
        Post.objects.filter(term__committee__organization=org, term__elected_on__lte=day)
        .filter(Q(term__is_current=True) | Q(term__ended_on__gt=day))
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=day))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .exclude(id_number="")
    )
    return set(posts.values_list("id_number", flat=True))


@dataclass
class Roster:
    """Who is expected at a record: the attendance list is drawn from `members`."""

    audience: str
    members: list[Member]
    note: str = ""

    @property
    def ids(self) -> list[int]:
        return [m.pk for m in self.members]


def roster_for(
    org: Organization,
    day: date,
    kinds: Sequence[ActivityKind],
    *,
    party_group: PartyGroup | None = None,
    talk_a: Member | None = None,
    talk_b: Member | None = None,
    everyone: list[Member] | None = None,
) -> Roster:
    """The expected attendees: everyone on the roll, or the committee, a party group, the two in a talk,
    by the widest audience of the record's kinds. A 党委 / 党总支 draws on its whole subtree (its members,
    committee members included, sit in the branches under it)."""
    audience = rules.audience_of(k.audience for k in kinds)
    if audience == KindAudience.TALK:
        return Roster(audience, [m for m in (talk_a, talk_b) if m is not None])
    if everyone is None:
        everyone = members_on(org, day, subtree=not org.is_branch)
    if audience == KindAudience.GROUP:
        if party_group is None:
            return Roster(audience, [], note="请选择召开会议的党小组")
        return Roster(audience, [m for m in everyone if m.party_group_id == party_group.pk])
    if audience == KindAudience.COMMITTEE:
        ids = committee_id_numbers(org, day)
        chosen = [m for m in everyone if m.id_number in ids]
        if chosen:
            return Roster(audience, chosen)
        return Roster(
            KindAudience.ALL,
            everyone,
            note="未找到该日期在任的委员名单（可在组织管理中录入届次和委员），暂列出全体党员，请将非委员标为缺席或核对",
        )
    return Roster(KindAudience.ALL, everyone)
