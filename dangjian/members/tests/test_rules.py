"""Every rule of a roster row (design §5), without the database."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dangjian.core.idnumber import make_id_number
from dangjian.core.importing import match_header
from dangjian.members import rules
from dangjian.members.roster import COLUMNS
from dangjian.members.rules import RuleError

TODAY = date(2026, 11, 27)
STD_F = "11010519491231002X"  # GB 11643 example: born 1949-12-31, female
STD_M = "440524188001010014"  # GB 11643 example: born 1880-01-01, male


def row(**kw):
    base = {
        rules.NAME: "李红",
        rules.GENDER: "女",
        rules.ETHNICITY: "汉族",
        rules.ID_NUMBER: STD_F,
        rules.BIRTH_DATE: None,
        rules.EDUCATION: "大学本科",
        rules.JOIN_DATE: date(1975, 7, 1),
        rules.FULL_DATE: date(1976, 7, 1),
        rules.CATEGORY: "离退休",
        rules.ORGANIZATION: "A",
        rules.WORKPLACE: None,
        rules.PHONE: None,
    }
    base.update(kw)
    return base


def errors_of(values):
    facts, errors = rules.check_member(values, TODAY)
    return facts, {column: message for column, _value, message in errors}


# -- 姓名 ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value,expected", [("  张三 ", "张三"), ("张  三", "张三"), ("买买提·艾力", "买买提·艾力"),
                                            ("John  Smith", "John Smith"), ("欧阳" * 10, "欧阳" * 10)])  # fmt: skip
def test_name_trimmed(value, expected):
    assert rules.clean_name(value) == expected


@pytest.mark.parametrize("value", [None, "", "  ", "张", "张" * 21])
def test_name_length(value):
    with pytest.raises(RuleError, match="姓名"):
        rules.clean_name(value)


# -- 公民身份号码 ---------------------------------------------------------------------------------------------
def test_standard_examples_parse():
    assert rules.clean_id_number(STD_F).birth_date == date(1949, 12, 31)
    assert rules.clean_id_number(STD_F).gender == "女"
    assert rules.clean_id_number(STD_M).birth_date == date(1880, 1, 1)
    assert rules.clean_id_number(STD_M).gender == "男"


def test_lower_case_x_stored_upper():
    facts, errors = errors_of(row(**{rules.ID_NUMBER: STD_F.lower()}))
    assert not errors and facts.id_number == STD_F


@pytest.mark.parametrize("value", [110105194912310020, 1.10105194912310e17, 440524188001010014.0])
def test_numeric_id_cell_rejected_saying_format_as_text(value):
    _, errors = errors_of(row(**{rules.ID_NUMBER: value}))
    assert "文本" in errors[rules.ID_NUMBER]


@pytest.mark.parametrize(
    "value,fragment",
    [("11010519491231002Y", "前17位"), ("110105194912310021", "校验位"), ("1101051949123100", "18位"),
     ("11010519491331002X", "出生日期"), (None, "不能为空")],
)  # fmt: skip
def test_bad_id_numbers(value, fragment):
    _, errors = errors_of(row(**{rules.ID_NUMBER: value}))
    assert fragment in errors[rules.ID_NUMBER]


# -- 性别 ---------------------------------------------------------------------------------------------------
def test_gender_must_agree_with_17th_digit():
    _, errors = errors_of(row(**{rules.GENDER: "男"}))
    assert "第17位" in errors[rules.GENDER]
    facts, errors = errors_of(row(**{rules.ID_NUMBER: STD_M, rules.GENDER: "男", rules.JOIN_DATE: date(1921, 7, 1),
                                     rules.FULL_DATE: date(1922, 7, 1)}))  # fmt: skip
    assert not errors and facts.gender == "男"


def test_gender_empty_taken_from_id_and_unknown_rejected():
    facts, errors = errors_of(row(**{rules.GENDER: None}))
    assert not errors and facts.gender == "女"
    _, errors = errors_of(row(**{rules.GENDER: "未知"}))
    assert "男" in errors[rules.GENDER]


# -- 民族 ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value,expected", [("汉", "汉族"), ("汉族", "汉族"), ("回", "回族"), ("维吾尔", "维吾尔族"),
                                            (" 蒙古 ", "蒙古族"), ("其他", "其他"), (None, "")])  # fmt: skip
def test_ethnicity_normalised(value, expected):
    assert rules.clean_ethnicity(value) == expected


def test_unknown_ethnicity_rejected():
    with pytest.raises(RuleError, match="GB/T 3304"):
        rules.clean_ethnicity("火星族")


# -- 出生日期 ------------------------------------------------------------------------------------------------
def test_birth_date_optional_and_must_agree():
    facts, errors = errors_of(row())
    assert not errors and facts.birth_date == date(1949, 12, 31)
    facts, errors = errors_of(row(**{rules.BIRTH_DATE: "1949年12月31日"}))
    assert not errors
    _, errors = errors_of(row(**{rules.BIRTH_DATE: "1949-12-30"}))
    assert "不符" in errors[rules.BIRTH_DATE]


# -- dates in every accepted form ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [date(2019, 7, 1), datetime(2019, 7, 1, 0, 0), "2019-07-01", "2019/7/1", "2019.07.01", "2019年7月1日",
     "2019-7-1", " 2019年07月01日 ", 43647, 43647.0],
)  # fmt: skip
def test_join_date_every_form(value):
    assert rules.clean_join_date(value, date(1980, 1, 1), TODAY) == date(2019, 7, 1)


@pytest.mark.parametrize("value", ["2019-13-01", "七月一日", "2019/02/30", "01/07/2019"])
def test_bad_dates_say_the_accepted_forms(value):
    with pytest.raises(RuleError, match="入党日期"):
        rules.clean_join_date(value, date(1980, 1, 1), TODAY)


# -- 学历 ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value,expected",
    [("本科", "大学本科"), ("大专", "大学专科"), ("硕士", "研究生"), ("博士", "研究生"), ("硕士研究生", "研究生"),
     ("大学本科", "大学本科"), ("中专", "中专"), ("高中", "高中"), ("初中", "初中及以下"), ("小学", "初中及以下"),
     ("本科毕业", "大学本科"), (None, "")],
)  # fmt: skip
def test_education_variants(value, expected):
    assert rules.clean_education(value) == expected


def test_unknown_education_rejected():
    with pytest.raises(RuleError, match="学历"):
        rules.clean_education("幼儿园")


# -- 入党日期 -------------------------------------------------------------------------------------------------
def test_join_date_required_not_future_and_adult():
    _, errors = errors_of(row(**{rules.JOIN_DATE: None, rules.FULL_DATE: None}))
    assert "不能为空" in errors[rules.JOIN_DATE]
    _, errors = errors_of(row(**{rules.JOIN_DATE: date(2026, 11, 28), rules.FULL_DATE: None}))
    assert "晚于今天" in errors[rules.JOIN_DATE]
    # born 1949-12-31: the 18th birthday is 1967-12-31
    _, errors = errors_of(row(**{rules.JOIN_DATE: date(1967, 12, 30), rules.FULL_DATE: None}))
    assert "未满18周岁" in errors[rules.JOIN_DATE]
    facts, errors = errors_of(row(**{rules.JOIN_DATE: date(1967, 12, 31), rules.FULL_DATE: None}))
    assert not errors and facts.join_date == date(1967, 12, 31)


# -- 转正日期 -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("full", [date(1976, 7, 1), date(1977, 1, 1), date(1977, 7, 1)])
def test_full_date_between_one_and_two_years(full):
    facts, errors = errors_of(row(**{rules.FULL_DATE: full}))
    assert not errors and facts.full_date == full


@pytest.mark.parametrize("full", [date(1976, 6, 30), date(1977, 7, 2), date(1975, 7, 1)])
def test_full_date_outside_window_rejected(full):
    _, errors = errors_of(row(**{rules.FULL_DATE: full}))
    assert "满1年至满2年" in errors[rules.FULL_DATE]


def test_full_date_empty_is_probationary_and_future_rejected():
    facts, errors = errors_of(row(**{rules.FULL_DATE: None}))
    assert not errors and facts.full_date is None
    _, errors = errors_of(row(**{rules.JOIN_DATE: date(2026, 1, 5), rules.FULL_DATE: date(2027, 1, 5)}))
    assert "晚于今天" in errors[rules.FULL_DATE]


# -- 人员类别 -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value,expected", [("在职", "在职"), ("离休", "离退休"), ("退休", "离退休"),
                                            ("离退休", "离退休"), ("下岗失业", "下岗失业"), (None, "在职"),
                                            ("学生", "学生"), ("农民", "农牧渔民"), ("渔民", "农牧渔民"),
                                            ("农牧渔民", "农牧渔民"), ("其他", "其他")])  # fmt: skip
def test_category(value, expected):
    assert rules.clean_category(value) == expected


@pytest.mark.parametrize("value", ["个体", "军人", "自由职业"])
def test_other_categories_rejected(value):
    with pytest.raises(RuleError, match="人员类别"):
        rules.clean_category(value)


# -- 工作单位及职务, 联系电话 ------------------------------------------------------------------------------------
def test_workplace_optional_and_bounded():
    assert rules.clean_workplace(None) == ""
    with pytest.raises(RuleError, match="100"):
        rules.clean_workplace("字" * 101)


@pytest.mark.parametrize(
    "value,expected",
    [("13812345678", "13812345678"), (13812345678, "13812345678"), (13812345678.0, "13812345678"),
     ("138 1234 5678", "13812345678"), ("+86 13812345678", "13812345678"), ("0394-1234567", "0394-1234567"),
     ("010-12345678", "010-12345678"), ("(0394)1234567", "0394-1234567"), ("0394-1234567-801", "0394-1234567-801"),
     (None, "")],
)  # fmt: skip
def test_phone_accepted(value, expected):
    assert rules.clean_phone(value) == expected


@pytest.mark.parametrize("value", ["1381234567", "23812345678", "1234567", "03941234567", "电话"])
def test_phone_rejected(value):
    with pytest.raises(RuleError, match="0394-1234567"):
        rules.clean_phone(value)


# -- all errors of a row at once ------------------------------------------------------------------------------
def test_a_row_reports_every_error():
    _, errors = errors_of(row(**{rules.NAME: "李", rules.ETHNICITY: "火星", rules.CATEGORY: "个体",
                                 rules.PHONE: "123"}))  # fmt: skip
    assert set(errors) == {rules.NAME, rules.ETHNICITY, rules.CATEGORY, rules.PHONE}


def test_without_a_valid_id_the_checks_against_it_are_skipped():
    _, errors = errors_of(row(**{rules.ID_NUMBER: "123", rules.GENDER: None}))
    assert set(errors) == {rules.ID_NUMBER}


# -- header synonyms (design §5) ---------------------------------------------------------------------------------
def test_header_synonyms():
    header = ["姓名", "身份证号", "文化程度", "加入党组织日期", "转为正式党员日期", "党员类别", "所在党组织", "工作岗位",
              "手机号码", " 性 别 ", "备注"]  # fmt: skip
    index, warnings, missing = match_header(header, COLUMNS)
    assert index[rules.ID_NUMBER] == 1 and index[rules.EDUCATION] == 2 and index[rules.JOIN_DATE] == 3
    assert index[rules.FULL_DATE] == 4 and index[rules.CATEGORY] == 5 and index[rules.ORGANIZATION] == 6
    assert index[rules.WORKPLACE] == 7 and index[rules.PHONE] == 8 and index[rules.GENDER] == 9
    assert missing == [] and len(warnings) == 1 and "备注" in warnings[0]
    for synonyms in (["身份证号码", "入党时间", "转正时间"],):
        index, _, _ = match_header(["姓名", *synonyms, "所在党支部"], COLUMNS)
        assert {rules.ID_NUMBER, rules.JOIN_DATE, rules.FULL_DATE} <= set(index)


def test_missing_required_columns_are_named():
    _, _, missing = match_header(["姓名", "性别"], COLUMNS)
    assert missing == [rules.ID_NUMBER, rules.JOIN_DATE, rules.ORGANIZATION]


# -- 拼音首字母, age bands ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,expected", [("张三", "ZS"), ("曾国藩", "ZGF"), ("单雄信", "SXX"), ("欧阳修", "OYX"),
                                           ("买买提·艾力", "MMTAL"), ("李Lily", "LLILY")])  # fmt: skip
def test_initials(name, expected):
    assert rules.initials_of(name) == expected


def test_birth_range_for_age_band():
    first, last = rules.birth_range_for_age(31, 40, TODAY)
    assert (first, last) == (date(1985, 11, 28), date(1995, 11, 27))


def test_generated_numbers_are_valid():
    number = make_id_number("411402", date(1990, 2, 28), 13)
    assert rules.clean_id_number(number).gender == "男"


def _parsed(value):
    from dangjian.core.idnumber import IdNumberError, parse_id_number

    try:
        return parse_id_number(value)
    except IdNumberError as exc:
        return str(exc)


def _cleaned(value):
    try:
        return rules.clean_id_number(value)
    except RuleError as exc:
        return str(exc)


@pytest.mark.parametrize(
    "value",
    [
        STD_F,
        STD_M,
        STD_F.lower(),  # lowercase x: the full path
        f" {STD_F} ",
        STD_F + "\n",
        STD_F[:17] + "3",  # wrong check digit
        "110105194902300021",  # 1949-02-30: no such day
        "11010519491231002",  # 17 digits
        "1101051949123100２X",  # a full-width digit
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits
        110105194912310020,
        None,
        "",
    ],
)
def test_clean_id_number_is_parse_id_number(value):
    """The quick path for well-formed numbers gives what `parse_id_number` gives, errors included."""
    assert _cleaned(value) == _parsed(value)


def test_clean_id_number_quick_path_on_many_numbers():
    import random

    rng = random.Random(11)
    for _ in range(3000):
        birth = date(1900, 1, 1) + (date(2008, 1, 1) - date(1900, 1, 1)) * rng.random()
        number = make_id_number("411402", birth, rng.randrange(1000))
        if rng.random() < 0.5:  # and as many with a wrong last character
            number = number[:17] + rng.choice("0123456789X")
        assert _cleaned(number) == _parsed(number)
