"""Builders for the orgs tests (data in code, no fixtures files)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dangjian import factories as f
from dangjian.core.xlsx import Sheet, write_workbook
from dangjian.orgs.models import Organization, OrgKind

ORG_HEADER = [
    "组织名称",
    "组织代码",
    "组织类别",
    "上级党组织",
    "所在单位",
    "单位类别",
    "成立日期",
    "本届委员会选举日期",
    "任期(年)",
]


def workbook(path: Path, rows: Sequence[Sequence[Any]], header: Sequence[str] = ORG_HEADER) -> Path:
    write_workbook(path, [Sheet(name="党组织", header=list(header), rows=[list(r) for r in rows])])
    return path


def grow(parent: Organization, branches: int, members_each: int, prefix: str) -> list[Organization]:
    """A 党总支 under `parent` with `branches` branches of `members_each` members (and one departed)."""
    general = f.org(f"{prefix}党总支", kind=OrgKind.GENERAL_BRANCH, parent=parent, code=f"{prefix}G")
    made = [general]
    for i in range(branches):
        b = f.org(f"{prefix}第{i + 1}支部", parent=general, code=f"{prefix}B{i:02d}")
        for _ in range(members_each):
            f.member(b)
        f.member(b, status="已转出")
        made.append(b)
    return made
