"""Builders for the members tests: roster rows and workbooks."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from typing import Any

from dangjian.core.idnumber import make_id_number
from dangjian.core.xlsx import Sheet, write_workbook
from dangjian.members.roster import HEADER

_seq = itertools.count(500)


def id_number(birth: date = date(1985, 3, 4), *, male: bool = True) -> str:
    n = next(_seq)
    return make_id_number("411402", birth, (n * 2 + (1 if male else 0)) % 1000)


def roster_row(org: str = "A", **kw: Any) -> dict[str, Any]:
    """A valid row keyed by canonical column; override any column with its name as keyword."""
    birth = kw.pop("birth", date(1985, 3, 4))
    male = kw.pop("male", True)
    values = {
        "姓名": "王建国",
        "性别": "男" if male else "女",
        "民族": "汉族",
        "公民身份号码": id_number(birth, male=male),
        "出生日期": None,
        "学历": "大学本科",
        "入党日期": date(2010, 7, 1),
        "转正日期": date(2011, 7, 1),
        "人员类别": "在职",
        "转入本组织日期": None,
        "所在党支部": org,
        "工作单位及职务": "",
        "联系电话": "13812345678",
    }
    values.update({k.replace("_", ""): v for k, v in kw.items()})
    return values


def write_roster(
    path: Path, rows: list[dict[str, Any]], header: list[str] | None = None, *, text_ids: bool = True
) -> Path:
    """Write rows (dicts keyed by canonical column, or lists) under `header` (default: the canonical one)."""
    header = header or HEADER
    body = [[r.get(h) for h in header] if isinstance(r, dict) else r for r in rows]
    text_cols = [
        i for i, h in enumerate(header) if h in ("公民身份号码", "身份证号", "身份证号码", "联系电话")
    ]
    write_workbook(path, [Sheet("名册", header, body, text_columns=text_cols if text_ids else [])])
    return path


def bulk_members(org: Any, n: int, *, start: int = 0, **fields: Any) -> list[Any]:
    """n plain members in `org`, written in one statement (data for the query-count tests)."""
    from dangjian.members.models import Member

    members = []
    for i in range(start, start + n):
        birth = date(1950, 1, 1).replace(year=1950 + i % 50)
        members.append(
            Member(
                name=f"批量党员{i}",
                initials=f"PLDY{i}"[:20],
                gender="男",
                id_number=make_id_number("411421", birth, (i // 50 * 2 + 1) % 1000),
                birth_date=birth,
                join_date=date(birth.year + 20, 7, 1),
                full_date=date(birth.year + 21, 7, 1) if i % 3 else None,
                category=("在职", "离退休", "下岗失业")[i % 3],
                organization=org,
                **fields,
            )
        )
    return Member.objects.bulk_create(members)
