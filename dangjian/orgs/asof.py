"""The organisation side of a day's figures (design §3 as-of convention; core.asof fixes the day).

Every report, chart, appraisal and reminder that speaks of a past day asks here, instead of filtering today's
rows: which organisations existed then, each unit's kind then, the term in office then, the posts held then.
Facts dated after the day never change the answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet

from .models import Organization, Post, Term, Unit, UnitKind, UnitKindChange
from .terms import TermStatus, term_status


# --- organisations ----------------------------------------------------------------------------------------
def existed_q(as_of: date, prefix: str = "") -> Q:
    """Founded on or before the day (no founding date = since before any record) and not dissolved by then
    (dissolved on the day itself = gone)."""
    return (Q(**{f"{prefix}founded_on__isnull": True}) | Q(**{f"{prefix}founded_on__lte": as_of})) & (
        Q(**{f"{prefix}dissolved_on__isnull": True}) | Q(**{f"{prefix}dissolved_on__gt": as_of})
    )


def orgs_existing(as_of: date, root: Organization | None = None) -> QuerySet[Organization]:
    """The organisations that existed on `as_of` (in `root`'s subtree when given)."""
    qs = Organization.objects.filter(existed_q(as_of))
    return qs.filter(path__startswith=root.path) if root is not None else qs


def orgs_by_kind(as_of: date, root: Organization | None = None) -> dict[str, int]:
    """{OrgKind value: count} as of the day. Grouped without the tree's default ordering (treebeard orders by
    `path`, which a GROUP BY would otherwise include, giving one row per organisation)."""
    rows = orgs_existing(as_of, root).order_by().values_list("kind")
    return dict(Counter(k for (k,) in rows))


# --- units ------------------------------------------------------------------------------------------------
def units_of(orgs: QuerySet[Organization] | Iterable[Organization]) -> QuerySet[Unit]:
    """The units the organisations cover (an organisation that existed then covered its units then)."""
    return Unit.objects.filter(organizations__in=orgs).distinct()


def unit_kinds_on(as_of: date, units: Iterable[Unit] | QuerySet[Unit]) -> dict[int, str]:
    """{unit id: UnitKind value in force on `as_of`}: the last 变更 dated on or before the day; a unit whose
    changes all came later has the kind it was registered with; a unit never changed has its stored kind."""
    units = list(units)
    kinds = {u.pk: u.kind for u in units}
    history: dict[int, list[UnitKindChange]] = {}
    for ch in UnitKindChange.objects.filter(unit__in=[u.pk for u in units]).order_by("unit_id", "id"):
        history.setdefault(ch.unit_id, []).append(ch)
    for unit_id, rows in history.items():
        base = [r for r in rows if r.valid_from is None]
        dated = sorted((r for r in rows if r.valid_from is not None), key=lambda r: r.valid_from)
        before = [r for r in dated if r.valid_from <= as_of]
        if before:
            kinds[unit_id] = before[-1].kind
        elif base:
            kinds[unit_id] = base[0].kind
    return kinds


def unit_kind_on(unit: Unit, as_of: date) -> str:
    return unit_kinds_on(as_of, [unit])[unit.pk]


def units_by_kind(as_of: date, orgs: QuerySet[Organization]) -> dict[str, list[int]]:
    """{UnitKind value: [unit ids]} for the units of `orgs` (those existing then), each by its kind then."""
    out: dict[str, list[int]] = {k.value: [] for k in UnitKind}
    for unit_id, kind in sorted(unit_kinds_on(as_of, units_of(orgs)).items()):
        out.setdefault(kind, []).append(unit_id)
    return out


# --- terms ------------------------------------------------------------------------------------------------
def terms_in_office(as_of: date, orgs: QuerySet[Organization] | Iterable[Organization]) -> dict[int, Term]:
    """{organisation id: the term in office on `as_of`}: elected on or before the day and not ended by a later
    election on or before it. An organisation without one then is absent."""
    qs = (
        Term.objects.filter(committee__organization__in=orgs, elected_on__lte=as_of)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=as_of))
        .select_related("committee")
        .order_by("elected_on", "id")
    )
    return {t.committee.organization_id: t for t in qs}  # the latest election wins over a stray older row


def term_on(org: Organization, as_of: date) -> Term | None:
    return terms_in_office(as_of, [org]).get(org.pk)


def term_statuses(as_of: date, orgs: QuerySet[Organization]) -> dict[int, tuple[TermStatus, Term | None]]:
    """Each organisation's 换届 status as it stood on `as_of` (即将届满 counts six months ahead of that day)."""
    terms = terms_in_office(as_of, orgs)
    out = {}
    for org in orgs.order_by("path"):
        term = terms.get(org.pk)
        expiry = term.effective_expiry if term is not None else None
        out[org.pk] = (term_status(expiry, as_of, elected=org.has_elected_term), term)
    return out


def _codes_with(as_of: date, orgs: QuerySet[Organization], status: TermStatus) -> list[str]:
    statuses = term_statuses(as_of, orgs)
    codes = dict(orgs.order_by().values_list("pk", "code"))
    return sorted(codes[pk] for pk, (s, _) in statuses.items() if s == status)


def terms_overdue(as_of: date, orgs: QuerySet[Organization]) -> list[str]:
    """Codes (sorted) of the organisations whose term had run out un-renewed on `as_of` (an approved delay
    counts as the expiry)."""
    return _codes_with(as_of, orgs, TermStatus.OVERDUE)


def terms_missing(as_of: date, orgs: QuerySet[Organization]) -> list[str]:
    """Codes (sorted) of the organisations that should have an elected committee but had no term on record for
    that day."""
    return _codes_with(as_of, orgs, TermStatus.MISSING)


# --- posts ------------------------------------------------------------------------------------------------
def posts_held(as_of: date, orgs: QuerySet[Organization] | Iterable[Organization]) -> QuerySet[Post]:
    """The seats filled on `as_of`: in the term in office then, taken up on or before the day (no date = with
    the term) and not left by then."""
    term_ids = [t.pk for t in terms_in_office(as_of, orgs).values()]
    return (
        Post.objects.filter(term_id__in=term_ids)
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=as_of))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=as_of))
    )
