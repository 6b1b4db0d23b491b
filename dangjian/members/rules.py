"""The rules of a roster row (design §5), shared by the import, the member form and the services. Pure: no
database. Each cleaner takes what a spreadsheet cell or a form field holds and returns the stored value, or
raises `RuleError` with a Chinese message that says what to do.

`check_member` runs them all over one record and collects every problem, keyed by the canonical column name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from operator import mul as _mul
from typing import Any

from dangjian.core.dates import DateParseError, parse_date
from dangjian.core.idnumber import CHECK_CHARS, WEIGHTS, IdNumber, IdNumberError, parse_id_number
from dangjian.core.periods import add_years as _add_years

from .choices import (
    CATEGORY_HINT,
    CATEGORY_SYNONYMS,
    EDUCATION_SYNONYMS,
    Category,
    Education,
    normalize_ethnicity,
)

# Canonical column names (design §5), in the order of the template and the export.
NAME = "姓名"
GENDER = "性别"
ETHNICITY = "民族"
ID_NUMBER = "公民身份号码"
BIRTH_DATE = "出生日期"
EDUCATION = "学历"
JOIN_DATE = "入党日期"
FULL_DATE = "转正日期"
CATEGORY = "人员类别"
ARRIVED_ON = "转入本组织日期"
ORGANIZATION = "所在党支部"
WORKPLACE = "工作单位及职务"
PHONE = "联系电话"

NAME_MIN, NAME_MAX = 2, 20
WORKPLACE_MAX = 100
ADULT_AGE = 18  # 党章 第一条: 年满十八岁
PROBATION_MIN_YEARS, PROBATION_MAX_YEARS = 1, 2  # 细则 第三十二条: 预备期1年, 可延长一次, 最多1年

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0\d{2,3})-?(\d{7,8})(?:-(\d{1,6}))?$")
_CJK = re.compile(r"^[\u3400-\u9fff\u00b7\u2022\u30fb·\s]+$")
_PHONE_SPACES = re.compile(r"[\s\u3000]")
_PHONE_PREFIX = re.compile(r"^\+?86-?(?=1\d{10}$)")
_PHONE_BRACKETS = re.compile(r"^\((0\d{2,3})\)-?(\d{7,8})$")
_CLEAN_ID = re.compile(r"[0-9]{17}[0-9X]")
_GENDER_OF_DIGIT = ("女", "男") * 5


@lru_cache(maxsize=65536)
def add_years(day: date, years: int) -> date:
    """`periods.add_years`, remembered: an import asks it twice per row, for days that repeat."""
    return _add_years(day, years)


class RuleError(ValueError):
    """One problem with one value; `str(exc)` is the Chinese message."""


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def clean_name(value: Any) -> str:
    text = text_of(value)
    if _CJK.match(text):
        # Names padded for alignment ("张  三") lose the padding; foreign names keep their spaces.
        text = "".join(text.split())
    else:
        text = " ".join(text.split())
    if not text:
        raise RuleError("姓名不能为空；请填写党员姓名")
    if not NAME_MIN <= len(text) <= NAME_MAX:
        raise RuleError(f"姓名应为{NAME_MIN}至{NAME_MAX}个字，这里是{len(text)}个字；请核对后重填")
    return text


def clean_id_number(value: Any) -> IdNumber:
    if type(value) is str and _CLEAN_ID.fullmatch(value):
        # The common case, a well-formed number, checked without `parse_id_number`'s per-digit generator (a
        # tenth of a large import's validation). Anything it does not accept goes the full way below, which
        # gives the messages.
        try:
            birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        except ValueError:
            birth = None
        if birth is not None and CHECK_CHARS[sum(map(_mul, map(int, value[:17]), WEIGHTS)) % 11] == value[17]:
            return IdNumber(value, birth, _GENDER_OF_DIGIT[int(value[16])])
    try:
        return parse_id_number(value)
    except IdNumberError as exc:
        raise RuleError(str(exc))


def clean_gender(value: Any, from_id: str | None) -> str:
    """男/女. Empty takes the gender the ID number gives; a mismatch is an error (17th digit odd = 男)."""
    text = text_of(value)
    if not text:
        if from_id is None:
            raise RuleError("性别不能为空；请填写“男”或“女”")
        return from_id
    if text in ("男性", "女性"):
        text = text[0]
    if text not in ("男", "女"):
        raise RuleError(f"性别“{text[:10]}”无法识别；请填写“男”或“女”")
    if from_id is not None and text != from_id:
        raise RuleError(f"性别与公民身份号码不符：号码第17位表示“{from_id}”；请核对性别或身份证号码")
    return text


def clean_ethnicity(value: Any) -> str:
    text = text_of(value)
    if not text:
        return ""
    name = normalize_ethnicity(text)
    if name is None:
        raise RuleError(
            f"民族“{text[:20]}”不是 GB/T 3304 中的民族名称；请填写如“汉族”“回族”（可简写为“汉”“回”），"
            "无法归入的填“其他”"
        )
    return name


def clean_birth_date(value: Any, from_id: date | None) -> date | None:
    """Optional; when given it must be the date the ID number carries."""
    try:
        day = parse_date(value)
    except DateParseError as exc:
        raise RuleError(f"出生日期{exc}")
    if day is None:
        return from_id
    if from_id is not None and day != from_id:
        raise RuleError(
            f"出生日期 {day:%Y-%m-%d} 与公民身份号码中的 {from_id:%Y-%m-%d} 不符；"
            "请核对，或将出生日期留空（系统按身份证号码填写）"
        )
    return day


def clean_education(value: Any) -> str:
    text = "".join(text_of(value).split())
    if not text:
        return ""
    mapped = EDUCATION_SYNONYMS.get(text)
    if mapped is None:
        for suffix in ("毕业", "学历", "在读", "肄业", "结业"):
            if text.endswith(suffix) and text[: -len(suffix)] in EDUCATION_SYNONYMS:
                mapped = EDUCATION_SYNONYMS[text[: -len(suffix)]]
                break
    if mapped is None:
        raise RuleError(f"学历“{text[:20]}”无法识别；请填写{'、'.join(Education.values)}之一")
    return mapped


def parse_day(value: Any, label: str) -> date | None:
    try:
        return parse_date(value)
    except DateParseError as exc:
        raise RuleError(f"{label}{exc}")


def clean_join_date(value: Any, birth: date | None, today: date) -> date:
    day = parse_day(value, "入党日期")
    if day is None:
        raise RuleError("入党日期不能为空；请填写支部大会通过其为预备党员的日期，如 2019-07-01")
    if day > today:
        raise RuleError(f"入党日期 {day:%Y-%m-%d} 晚于今天；请核对年份")
    if birth is not None and day < add_years(birth, ADULT_AGE):
        raise RuleError(
            f"入党日期 {day:%Y-%m-%d} 时未满18周岁（出生于 {birth:%Y-%m-%d}，应不早于 "
            f"{add_years(birth, ADULT_AGE):%Y-%m-%d}）；请核对入党日期或身份证号码"
        )
    return day


def full_date_window(join: date) -> tuple[date, date]:
    """预备期满一年转正，最多延长一年：the first and last day a 转正 may fall on."""
    return add_years(join, PROBATION_MIN_YEARS), add_years(join, PROBATION_MAX_YEARS)


def clean_full_date(value: Any, join: date | None, today: date) -> date | None:
    """Empty = 预备党员; else between 入党日期 + 1 year and 入党日期 + 2 years, and not in the future."""
    day = parse_day(value, "转正日期")
    if day is None:
        return None
    if day > today:
        raise RuleError(f"转正日期 {day:%Y-%m-%d} 晚于今天；尚未转正的请留空（视为预备党员）")
    if join is not None:
        first, last = full_date_window(join)
        if not first <= day <= last:
            raise RuleError(
                f"转正日期应在入党日期满1年至满2年之间（{first:%Y-%m-%d} 至 {last:%Y-%m-%d}），"
                f"这里是 {day:%Y-%m-%d}；请核对，预备党员请留空"
            )
    return day


def clean_arrived_on(value: Any, join: date | None, today: date) -> date | None:
    """Optional: the day the member joined this organisation by transfer; not before joining, not in the future."""
    day = parse_day(value, ARRIVED_ON)
    if day is None:
        return None
    if day > today:
        raise RuleError(f"转入本组织日期 {day:%Y-%m-%d} 晚于今天；请核对")
    if join is not None and day < join:
        raise RuleError(f"转入本组织日期 {day:%Y-%m-%d} 早于入党日期 {join:%Y-%m-%d}；请核对")
    return day


def clean_category(value: Any) -> str:
    text = "".join(text_of(value).split())
    if not text:
        return Category.SERVING
    mapped = CATEGORY_SYNONYMS.get(text)
    if mapped is None:
        raise RuleError(f"人员类别“{text[:20]}”无法识别；请填写{CATEGORY_HINT}")
    return mapped


def clean_workplace(value: Any) -> str:
    text = " ".join(text_of(value).split())
    if len(text) > WORKPLACE_MAX:
        raise RuleError(f"工作单位及职务不能超过{WORKPLACE_MAX}个字，这里是{len(text)}个字；请精简")
    return text


def clean_phone(value: Any) -> str:
    """An 11-digit mobile number or a landline written 0394-1234567 (an extension -123 is kept)."""
    text = text_of(value)
    if not text:
        return ""
    compact = _PHONE_SPACES.sub("", text)
    compact = compact.replace("（", "(").replace("）", ")").replace("—", "-").replace("－", "-")
    compact = _PHONE_PREFIX.sub("", compact)
    m = _PHONE_BRACKETS.match(compact)
    if m:
        compact = f"{m.group(1)}-{m.group(2)}"
    if _MOBILE.match(compact):
        return compact
    m = _LANDLINE.match(compact)
    if m and "-" in compact:
        return f"{m.group(1)}-{m.group(2)}" + (f"-{m.group(3)}" if m.group(3) else "")
    raise RuleError(f"联系电话“{text[:20]}”格式不对；请填写11位手机号码，或带区号的固定电话如 0394-1234567")


@dataclass
class MemberFacts:
    """A roster row after the rules: the values as stored (the organisation still as written)."""

    name: str
    gender: str
    ethnicity: str
    id_number: str
    birth_date: date
    education: str
    join_date: date
    full_date: date | None
    category: str
    workplace: str
    phone: str
    organization: str = ""
    arrived_on: date | None = None  # 转入本组织日期 (optional column)


def check_member(
    values: dict[str, Any], today: date
) -> tuple[MemberFacts | None, list[tuple[str, Any, str]]]:
    """Every rule of design §5 except the organisation (which needs the database).

    `values` are keyed by canonical column name. Returns (facts, []) or (None, [(column, value, message), …]).
    """
    errors: list[tuple[str, Any, str]] = []

    def run(column: str, fn, *args):
        try:
            return fn(values.get(column), *args)
        except RuleError as exc:
            errors.append((column, values.get(column), str(exc)))
            return None

    name = run(NAME, clean_name)
    ident: IdNumber | None = run(ID_NUMBER, clean_id_number)
    # Without a valid ID number the checks against it are skipped (its own error says what to fix).
    gender = run(GENDER, clean_gender, ident.gender) if ident else None
    if ident is None and text_of(values.get(GENDER)):
        gender = run(GENDER, clean_gender, None)
    ethnicity = run(ETHNICITY, clean_ethnicity)
    birth = run(BIRTH_DATE, clean_birth_date, ident.birth_date if ident else None)
    education = run(EDUCATION, clean_education)
    join = run(JOIN_DATE, clean_join_date, birth, today)
    full = run(FULL_DATE, clean_full_date, join, today)
    category = run(CATEGORY, clean_category)
    arrived = run(ARRIVED_ON, clean_arrived_on, join, today)
    workplace = run(WORKPLACE, clean_workplace)
    phone = run(PHONE, clean_phone)
    if errors:
        return None, errors
    assert ident is not None and birth is not None and join is not None and name is not None
    return (
        MemberFacts(
            name=name,
            gender=gender or ident.gender,
            ethnicity=ethnicity or "",
            id_number=ident.number,
            birth_date=birth,
            education=education or "",
            join_date=join,
            full_date=full,
            category=category or Category.SERVING,
            workplace=workplace or "",
            phone=phone or "",
            organization=text_of(values.get(ORGANIZATION)),
            arrived_on=arrived,
        ),
        [],
    )


# -- 拼音首字母 -----------------------------------------------------------------------------------------
# Surnames whose reading differs from the character's most common one (pypinyin reads 曾 as ceng, 单 as dan).
SURNAME_INITIALS = {
    "曾": "Z", "单": "S", "解": "X", "仇": "Q", "朴": "P", "查": "Z", "区": "O", "盖": "G", "翟": "Z",
    "覃": "Q", "缪": "M", "乐": "Y", "召": "S", "种": "C", "柏": "B", "秘": "B", "尉": "Y", "长": "Z",
    "重": "C", "万俟": "MQ", "尉迟": "YC", "长孙": "ZS", "单于": "CY",
}  # fmt: skip


_SURNAMES_LONGEST_FIRST = sorted(SURNAME_INITIALS, key=len, reverse=True)
_SURNAME_HEADS = frozenset(s[0] for s in SURNAME_INITIALS)


@lru_cache(maxsize=20000)
def _char_initial(ch: str) -> str:
    if ch.isascii():
        return ch.upper() if ch.isalnum() else ""
    from pypinyin import Style, lazy_pinyin

    letter = lazy_pinyin(ch, style=Style.FIRST_LETTER, errors="ignore")
    return letter[0][:1].upper() if letter and letter[0][:1].isalpha() else ""


def initials_of(name: str) -> str:
    """张三 → ZS, 曾国藩 → ZGF, 买买提·艾力 → MMTAL. Characters are read one by one (a name is not a phrase),
    with the surname readings above."""
    name = "".join(name.split())
    head = ""
    if name[:1] in _SURNAME_HEADS:
        for surname in _SURNAMES_LONGEST_FIRST:
            if name.startswith(surname):
                head, name = SURNAME_INITIALS[surname], name[len(surname) :]
                break
    return (head + "".join(_char_initial(ch) for ch in name))[:20]


# -- ages ---------------------------------------------------------------------------------------------------
def birth_range_for_age(lo: int, hi: int, today: date) -> tuple[date, date]:
    """The birth dates (first, last inclusive) of people aged lo..hi on `today`."""
    return add_years(today, -(hi + 1)) + timedelta(days=1), add_years(today, -lo)
