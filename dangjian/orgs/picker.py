"""The organisation picker of filter forms: a <select> that lists only the top of the user's tree (their top
level and the one below it) plus the chosen organisation with its ancestors, and a search box that swaps in
the matching organisations from `orgs:picker` (htmx). A city tree has thousands of organisations; a select
holding all of them made every list page heavy.

Each function is one query, whatever the size of the tree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, Subquery, Value, When

from dangjian.accounts.scope import visible_orgs

from .models import Organization
from .tree import STEPLEN

SEARCH_LIMIT = 50
TOP_LEVELS = 2  # the user's top level and the one below it
TOP_LIMIT = 200


@dataclass(frozen=True)
class Option:
    pk: int
    label: str
    selected: bool = False


def _ancestor_paths(path: str) -> list[str]:
    return [path[:end] for end in range(STEPLEN, len(path) + 1, STEPLEN)]


def top_options(user: Any, selected: Organization | None = None) -> tuple[list[Option], bool]:
    """The user's top levels in tree order, indented by depth, with `selected` and its ancestors kept; at most
    TOP_LIMIT of them (a province's second level can hold thousands: the search box finds the rest), and
    whether there were more."""
    visible = visible_orgs(user)
    top_depth = Subquery(visible.order_by("depth").values("depth")[:1])
    wanted = Q(depth__lt=top_depth + TOP_LEVELS)
    paths = [] if selected is None else _ancestor_paths(selected.path)
    chain = Q(path__in=paths)
    # the chosen organisation's line first, so that the limit never cuts it off; then tree order
    first = Case(When(chain, then=Value(0)), default=Value(1), output_field=IntegerField())
    rows = list(
        visible.filter(wanted | chain)
        .order_by(first, "path")
        .values_list("pk", "name", "depth", "path")[: TOP_LIMIT + len(paths) + 1]
    )
    shown = max(TOP_LIMIT, sum(1 for row in rows if row[3] in paths))
    more = len(rows) > shown
    rows = sorted(rows[:shown], key=lambda row: row[3])
    top = min((depth for _, _, depth, _ in rows), default=1)
    chosen = selected.pk if selected is not None else None
    options = [Option(pk, "\u3000" * (depth - top) + name, pk == chosen) for pk, name, depth, _ in rows]
    return options, more


def search_options(user: Any, q: str, selected_pk: int | None = None) -> tuple[list[Option], bool]:
    """The organisations in scope whose name, short name or code contains `q`, in tree order, at most
    SEARCH_LIMIT; and whether there were more. The selected one stays selected, else the first match is."""
    rows = list(
        visible_orgs(user)
        .filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__icontains=q))
        .order_by("path")
        .values_list("pk", "name", "dissolved_on")[: SEARCH_LIMIT + 1]
    )
    more = len(rows) > SEARCH_LIMIT
    rows = rows[:SEARCH_LIMIT]
    chosen = selected_pk if any(pk == selected_pk for pk, _, _ in rows) else (rows[0][0] if rows else None)
    return [Option(pk, f"{name}（已撤销）" if gone else name, pk == chosen) for pk, name, gone in rows], more
