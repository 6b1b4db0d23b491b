"""One source per duty (issue 18, item 4): a 责任清单 or 工作要点 item bound to a measure (core.measures) takes its
status from the data — the same data the 达标 grid shows — and refuses a typed report."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from dangjian.activities.models import ActivityStatus
from dangjian.compliance import engine
from dangjian.compliance import services as compliance
from dangjian.compliance.tests import factories as cf
from dangjian.core import measures
from dangjian.core.actions import Refusal
from dangjian.core.periods import Period
from dangjian.duties import services
from dangjian.duties.cadence import OccurrenceState
from dangjian.duties.forms import DutyForm, WorkPlanItemForm
from dangjian.duties.models import DutyReport, WorkPlanProgress
from dangjian.factories import member

from . import factories as f

pytestmark = pytest.mark.django_db

KEY = "compliance:branch_committee"
GRID_TO_DUTY = {
    engine.Status.MET: OccurrenceState.DONE,
    engine.Status.EXEMPT: OccurrenceState.DONE,
    engine.Status.UNMET: OccurrenceState.OVERDUE,
    engine.Status.PENDING: OccurrenceState.OPEN,
    engine.Status.AWAITING: OccurrenceState.OPEN,
    engine.Status.NA: OccurrenceState.NA,
}


def _year_of_meetings(cast, year: int) -> None:
    """Branch A with eight full members (so it owes a 支部委员会会议 each month): meetings in some months, none
    in others, one awaiting review."""
    for i in range(5):
        member(cast["a"], f"甲支部新增党员{i}")
    for month in (1, 2, 4, 5, 8, 9, 11, 12):
        cf.activity(cast["a"], date(year, month, 12), "branch_committee")
    cf.activity(cast["a"], date(year, 6, 20), "branch_committee", status=ActivityStatus.SUBMITTED)


def test_registry_lists_every_apps_measure():
    keys = dict(measures.choices())
    for key in (KEY, "orgs_term", "study_hours", "duties_notice_ack", "supervision_rectified"):
        assert key in keys, key
    assert "自动取数" not in keys[KEY] and "支部委员会会议" in keys[KEY]
    assert (
        measures.value("nope", None, date(2026, 1, 31), date(2026, 2, 1)).status is measures.MeasureStatus.NA
    )


@pytest.mark.parametrize("today", [date(2025, 12, 31), date(2026, 3, 5)])
def test_bound_item_agrees_with_the_compliance_grid_every_month(cast, travel, today):
    year = 2025
    travel(today.year, today.month, today.day)
    _year_of_meetings(cast, year)
    dl = f.duty_list(cast["a"], year=year)
    bound = f.duty(dl, content="每月召开支部委员会会议", measure_key=KEY)
    # the grid, as /compliance/ computes it for the whole tree
    grid = {
        r.period: r.status
        for r in compliance.evaluate(Period.whole_year(year), None, today)
        if r.org_id == cast["a"].pk and r.requirement_key == "branch_committee"
    }
    progress = services.progress_for([bound], today)[0]
    assert len(progress.rows) == 12
    seen = set()
    for occ, report, state in progress.rows:
        period = Period.parse(occ.key)
        assert report is None
        assert state is GRID_TO_DUTY[grid[period]], (occ.key, grid[period], state)
        seen.add(grid[period])
    # the year has met, unmet and awaiting months, so the comparison is not trivial
    assert {engine.Status.MET, engine.Status.UNMET} <= seen
    states = {occ.key: state for occ, _r, state in progress.rows}
    assert states[f"{year}-12"] is OccurrenceState.DONE  # December's approved meeting completes December
    assert states[f"{year}-03"] is OccurrenceState.OVERDUE
    assert states[f"{year}-06"] is OccurrenceState.OPEN  # held, awaiting review
    assert progress.tally.done == 8 and progress.tally.overdue == 3


def test_approving_a_record_moves_the_bound_item(cast, travel):
    travel(2026, 3, 5)
    _year_of_meetings(cast, 2025)
    dl = f.duty_list(cast["a"], year=2025)
    bound = f.duty(dl, measure_key=KEY)
    states = {o.key: s for o, _r, s in services.progress_for([bound], date(2026, 3, 5))[0].rows}
    assert states["2025-03"] is OccurrenceState.OVERDUE
    cf.activity(cast["a"], date(2025, 3, 28), "branch_committee")
    states = {o.key: s for o, _r, s in services.progress_for([bound], date(2026, 3, 5))[0].rows}
    assert states["2025-03"] is OccurrenceState.DONE


def test_a_bound_item_refuses_a_manual_report_and_a_free_item_keeps_it(cast, travel):
    travel(2026, 3, 5)
    dl = f.duty_list(cast["a"])
    bound = f.duty(dl, measure_key=KEY)
    free = f.duty(dl, content="每月开展谈心谈话")
    with pytest.raises(Refusal) as exc:
        services.report_duty(bound, "2026-02", "已召开", cast["admin_a"])
    assert exc.value.code == "measure_bound" and "自动取数" in exc.value.message
    assert not DutyReport.objects.filter(duty=bound).exists()
    services.report_duty(free, "2026-02", "已开展", cast["admin_a"])
    assert DutyReport.objects.filter(duty=free).count() == 1


def test_a_bound_plan_item_refuses_typed_progress_and_reads_the_data(cast, travel):
    travel(2026, 3, 5)
    p = f.plan(2026, actor=cast["bureau"])
    item = f.plan_item(p, cast["root"], actor=cast["bureau"], content="督促按期换届", measure_key="orgs_term")
    with pytest.raises(Refusal) as exc:
        services.add_progress(item, cast["bureau"], text="进展顺利", percent=87)
    assert exc.value.code == "measure_bound"
    assert not WorkPlanProgress.objects.filter(item=item).exists()
    value = services.measured_progress(item)
    assert value is not None and value.detail.startswith("按期换届的党组织")
    free = f.plan_item(p, cast["root"], actor=cast["bureau"])
    services.add_progress(free, cast["bureau"], text="进展顺利", percent=50)
    assert services.measured_progress(free) is None


def test_unknown_measure_is_refused(cast):
    dl = f.duty_list(cast["a"])
    with pytest.raises(Refusal) as exc:
        f.duty(dl, measure_key="compliance:no_such_requirement")
    assert exc.value.field == "measure_key"


def test_forms_offer_the_registry(cast):
    for form in (DutyForm(actor=cast["bureau"]), WorkPlanItemForm()):
        choices = dict(form.fields["measure_key"].choices)
        assert choices[""].startswith("不绑定")
        assert KEY in choices and "orgs_term" in choices


def test_pages_show_the_source_and_offer_no_report(cast, login, travel):
    travel(2026, 3, 5)
    dl = f.duty_list(cast["a"])
    bound = f.duty(dl, measure_key=KEY)
    c = login(cast["admin_a"])
    page = c.get(f"/duties/items/{bound.pk}/").content.decode()
    assert "自动取数" in page and "支部委员会会议" in page
    assert f"/duties/items/{bound.pk}/report/" not in page
    r = c.get(f"/duties/items/{bound.pk}/report/")
    assert r.status_code == 302


def test_duties_imports_no_supervision_or_compliance():
    root = Path(__file__).resolve().parents[1]
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for n in names:
                assert not n.startswith(("dangjian.supervision", "dangjian.compliance")), (path, n)


def test_demo_binds_the_committee_meeting_and_agrees_with_the_grid(cast, travel):
    import random

    from dangjian.demo import duties as demo
    from dangjian.demo.context import DemoContext
    from dangjian.duties.models import Duty, WorkPlanItem

    today = date(2026, 7, 15)
    travel(2026, 7, 15)
    _year_of_meetings(cast, 2026)
    demo.seed(DemoContext(rng=random.Random(7), today=today, log=lambda *a: None))
    bound = list(services.live_duties(Duty.objects.filter(measure_key=KEY)))
    assert bound and all(d.content.startswith("每月召开支部委员会会议") for d in bound)
    assert not DutyReport.objects.filter(duty__in=bound).exists()
    grid = {
        (r.org_id, r.period): r.status
        for r in compliance.evaluate(Period.whole_year(2026), None, today)
        if r.requirement_key == "branch_committee"
    }
    compared = 0
    for p in services.progress_for(bound, today):
        for occ, _r, state in p.rows:
            if state is OccurrenceState.UPCOMING:
                continue
            status = grid.get((p.duty.duty_list.organization_id, Period.parse(occ.key)), engine.Status.NA)
            assert state is GRID_TO_DUTY[status], (p.duty.duty_list.organization, occ.key, status, state)
            compared += 1
    assert compared >= 7
    item = WorkPlanItem.objects.get(plan__year=2026, content__startswith="督促按期换届")
    assert item.measure_key == "orgs_term" and not item.progress.exists()
