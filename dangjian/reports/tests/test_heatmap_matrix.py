"""The dashboard's heat map and the 达标情况 matrix (`/compliance/`) agree on every cell of the quarter.

Before, the heat map showed the status of the requirement's period containing today (December: 进行中) while the
matrix summarised the quarter (an unmet October or November: 未达标), so the heat map showed no 未达标 where
the matrix showed many."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import time_machine
from django.utils import timezone

from dangjian.activities.models import Activity, ActivityKind, Attendance
from dangjian.compliance import grid, services
from dangjian.core.periods import Period, PeriodKind
from dangjian.reports import dashboard

pytestmark = pytest.mark.django_db


def _activity(org, day, kinds, members=()):
    a = Activity.objects.create(organization=org, date=day, topic="学习贯彻全会精神", minutes="会议记录" * 10)
    a.kinds.set(ActivityKind.objects.filter(key__in=kinds))
    for m in members:
        Attendance.objects.create(activity=a, member=m, present=True)
    return a


@time_machine.travel("2026-12-03 10:00 +0800")
def test_every_heatmap_cell_is_the_matrix_cell(cast, login):
    # branch A met its monthly meetings in October only; branch B in October and November
    kinds = [k.key for k in ActivityKind.objects.all()]
    _activity(cast["a"], date(2026, 10, 9), kinds, cast["members_a"])
    for day in (date(2026, 10, 12), date(2026, 11, 12)):
        _activity(cast["b"], day, kinds, cast["members_b"])
    html = login(cast["bureau"]).get("/reports/dashboard/").content.decode()
    data = json.loads(
        re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    shown = next(c for c in data if c["id"] == "heatmap")
    heat = next(c for c in dashboard.build(cast["root"], timezone.localdate()) if c.id == "heatmap")
    # the page draws what the chart holds: one coloured square per owed cell, 1 = 未达标
    scores = {(x, y): s for x, y, s in shown["series"][0]["data"]}
    for y, row in enumerate(heat.rows):
        for x, status in enumerate(row[1:]):
            assert scores.get((x, y)) == dashboard.STATUS_SCORE.get(status), (row[0], x, status)

    today = timezone.localdate()
    quarter = Period.containing(today, PeriodKind.QUARTER)
    from dangjian.accounts.scope import visible_orgs

    orgs = visible_orgs(cast["bureau"]).filter(services.existing_q(quarter)).order_by("path")
    ev = services.run(quarter, orgs, today)
    matrix = grid.build_matrix(ev, matrix_url="/compliance/", query={"period": str(quarter)})
    by_org = {r.org.name: r for r in matrix.rows if not r.is_rollup}
    names = [c.label for c in matrix.columns]
    compared = 0
    unmet = 0
    for row in heat.rows:
        org_name, statuses = row[0], row[1:]
        mrow = by_org[org_name]
        for name, status in zip(heat.categories, statuses, strict=True):
            if name not in names:
                assert status == "不适用", (org_name, name, status)
                continue
            mcell = mrow.cells[names.index(name)]
            assert status == (mcell.status if mcell else "不适用"), (org_name, name, status, mcell)
            compared += 1
            unmet += status == "未达标"
    assert compared >= 2 * len(names) and unmet > 0
    # the page itself shows as many 未达标 cells for these organisations
    page = login(cast["bureau"]).get("/compliance/").content.decode()
    assert page.count("status-未达标") >= unmet
