from datetime import date

import pytest

from dangjian.core.dates import DateParseError, parse_date
from dangjian.core.idnumber import IdNumberError, mask_id_number, parse_id_number
from dangjian.core.periods import Period, PeriodKind, add_years, first_whole_period_start


@pytest.mark.parametrize(
    "number,birth,gender",
    [
        ("11010519491231002X", date(1949, 12, 31), "女"),
        ("440524188001010014", date(1880, 1, 1), "男"),
    ],
)
def test_gb11643_standard_examples(number, birth, gender):
    parsed = parse_id_number(number)
    assert (parsed.birth_date, parsed.gender) == (birth, gender)


def test_lower_case_x_is_accepted_and_stored_upper():
    assert parse_id_number("11010519491231002x").number == "11010519491231002X"


@pytest.mark.parametrize(
    "bad", ["11010519491231002Y", "110105194912310021", "1101051949123100", "11010519491331002X"]
)
def test_bad_numbers_rejected(bad):
    with pytest.raises(IdNumberError):
        parse_id_number(bad)


def test_numeric_cell_rejected_with_text_format_hint():
    with pytest.raises(IdNumberError, match="文本"):
        parse_id_number(4.40524188001e17)


def test_mask():
    assert mask_id_number("411402198001010014") == "4114**********0014"


@pytest.mark.parametrize("text", ["2019-07-01", "2019/7/1", "2019.07.01", "2019年7月1日", " 2019-7-1 "])
def test_dates_in_every_accepted_form(text):
    assert parse_date(text) == date(2019, 7, 1)


def test_excel_date_and_serial():
    from datetime import datetime

    assert parse_date(datetime(2019, 7, 1, 0, 0)) == date(2019, 7, 1)
    assert parse_date(43647) == date(2019, 7, 1)
    assert parse_date(None) is None and parse_date("  ") is None


@pytest.mark.parametrize("text", ["2019-13-01", "七月一日", "2019-02-30"])
def test_bad_dates(text):
    with pytest.raises(DateParseError):
        parse_date(text)


def test_period_roundtrip_and_bounds():
    for text in ["2025", "2025H1", "2025Q3", "2025-07"]:
        assert str(Period.parse(text)) == text
    q3 = Period.parse("2025Q3")
    assert (q3.start, q3.end) == (date(2025, 7, 1), date(2025, 9, 30))
    assert [str(p) for p in Period.whole_year(2025).subperiods(PeriodKind.QUARTER)] == [
        "2025Q1",
        "2025Q2",
        "2025Q3",
        "2025Q4",
    ]
    assert len(Period.whole_year(2025).subperiods("month")) == 12
    assert str(Period.parse("2025Q4").next()) == "2026Q1"
    assert Period.parse("2025Q3").label == "2025年第三季度"


def test_first_whole_period_after_founding():
    # design §4: founded 2025-07-15 → July and Q3 are not applicable; August and Q4 count.
    assert first_whole_period_start(date(2025, 7, 15), "month") == date(2025, 8, 1)
    assert first_whole_period_start(date(2025, 7, 15), "quarter") == date(2025, 10, 1)
    assert first_whole_period_start(date(2025, 7, 1), "quarter") == date(2025, 7, 1)


def test_add_years_leap_day():
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)


def test_as_of_convention():
    from dangjian.core.asof import as_of_for, existed_on, period_as_of, year_as_of

    assert year_as_of(2025) == date(2025, 12, 31)
    assert period_as_of(Period.parse("2025Q1")) == date(2025, 3, 31)
    assert period_as_of(Period.parse("2024-02")) == date(2024, 2, 29)
    assert as_of_for(Period.whole_year(2025), today=date(2026, 1, 5)) == date(2025, 12, 31)
    assert as_of_for(Period.whole_year(2026), today=date(2026, 7, 1)) == date(2026, 7, 1)  # still running
    assert as_of_for(Period.whole_year(2026), on=date(2026, 3, 1), today=date(2026, 7, 1)) == date(2026, 3, 1)
    assert existed_on(date(2025, 6, 30), date(2025, 6, 30), None)  # began that day
    assert not existed_on(date(2025, 6, 30), None, date(2025, 6, 30))  # ended that day
    assert existed_on(date(2025, 6, 29), None, date(2025, 6, 30))
    with pytest.raises(ValueError):
        as_of_for()


def test_core_asof_imports_no_domain_app():
    import ast
    from pathlib import Path

    import dangjian.core.asof as mod

    tree = ast.parse(Path(mod.__file__).read_text(encoding="utf-8"))
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    assert all(not m.startswith("dangjian.") or m.startswith("dangjian.core") for m in imported)
