"""A generator of valid roster workbooks (design §5) of any size, for the import benchmark and tests.

    python -m dangjian.demo.roster_gen OUT.xlsx N ORG [ORG …]

Every row passes every rule: unique, valid ID numbers whose birth date and gender agree with the row, members
aged 18 or more when they joined, full dates one year after joining (a few 预备党员), valid phones.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

from django.utils import timezone

from dangjian.core.idnumber import make_id_number
from dangjian.core.periods import add_years
from dangjian.core.xlsx import Sheet, write_workbook
from dangjian.members.choices import ETHNICITIES, Category, Education
from dangjian.members.roster import HEADER

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞宇浩然欣怡子涵梓轩晨阳志刚海燕丹婷雪梅春林晓东"
AREAS = ("411402", "411403", "411421", "411422", "411423", "411424", "411425", "411426", "411481")
BIRTH_START = date(1945, 1, 1)
BIRTH_SPAN_DAYS = 365 * 55  # born 1945–1999: every member is 18 or older when joining, before today


def _rows(n: int, orgs: Sequence[str], seed: int, today: date) -> Iterator[list[Any]]:
    rng = random.Random(seed)
    educations = list(Education.values)
    categories = list(Category.values)
    for i in range(n):
        birth = BIRTH_START + timedelta(days=i % BIRTH_SPAN_DAYS)
        male = rng.random() < 0.6
        # (birth, area, sequence) is unique per i: the sequence carries i // span, its parity the gender.
        seq = ((i // BIRTH_SPAN_DAYS) * 2 + (1 if male else 0)) % 1000
        number = make_id_number(AREAS[i % len(AREAS)], birth, seq)
        adult = add_years(birth, 18)
        latest = min(today - timedelta(days=30), add_years(birth, 45))
        join = adult + timedelta(days=rng.randrange(max(1, (latest - adult).days)))
        full = add_years(join, 1)
        if full > today or rng.random() < 0.03:
            full = None
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        yield [
            name,
            "男" if male else "女",
            "汉族" if rng.random() < 0.93 else rng.choice(ETHNICITIES[1:20]),
            number,
            birth if rng.random() < 0.5 else None,
            rng.choice(educations),
            join,
            full,
            rng.choice(categories),
            None,  # 转入本组织日期: joined here
            orgs[i % len(orgs)],
            f"第{rng.randrange(1, 99)}车间 职工" if rng.random() < 0.5 else "",
            f"1{rng.choice('3578')}{rng.randrange(10**9):09d}" if rng.random() < 0.8 else "",
        ]


def write_roster_workbook(
    target: Path | str | IO[bytes], n: int, orgs: Sequence[str], *, seed: int = 1, today: date | None = None
) -> None:
    """Write a valid roster of `n` rows spread over `orgs` (names or codes of existing organisations)."""
    if not orgs:
        raise ValueError("at least one organisation is needed")
    write_workbook(
        target,
        [
            Sheet(
                name="党员名册",
                header=HEADER,
                rows=_rows(n, orgs, seed, today or timezone.localdate()),
                text_columns=[HEADER.index("公民身份号码"), HEADER.index("联系电话")],
                date_columns=[HEADER.index(c) for c in ("出生日期", "入党日期", "转正日期")],
            )
        ],
    )


if __name__ == "__main__":  # pragma: no cover - a helper for people
    if len(sys.argv) < 4:
        print("用法：python -m dangjian.demo.roster_gen 输出.xlsx 行数 党组织名称或代码 [……]")
        sys.exit(2)
    write_roster_workbook(sys.argv[1], int(sys.argv[2]), sys.argv[3:])
