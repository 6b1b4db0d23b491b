"""core.measures: the registry and the share rule (达标 at 100 %, 进行中 until the period ends, then 未达标)."""

from datetime import date

import pytest

from dangjian.core import measures
from dangjian.core.measures import MeasureStatus, MeasureValue, share


def test_share_rule():
    end = date(2026, 6, 30)
    assert share(3, 3, end, date(2026, 6, 1), "x").status is MeasureStatus.MET
    assert share(2, 3, end, date(2026, 6, 30), "x") == MeasureValue(
        MeasureStatus.PENDING, 66, "x：2/3（66%）"
    )
    assert share(2, 3, end, date(2026, 7, 1), "x").status is MeasureStatus.UNMET
    assert share(0, 0, end, date(2026, 7, 1), "x").status is MeasureStatus.NA


@pytest.mark.django_db
def test_register_family_and_value():
    seen = []

    def fn(arg, org, period_end, as_of):
        seen.append((arg, org, period_end, as_of))
        return MeasureValue(MeasureStatus.MET, 100, arg)

    measures.register_family("testfam", "测试", lambda: [("a", "甲")], fn)
    try:
        assert ("testfam:a", "测试：甲") in measures.choices()
        assert measures.exists("testfam:a") and not measures.exists("testfam:b")
        v = measures.value("testfam:a", "ORG", date(2026, 1, 31), date(2026, 2, 1))
        assert v.detail == "a" and seen == [("a", "ORG", date(2026, 1, 31), date(2026, 2, 1))]
        assert (
            measures.value("testfam", "ORG", date(2026, 1, 31), date(2026, 2, 1)).status is MeasureStatus.NA
        )
    finally:
        measures._families.pop("testfam")
