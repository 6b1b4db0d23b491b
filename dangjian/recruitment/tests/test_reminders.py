"""Part 4: what is due or overdue per candidate goes into 月提醒 (`dangjian remind`, design §4 item `candidate`) and
into the organisation's 本月待办 — 谈话 within a month, 考察 every half year, 审批 within three months, 转正 at the
end of the 预备期."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from dangjian.core.periods import Period
from dangjian.notify import monthly
from dangjian.recruitment import reminders, services

from .factories import TODAY, candidate, step_input, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def items(month: str, org) -> list[dict]:
    p = Period.parse(month)
    return reminders.items_for_month(p, p.start, [org.pk]).get(org.pk, [])


def test_talk_due_within_a_month_then_late(cast):
    c = candidate(cast["a"], applied_on=date(2026, 10, 20), name="周申请")
    assert items("2026-11", cast["a"]) == [
        {"type": "candidate", "member": "周申请", "step": 2, "due_on": "2026-11-20", "late": False}
    ]
    services.record_step(c, 2, step_input(c, 2, date(2026, 11, 25)), actor=None)
    # as of 1 November the talk (dated later) was still due: the month's reminder does not change afterwards
    assert [i["step"] for i in items("2026-11", cast["a"])] == [2]
    assert items("2026-12", cast["a"]) == []
    # before the application nothing; a month with the talk already late
    assert items("2026-10", cast["a"]) == []


def test_late_talk_is_marked_late(cast):
    candidate(cast["a"], applied_on=date(2026, 9, 1), name="吴申请")
    assert items("2026-11", cast["a"]) == [
        {"type": "candidate", "member": "吴申请", "step": 2, "due_on": "2026-10-01", "late": True}
    ]


def test_inspection_approval_and_full_are_reminded(cast):
    activist = walk(candidate(cast["a"], name="郑积极"), 6)  # last 考察 2023-09-01 → due 2024-03-01
    got = items("2024-03", cast["a"])
    assert {"type": "candidate", "member": "郑积极", "step": 6, "due_on": "2024-03-01", "late": False} in got
    assert activist.pk
    walk(candidate(cast["a"], name="王审批"), 16)  # 支部大会 2024-06-03 → 审批 by 2024-09-03
    sept = items("2024-09", cast["a"])
    assert {
        "type": "candidate",
        "member": "王审批",
        "step": 17,
        "due_on": "2024-09-03",
        "late": False,
    } in sept
    oct_ = items("2024-10", cast["a"])
    assert {"type": "candidate", "member": "王审批", "step": 17, "due_on": "2024-09-03", "late": True} in oct_
    walk(candidate(cast["a"], name="冯预备"), 21)  # 预备期 ends 2025-06-03: the 转正 application is due
    june = items("2025-06", cast["a"])
    assert {
        "type": "candidate",
        "member": "冯预备",
        "step": 22,
        "due_on": "2025-06-03",
        "late": False,
    } in june
    assert not [i for i in items("2025-05", cast["a"]) if i["member"] == "冯预备"]


def test_remind_command_carries_candidate_items(cast, monkeypatch):
    monkeypatch.setattr(monthly, "activity_items", lambda orgs, month, as_of: {})
    candidate(cast["a"], applied_on=date(2026, 11, 10), name="孙谈话")
    out = StringIO()
    call_command("remind", "--month", "2026-12", "--json", "--dry-run", stdout=out)
    data = json.loads(out.getvalue())
    a_items = next(o["items"] for o in data["orgs"] if o["org"] == "A")
    item = {"type": "candidate", "member": "孙谈话", "step": 2, "due_on": "2026-12-10", "late": False}
    assert item in a_items
    assert monthly.describe(item) == "发展党员 孙谈话：第2步“党组织派人谈话”应于 2026-12-10 前完成"


def test_the_organisations_todo_lists_the_steps_due(cast, login):
    c = candidate(cast["a"], applied_on=date(2026, 10, 1), name="钱逾期")
    page = login(cast["admin_a"]).get("/compliance/todo/").content.decode()
    assert "其他待办" in page and "钱逾期：第2步 党组织派人谈话" in page and "已逾期" in page
    assert f"/recruitment/{c.pk}/" in page
    home = login(cast["admin_a"]).get("/").content.decode()
    assert "钱逾期：第2步 党组织派人谈话" in home
    # a member of the branch reads its 本月待办 but no candidate
    member_page = login(cast["member"]).get(f"/compliance/todo/?org={cast['a'].pk}").content.decode()
    assert "钱逾期" not in member_page
