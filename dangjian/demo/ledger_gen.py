"""A generator of valid 台账 workbooks (design §5) of any size, for the import benchmark and tests.

Rows are spread over the given branches, dated inside each branch's life and before today, with kinds from
design §5's common forms and a head count from the branch's roll (everyone present, so that the records get a
full attendance list where the roll on that day matches). Every row has its own topic: no two rows share a key.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

from django.utils import timezone

from dangjian.activities.importer import COLUMNS
from dangjian.core.xlsx import Sheet, write_workbook

HEADER = [c.name for c in COLUMNS]
KINDS = ("主题党日", "支部党员大会", "支委会", "党课", "主题党日、党课", "党员大会、主题党日")
TOPICS = (
    "学习贯彻上级会议精神",
    "开展主题教育专题学习",
    "讨论本支部工作计划",
    "组织党员志愿服务",
    "重温入党誓词",
)


@dataclass(frozen=True)
class Branch:
    code: str
    first: date  # the earliest date a record may have (founded, or the start of the span)
    last: date  # the latest (dissolved, or today)
    members: int  # the head count the rows state


def _rows(n: int, branches: Sequence[Branch], seed: int) -> Iterator[list[Any]]:
    rng = random.Random(seed)
    for i in range(n):
        b = branches[i % len(branches)]
        span = max((b.last - b.first).days, 0)
        day = b.first + timedelta(days=rng.randint(0, span))
        expected = max(b.members, 1)
        yield [
            b.code,
            KINDS[rng.randrange(len(KINDS))],
            day,
            f"{TOPICS[rng.randrange(len(TOPICS))]}（第{i + 1}次）",
            "书记",
            expected,
            expected,
            None,
            "传达学习上级文件精神，讨论本支部下阶段工作。",
        ]


def write_ledger_workbook(
    target: Path | str | IO[bytes], n: int, branches: Sequence[Branch], *, seed: int = 1
) -> None:
    """Write a valid 台账 of `n` rows over `branches`."""
    if not branches:
        raise ValueError("at least one branch is needed")
    write_workbook(
        target,
        [Sheet(name="组织生活台账", header=HEADER, rows=_rows(n, branches, seed), date_columns=[2])],
    )


def branches_of_database(years: int, today: date | None = None) -> list[Branch]:
    """The live branches of the database, each with its current head count, over the last `years` years."""
    from django.db.models import Count, Q

    from dangjian.members.models import Status
    from dangjian.orgs.models import BRANCH_KINDS, Organization

    today = today or timezone.localdate()
    start = date(today.year - years + 1, 1, 1)
    out = []
    qs = (
        Organization.objects.filter(kind__in=BRANCH_KINDS)
        .annotate(n=Count("members", filter=Q(members__status=Status.NORMAL)))
        .order_by("path")
    )
    for o in qs:
        first = max(start, o.founded_on or start)
        last = min(today, o.dissolved_on or today)
        if first <= last:
            out.append(Branch(o.code, first, last, o.n))
    return out
