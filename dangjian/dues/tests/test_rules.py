"""The 党费 rules, pure (no database): one test per band and per special case, with the boundaries
(党费规定 第二、五、六、十一、十二条; 党章 第九条; rules.md §4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dangjian.dues import rules
from dangjian.dues.rules import PaymentKind, Relief, StartRule, monthly_due, round_fen

D = Decimal


def due(category: str, income: str | None = None, **kw) -> Decimal | None:
    return monthly_due(category, D(income) if income is not None else None, **kw).amount


# --- rounding ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw,fen",
    [("0.005", "0.01"), ("0.004", "0.00"), ("12.345", "12.35"), ("12.3449", "12.34"), ("7", "7.00")],
)
def test_rounding_is_half_up_to_the_fen(raw, fen):
    assert round_fen(D(raw)) == D(fen)


# --- 在职 (第二条): ≤3000 0.5%, 3000<x≤5000 1%, 5000<x≤10000 1.5%, >10000 2%, on the whole income -------------------
@pytest.mark.parametrize(
    "income,expected",
    [
        ("0", "0.00"),
        ("2500", "12.50"),
        ("3000", "15.00"),  # 3000元以下（含3000元）: still 0.5 %
        ("3000.01", "30.00"),  # just above: 1 % of the whole income, not marginal
        ("3001", "30.01"),
    ],
)
def test_serving_first_band_up_to_3000_inclusive(income, expected):
    assert due("在职", income) == D(expected)


@pytest.mark.parametrize("income,expected", [("4000", "40.00"), ("5000", "50.00"), ("5000.01", "75.00")])
def test_serving_second_band_3000_to_5000_inclusive(income, expected):
    assert due("在职", income) == D(expected)


@pytest.mark.parametrize("income,expected", [("6000", "90.00"), ("10000", "150.00"), ("7333.33", "110.00")])
def test_serving_third_band_5000_to_10000_inclusive(income, expected):
    assert due("在职", income) == D(expected)  # 7333.33 × 1.5 % = 109.99995 → 110.00 (half up)


@pytest.mark.parametrize(
    "income,expected", [("10000.01", "200.00"), ("12000", "240.00"), ("30000", "600.00")]
)
def test_serving_fourth_band_above_10000(income, expected):
    assert due("在职", income) == D(expected)


def test_serving_rounding_of_a_band_rate():
    assert due("在职", "3456.78") == D("34.57")  # 1 % = 34.5678
    assert due("在职", "2345.67") == D("11.73")  # 0.5 % = 11.72835
    assert due("在职", "1001") == D("5.01")  # 0.5 % = 5.005 → 5.01


def test_serving_band_labels_and_citation():
    d = monthly_due("在职", D("4500"))
    assert d.citation == rules.SERVING_CITATION and "第二条" in d.citation.source and d.citation.status == "V"
    assert "1%" in d.basis and "4,500.00" in d.basis
    assert [b.percent for b in rules.SERVING_BANDS] == ["0.5%", "1%", "1.5%", "2%"]


# --- 离退休 (第五条): ≤5000 0.5%, >5000 1% -----------------------------------------------------------------------
@pytest.mark.parametrize("pension,expected", [("2800", "14.00"), ("5000", "25.00"), ("4999.99", "25.00")])
def test_retired_first_band_up_to_5000_inclusive(pension, expected):
    assert due("离退休", pension) == D(expected)


@pytest.mark.parametrize("pension,expected", [("5000.01", "50.00"), ("6200", "62.00"), ("12000", "120.00")])
def test_retired_second_band_above_5000(pension, expected):
    assert due("离退休", pension) == D(expected)


def test_retired_citation():
    assert monthly_due("离退休", D("3000")).citation == rules.RETIRED_CITATION


# --- 第六条: fixed amounts ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("category", ["学生", "下岗失业", "其他"])
def test_students_laid_off_and_relief_dependants_pay_20_fen_whatever_the_income(category):
    assert due(category) == D("0.20")
    assert due(category, "8000") == D("0.20")  # the band follows the 人员类别, not an income
    assert monthly_due(category, None).citation == rules.LOW_FIXED_CITATION


def test_other_means_living_on_relief():
    assert "其他" in rules.LOW_FIXED_CATEGORIES
    assert "依靠抚恤或救济生活" in open(rules.__file__, encoding="utf-8").read()


@pytest.mark.parametrize("setting,expected", [("0.20", "0.20"), ("0.50", "0.50"), ("1.00", "1.00"), ("3", "1.00"),
                                              ("0.1", "0.20")])  # fmt: skip
def test_farmers_pay_the_provincial_amount_within_20_fen_and_1_yuan(setting, expected):
    assert due("农牧渔民", farmer_amount=D(setting)) == D(expected)
    assert due("农牧渔民") == D("0.20")  # the default before the bureau enters its province's amount


def test_a_base_category_without_a_base_has_no_due():
    d = monthly_due("在职", None)
    assert d.amount is None and d.missing_base and "尚未核定" in d.basis
    assert monthly_due("离退休", None).amount is None


def test_unknown_category_has_no_due():
    assert monthly_due("军人", D("5000")).amount is None


# --- 减免 (最低生活保障 etc.: 上一级党委批准) ---------------------------------------------------------------------------
def test_relief_exempts_entirely():
    d = monthly_due("下岗失业", None, Relief())
    assert d.amount == D("0.00") and d.relief and d.normal == D("0.20") and "免交" in d.basis


def test_relief_reduces_to_the_approved_amount():
    d = monthly_due("在职", D("4000"), Relief(D("10")))
    assert d.amount == D("10.00") and d.normal == D("40.00") and "少交" in d.basis


def test_relief_never_raises_the_due():
    assert monthly_due("在职", D("2000"), Relief(D("50"))).amount == D("10.00")


def test_relief_of_zero_is_exemption():
    assert monthly_due("离退休", D("3000"), Relief(D("0"))).amount == D("0.00")


# --- the start month (预备党员) --------------------------------------------------------------------------------------
def test_start_from_the_branch_meeting_month_by_default():
    assert rules.first_due_month(date(2026, 3, 15), StartRule.MEETING, date(2026, 5, 1)) == date(2026, 3, 1)


def test_start_from_the_approval_month_when_the_bureau_chooses_it():
    assert rules.first_due_month(date(2026, 3, 15), StartRule.APPROVAL, date(2026, 5, 1)) == date(2026, 5, 1)


def test_approval_rule_without_a_later_base_falls_back_to_the_meeting_month():
    assert rules.first_due_month(date(2026, 3, 15), StartRule.APPROVAL, None) == date(2026, 3, 1)
    assert rules.first_due_month(date(2026, 3, 15), StartRule.APPROVAL, date(2026, 1, 1)) == date(2026, 3, 1)
    # a base two years later is no approval month
    assert rules.first_due_month(date(2024, 3, 15), StartRule.APPROVAL, date(2026, 1, 1)) == date(2024, 3, 1)


# --- payments (第十一、十二条) ---------------------------------------------------------------------------------------
def test_payment_kinds():
    m = date(2026, 3, 1)
    assert rules.payment_kind(m, date(2026, 3, 20)) == PaymentKind.MONTHLY
    assert rules.payment_kind(m, date(2026, 1, 5)) == PaymentKind.ADVANCE
    assert rules.payment_kind(m, date(2026, 5, 5)) == PaymentKind.ARREARS
    assert rules.payment_kind(m, date(2026, 3, 20), voluntary=True) == PaymentKind.VOLUNTARY


def test_advance_is_counted_in_months_ahead():
    assert rules.advance_months(date(2026, 3, 1), date(2026, 1, 31)) == 2
    assert rules.advance_months(date(2026, 3, 1), date(2026, 4, 1)) == 0
    assert rules.ADVANCE_MAX_MONTHS == 3  # 按季度交纳


def test_late_payment_beyond_six_months_is_flagged_not_refused():
    assert not rules.late_beyond_usual(date(2026, 1, 1), date(2026, 7, 31))  # 6 months
    assert rules.late_beyond_usual(date(2026, 1, 1), date(2026, 8, 1))


def test_voluntary_1000_and_more_goes_to_the_centre():
    assert rules.goes_to_centre(D("1000"), True) and not rules.goes_to_centre(D("999.99"), True)
    assert not rules.goes_to_centre(D("5000"), False)


def test_a_month_is_settled_when_paid_covers_the_due():
    assert rules.month_settled(D("15.00"), D("15.00")) and not rules.month_settled(D("15.00"), D("14.99"))
    assert rules.month_settled(D("0.00"), D("0"))  # 免交
    assert not rules.month_settled(None, D("0")) and rules.month_settled(None, D("5"))
    assert rules.shortfall(D("15.00"), D("10")) == D("5.00") and rules.shortfall(D("1"), D("3")) == D("0.00")


# --- arrears (党章 第九条) -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "states,expected",
    [
        ([True, False, False, False], 3),
        ([False, True, False], 1),
        ([False, False, None, False, False], 2),  # a month not owed ends the run
        ([True, True], 0),
        ([], 0),
    ],
)
def test_trailing_unpaid_months(states, expected):
    assert rules.trailing_unpaid(states) == expected


def test_thresholds_and_their_sources():
    assert (rules.REMIND_MONTHS, rules.FLAG_MONTHS) == (3, 6)
    assert rules.FLAG_CITATION.source == "党章 第九条" and rules.FLAG_CITATION.status == "V"


def test_month_arithmetic():
    assert rules.add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert rules.add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert rules.months_between(date(2025, 11, 30), date(2026, 2, 1)) == 3


def test_rules_module_is_pure():
    source = open(rules.__file__, encoding="utf-8").read()
    assert "django" not in source and "import dangjian" not in source
