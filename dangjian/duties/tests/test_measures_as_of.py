"""A bound item's past period is read as of its end (design §3, the as-of convention; core.measures.reading_day):
the period's last day once it has ended, today while it runs. A 整改 due in October and 销号 (approved by the
verifier) on 10 November leaves October 逾期未完成 — as it stood when October closed — and completes November;
seen in December, October has not been rewritten. Likewise a 工作要点 item whose deadline has passed, and the
study measure of a month, which does not count hours recorded in later months."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dangjian.core import measures
from dangjian.core.measures import MeasureStatus
from dangjian.duties import services
from dangjian.duties.cadence import OccurrenceState
from dangjian.study.models import StudyRecord
from dangjian.supervision.services import rectifications
from dangjian.supervision.tests import factories as sf

from . import factories as f

pytestmark = pytest.mark.django_db
KEY = "supervision_rectified"


def _states(duty, today: date) -> dict[str, OccurrenceState]:
    return {o.key: s for o, _r, s in services.progress_for([duty], today)[0].rows}


def _closed_in_november(cast, travel):
    """A 整改 of branch A raised on 5 October, due on 20 October, submitted on the 18th, 销号 on 10 November."""
    travel(2026, 10, 5)
    rect = sf.rectification(cast["a"], deadline=date(2026, 10, 20))
    travel(2026, 10, 18)
    rectifications.act(rect, "evidence", actor=cast["admin_a"], text="已补开支部党员大会")
    rect.refresh_from_db()
    rectifications.act(rect, "submit", actor=cast["admin_a"])
    travel(2026, 11, 10)
    rect.refresh_from_db()
    rectifications.act(rect, "close", actor=cast["inspector"], text="整改到位，予以销号")
    rect.refresh_from_db()
    assert rect.status == "closed"
    return rect


def test_a_later_closure_does_not_rewrite_a_closed_month(cast, travel):
    travel(2026, 1, 5)
    dl = f.duty_list(cast["a"], year=2026)
    bound = f.duty(dl, content="每月督促整改按期销号", measure_key=KEY)
    _closed_in_november(cast, travel)

    # how October stood when it closed, and the day after
    travel(2026, 10, 31)
    assert (
        _states(bound, date(2026, 10, 31))["2026-10"] is OccurrenceState.OPEN
    )  # its last day: still running
    travel(2026, 11, 1)
    assert _states(bound, date(2026, 11, 1))["2026-10"] is OccurrenceState.OVERDUE

    # seen in December, after the 销号 of 10 November: October is unchanged, November is done
    travel(2026, 12, 3)
    states = _states(bound, date(2026, 12, 3))
    assert states["2026-10"] is OccurrenceState.OVERDUE, "10 月已结束，11 月的销号不应改写 10 月的完成情况"
    assert states["2026-11"] is OccurrenceState.DONE
    assert states["2026-09"] is OccurrenceState.NA  # nothing was due yet
    value = measures.value(KEY, cast["a"], date(2026, 10, 31), date(2026, 12, 3))
    assert value.status is MeasureStatus.UNMET and "0/1" in value.detail


def test_a_plan_item_past_its_deadline_keeps_what_it_had(cast, travel):
    travel(2026, 1, 5)
    p = f.plan(2026, actor=cast["bureau"])
    item = f.plan_item(
        p,
        cast["a"],
        actor=cast["bureau"],
        content="十月底前完成抽查发现问题整改",
        deadline=date(2026, 10, 31),
        measure_key=KEY,
    )
    _closed_in_november(cast, travel)
    travel(2026, 12, 3)
    value = services.measured_progress(item)
    assert value is not None and value.status is MeasureStatus.UNMET and value.progress == 0, value


def test_study_measure_of_a_month_counts_the_hours_recorded_by_its_end(cast, travel):
    travel(2026, 12, 3)
    for m in cast["members_a"]:
        for day in (date(2026, 3, 10), date(2026, 6, 10), date(2026, 6, 11)):
            StudyRecord.objects.create(
                member=m, date=day, hours=Decimal("12"), content="学习党章", form="个人自学"
            )
    march = measures.value("study_hours", cast["a"], date(2026, 3, 31), date(2026, 12, 3))
    year = measures.value("study_hours", cast["a"], date(2026, 12, 31), date(2026, 12, 3))
    assert "0/3" in march.detail and march.status is MeasureStatus.PENDING, march
    assert "3/3" in year.detail and year.status is MeasureStatus.MET, year
