"""The organisation tree in memory: nesting a path-ordered list and rolling counts up by materialised path.

Pure: works on anything with `pk`, `path` and `depth` (treebeard MP_Node, steplen 4), no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

STEPLEN = 4


def rollup(nodes: Iterable[Any], own: Mapping[int, int]) -> dict[int, int]:
    """{pk: own count + the counts of every descendant present in `nodes`}.

    A node's count is added to each ancestor found among `nodes` (ancestors outside them are skipped, so an
    org admin's tree totals only what they can see).
    """
    nodes = list(nodes)
    by_path = {n.path: n.pk for n in nodes}
    totals = {n.pk: 0 for n in nodes}
    for n in nodes:
        c = own.get(n.pk, 0)
        if not c:
            continue
        for end in range(STEPLEN, len(n.path) + 1, STEPLEN):
            ancestor = by_path.get(n.path[:end])
            if ancestor is not None:
                totals[ancestor] += c
    return totals


@dataclass
class TreeNode:
    org: Any
    children: list[TreeNode] = field(default_factory=list)
    total: int = 0  # e.g. current members in the whole subtree

    @property
    def has_children(self) -> bool:
        return bool(self.children)


def nest(nodes: Iterable[Any], totals: Mapping[int, int] | None = None) -> list[TreeNode]:
    """Nest a path-ordered list into a forest. A node whose parent is not in the list becomes a top node
    (an org admin's tree starts at their own organisation)."""
    totals = totals or {}
    by_path: dict[str, TreeNode] = {}
    forest: list[TreeNode] = []
    for n in sorted(nodes, key=lambda n: n.path):
        tn = TreeNode(n, total=totals.get(n.pk, 0))
        by_path[n.path] = tn
        parent = by_path.get(n.path[:-STEPLEN]) if len(n.path) > STEPLEN else None
        (parent.children if parent is not None else forest).append(tn)
    return forest
