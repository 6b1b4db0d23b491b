"""dangjian.duties.reminders.items_for_month: typed items per organisation, constant queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.periods import Period
from dangjian.duties import services
from dangjian.duties.reminders import items_for_month

from . import factories as f

pytestmark = pytest.mark.django_db


def test_duty_and_notice_items(cast, travel):
    travel(2026, 1, 5)
    a, b = cast["a"], cast["b"]
    dl = f.duty_list(a, year=2026)
    monthly = f.duty(dl, content="每月召开支委会\n第二行不进标题")
    once = f.duty(dl, cadence="once", deadline=date(2026, 3, 10), content="3月10日前完成换届请示")
    f.duty(f.duty_list(a, year=2026, status="draft", title="草稿清单"))  # drafts never remind
    travel(2026, 2, 3)
    services.report_duty(monthly, "2026-02", "二月已开", cast["admin_a"])
    n = f.notice(cast["root"], actor=cast["bureau"], orgs=[a, b], deadline=date(2026, 2, 25))
    services.acknowledge(f.target(n, b), cast["admin_b"])
    n2 = f.notice(cast["root"], actor=cast["bureau"], orgs=[a], deadline=date(2026, 3, 20))
    services.feedback(f.target(n2, a), "已反馈", cast["admin_a"])
    travel(2026, 3, 2)
    f.notice(cast["root"], actor=cast["bureau"], orgs=[a], deadline=date(2026, 3, 25), title="三月的通知")
    travel(2026, 3, 5)
    services.report_duty(monthly, "2026-01", "一月补报", cast["admin_a"])  # after 1 March: ignored below

    got = items_for_month(Period.month(2026, 3), date(2026, 3, 1), [a.pk, b.pk, cast["root"].pk])
    assert set(got) == {a.pk, b.pk, cast["root"].pk} and got[cast["root"].pk] == []
    duty_items = [i for i in got[a.pk] if i["type"] == "duty"]
    assert duty_items == [
        {
            "type": "duty",
            "duty": monthly.pk,
            "title": "每月召开支委会",
            "due_on": "2026-01-31",
            "overdue": True,
        },
        {
            "type": "duty",
            "duty": once.pk,
            "title": "3月10日前完成换届请示",
            "due_on": "2026-03-10",
            "overdue": False,
        },
        {
            "type": "duty",
            "duty": monthly.pk,
            "title": "每月召开支委会",
            "due_on": "2026-03-31",
            "overdue": False,
        },
    ]
    # February was reported on 3 February, before the day the reminder is computed for
    notice_items = [i for i in got[a.pk] if i["type"] == "notice"]
    assert notice_items == [
        {"type": "notice", "notice": n.pk, "title": n.title, "deadline": "2026-02-25", "status": "逾期"},
    ]  # n2 is fed back; the March notice was issued after 1 March
    assert got[b.pk] == [
        {"type": "notice", "notice": n.pk, "title": n.title, "deadline": "2026-02-25", "status": "逾期"},
    ]
    later = items_for_month(Period.month(2026, 4), date(2026, 4, 1), [a.pk])
    statuses = {i["title"]: i["status"] for i in later[a.pk] if i["type"] == "notice"}
    assert statuses == {n.title: "逾期", "三月的通知": "逾期"}


def test_unacknowledged_and_acknowledged_before_the_deadline(cast, travel):
    travel(2026, 4, 28)
    a, b = cast["a"], cast["b"]
    n = f.notice(cast["root"], actor=cast["bureau"], orgs=[a, b], deadline=date(2026, 5, 20))
    services.acknowledge(f.target(n, a), cast["admin_a"])
    got = items_for_month(Period.month(2026, 5), date(2026, 5, 1), [a.pk, b.pk])
    assert [i["status"] for i in got[a.pk]] == ["已签收"]
    assert [i["status"] for i in got[b.pk]] == ["未签收"]
    only_ack = f.notice(
        cast["root"], actor=cast["bureau"], orgs=[a], deadline=date(2026, 5, 20), requires_feedback=False
    )
    services.acknowledge(f.target(only_ack, a), cast["admin_a"])
    assert [i["notice"] for i in items_for_month(Period.month(2026, 5), date(2026, 5, 1), [a.pk])[a.pk]] == [
        n.pk
    ]


def test_done_means_done_by_the_local_end_of_the_day(cast, travel):
    """Left out in SQL: fed back by 23:00 on the day (15:00 UTC) is done; at 00:00 the next local day (16:00
    UTC, still the same UTC day) it is not yet done for that day's reminder."""
    travel(2026, 4, 20)
    a, b = cast["a"], cast["b"]
    n = f.notice(cast["root"], actor=cast["bureau"], orgs=[a, b], deadline=date(2026, 5, 20))
    travel(2026, 4, 30, 23)
    services.feedback(f.target(n, a), "已反馈", cast["admin_a"])
    travel(2026, 5, 1, 0)
    services.feedback(f.target(n, b), "已反馈", cast["admin_b"])
    got = items_for_month(Period.month(2026, 4), date(2026, 4, 30), [a.pk, b.pk])
    assert got[a.pk] == [] and [i["status"] for i in got[b.pk]] == ["未签收"]


def test_constant_number_of_queries(cast, travel):
    travel(2026, 2, 2)

    def count(org_ids):
        with CaptureQueriesContext(connection) as ctx:
            items_for_month(Period.month(2026, 3), date(2026, 3, 1), org_ids)
        return len(ctx.captured_queries)

    f.duty(f.duty_list(cast["a"], year=2026))
    f.notice(cast["root"], actor=cast["bureau"], orgs=[cast["a"]], deadline=date(2026, 2, 20))
    small = count([cast["a"].pk])
    for o in (cast["b"], cast["organ"]):
        dl = f.duty_list(o, year=2026)
        for _ in range(3):
            f.duty(dl, cadence="quarterly")
    f.notice(cast["root"], actor=cast["bureau"], deadline=date(2026, 2, 21))
    big = count([cast["a"].pk, cast["b"].pk, cast["organ"].pk])
    assert small == big <= 3
    assert items_for_month(Period.month(2026, 3), date(2026, 3, 1), []) == {}


def test_duty_items_name_the_responsible_person(cast, travel):
    """Two leaders' 一岗双责 lists carry the same duty text: each reminder names its own person."""
    travel(2026, 1, 5)
    root = cast["root"]
    for name in ("李副局长", "王副局长"):
        f.duty(f.duty_list(root, kind="dual", year=2026, holder_name=name, title=f"{name}一岗双责清单"))
    own = f.duty(f.duty_list(root, year=2026), responsible_name="张主任")
    got = items_for_month(Period.month(2026, 1), date(2026, 1, 1), [root.pk])[root.pk]
    assert {i["responsible"] for i in got} == {"李副局长", "王副局长", "张主任"}
    assert [i["responsible"] for i in got if i["duty"] == own.pk] == ["张主任"]
