"""The organisation tree in memory: nesting a path-ordered list and rolling counts up by materialised path.

Pure: works on anything with `pk`, `path` and `depth` (treebeard MP_Node, steplen 4), no database.
`render_forest` prints a forest as HTML (escaped here, like a template would).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape

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


def child_totals(root_path: str, rows: Iterable[tuple[int, str]], own: Mapping[int, int]) -> dict[str, int]:
    """{child path: own count of every node under that child of `root_path`} for (pk, path) rows of the
    subtree; `root_path` itself is under the key "". One pass, no node objects: an organisation's page at the
    top of a city tree rolls up thousands of descendants."""
    cut = len(root_path) + STEPLEN
    totals: dict[str, int] = {}
    for pk, path in rows:
        key = path[:cut] if len(path) >= cut else ""
        totals[key] = totals.get(key, 0) + own.get(pk, 0)
    return totals


def render_forest(
    forest: list[TreeNode], *, open_depth: int, url: Callable[[int], str], kinds: Mapping[str, str]
) -> str:
    """The tree as nested <details> lists, built in one pass (a city tree has thousands of nodes: a recursive
    template include per node cost a second). `url(pk)` links a node; `kinds` labels its kind. Nodes need
    pk, name, kind, depth and dissolved_on."""
    out: list[str] = []

    def label(node: TreeNode) -> str:
        o = node.org
        gone = ' <span class="tag tag-bad">已撤销</span>' if o.dissolved_on else ""
        return (
            f'<a href="{url(o.pk)}">{escape(o.name)}</a> <span class="tag tag-info">'
            f'{escape(kinds.get(o.kind, o.kind))}</span> <span class="tree-count">{node.total} 名党员</span>{gone}'
        )

    def walk(node: TreeNode) -> None:
        if node.children:
            opened = " open" if node.org.depth <= open_depth else ""
            # The link stands beside the toggle, not inside it: a link within <summary> nests one control in
            # another (axe-core `nested-interactive`; a screen reader cannot reach both).
            out.append(
                f'<li><div class="tree-row">{label(node)}</div><details{opened}>'
                f"<summary>下级组织（{len(node.children)}）</summary>\n<ul>"
            )
            for child in node.children:
                walk(child)
            out.append("</ul></details></li>")
        else:
            out.append(f'<li><div class="tree-leaf">{label(node)}</div></li>')

    for node in forest:
        walk(node)
    return "".join(out)
