"""整改: the flow through the pages by the people allowed, the list's scope and filters, reminders."""

from datetime import date

import pytest
import time_machine

from dangjian.core.periods import Period
from dangjian.supervision import reminders, services
from dangjian.supervision.models import EvidenceFile, Rectification
from dangjian.supervision.tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


def act(client, rect, action, **data):
    rect.refresh_from_db()
    return client.post(
        f"/supervision/rectifications/{rect.pk}/action/", {"action": action, "version": rect.version, **data}
    )


def as_user(user):
    """A client of its own per user (the `login` fixture re-uses one client)."""
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@time_machine.travel(TODAY, tick=False)
def test_full_flow_through_the_pages(cast, login):
    rect = f.rectification(cast["a"], deadline=date(2026, 12, 20))
    org = as_user(cast["admin_a"])
    r = act(org, rect, "start")
    assert r.status_code == 302
    rect.refresh_from_db()
    assert rect.status == "in_progress"
    # submitting without material is refused
    r = act(org, rect, "submit")
    assert "先提交整改材料" in messages_of(r)[-1]
    r = act(
        org,
        rect,
        "evidence",
        text="已补开支部党员大会并完善记录",
        files=[f.png("会议照片.png"), f.pdf("记录.pdf")],
    )
    assert r.status_code == 302
    assert EvidenceFile.objects.filter(event__rectification=rect).count() == 2
    assert act(org, rect, "submit").status_code == 302
    rect.refresh_from_db()
    assert rect.status == "submitted" and rect.submitted_at is not None

    client = as_user(cast["inspector"])
    # the organisation cannot close its own item
    r = act(org, rect, "close")
    assert "只能由督查员或局党建管理员操作" in messages_of(r)[-1]
    r = act(client, rect, "return", text="")
    assert "退回理由" in messages_of(r)[-1]
    act(client, rect, "return", text="照片不能反映整改情况，请补充会议签到表")
    rect.refresh_from_db()
    assert rect.status == "in_progress" and rect.return_count == 1
    # after a return, new material is needed before submitting again
    r = act(org, rect, "submit")
    assert "先提交整改材料" in messages_of(r)[-1]
    act(org, rect, "evidence", text="补充签到表")
    act(org, rect, "submit")
    act(client, rect, "close", text="")
    rect.refresh_from_db()
    assert rect.status == "closed" and rect.closed_at and rect.verified_by == cast["inspector"]
    assert rect.verification == "经验收，整改到位，予以销号"
    kinds = list(rect.events.values_list("kind", flat=True))
    assert kinds == ["created", "start", "evidence", "submit", "return", "evidence", "submit", "close"]
    page = org.get(f"/supervision/rectifications/{rect.pk}/").content.decode()
    assert "已销号" in page and "照片不能反映整改情况" in page and "记录.pdf" in page
    # events: the organisation's admin is told of the 退回 (with its reason) and the 销号, once each
    from dangjian.notify.models import Notification

    told = Notification.objects.filter(recipient=cast["admin_a"]).order_by("id")
    assert list(told.values_list("kind", flat=True)) == ["rectification.return", "rectification.close"]
    assert "请补充会议签到表" in told[0].body


def test_stale_version_refused(cast, login):
    rect = f.rectification(cast["a"])
    client = login(cast["admin_a"])
    r = client.post(f"/supervision/rectifications/{rect.pk}/action/", {"action": "start", "version": "0"})
    assert "已被他人修改" in messages_of(r)[-1]
    rect.refresh_from_db()
    assert rect.status == "pending"


def test_scope_other_branch_and_inspector_limits(cast, login):
    rect = f.rectification(cast["a"])
    # admin_b cannot see or act on A's rectification
    assert login(cast["admin_b"]).get(f"/supervision/rectifications/{rect.pk}/").status_code == 404
    assert act(login(cast["admin_b"]), rect, "start").status_code == 404
    # the inspector verifies but does not do the organisation's work
    r = act(login(cast["inspector"]), rect, "start")
    assert "只能由被检查党组织操作" in messages_of(r)[-1]
    r = act(login(cast["inspector"]), rect, "evidence", text="代交材料")
    assert "只能由被检查党组织操作" in messages_of(r)[-1]
    # the bureau admin may act for the organisation (material handed in on paper)
    act(login(cast["bureau"]), rect, "start")
    rect.refresh_from_db()
    assert rect.status == "in_progress"


def test_evidence_files_checked_and_scoped(cast, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rect = f.rectification(cast["a"], status="in_progress")
    bad = SimpleUploadedFile("整改报告.docx", b"PK\x03\x04 not allowed", content_type="application/msword")
    r = act(login(cast["admin_a"]), rect, "evidence", text="报告", files=[bad])
    assert "不是可接受的类型" in messages_of(r)[-1]
    assert not rect.events.filter(kind="evidence").exists()
    ef = f.evidence(rect)
    url = f"/supervision/evidence/{ef.pk}/"
    r = login(cast["admin_a"]).get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "attachment" in r["Content-Disposition"]  # a PDF is downloaded, not rendered in our origin
    assert login(cast["admin_b"]).get(url).status_code == 404
    img = f.evidence(rect, kind="png")
    assert "inline" in login(cast["inspector"]).get(f"/supervision/evidence/{img.pk}/")["Content-Disposition"]


@time_machine.travel(TODAY, tick=False)
def test_deadline_change_and_cancel(cast, login):
    rect = f.rectification(cast["a"], deadline=date(2026, 11, 30))
    client = login(cast["inspector"])
    r = act(client, rect, "deadline", deadline="2026-12-31", text="")
    assert "须填写说明" in messages_of(r)[-1]
    act(client, rect, "deadline", deadline="2026-12-31", text="年底集中整改")
    rect.refresh_from_db()
    assert rect.deadline == date(2026, 12, 31)
    assert "由 2026-11-30 调整为 2026-12-31" in rect.events.get(kind="deadline").text
    r = act(client, rect, "deadline", deadline="31/12/2026", text="x")
    assert "有误" in messages_of(r)[-1]
    act(client, rect, "cancel", text="复核后认定检查结论有误")
    rect.refresh_from_db()
    assert rect.status == "cancelled"


@time_machine.travel(TODAY, tick=False)
def test_list_scope_filters_and_overdue(cast, login):
    overdue = f.rectification(cast["a"], status="in_progress", deadline=date(2026, 11, 19))
    due_today = f.rectification(cast["a"], deadline=TODAY)
    closed_late = f.rectification(cast["a"], status="closed", deadline=date(2026, 10, 1))
    other = f.rectification(cast["b"], status="submitted", deadline=date(2026, 10, 1))
    page = lambda who, q="": login(cast[who]).get(f"/supervision/rectifications/{q}")  # noqa: E731
    ids = lambda r: {x.pk for x in r.context["page"].object_list}  # noqa: E731
    assert ids(page("admin_a")) == {overdue.pk, due_today.pk, closed_late.pk}
    assert ids(page("admin_b")) == {other.pk}
    assert ids(page("inspector")) == {overdue.pk, due_today.pk, closed_late.pk, other.pk}
    assert ids(page("bureau", "?overdue=on")) == {overdue.pk, other.pk}
    assert ids(page("bureau", "?status=open")) == {overdue.pk, due_today.pk, other.pk}
    assert ids(page("bureau", "?status=closed")) == {closed_late.pk}
    assert ids(page("bureau", "?q=测试第二")) == {other.pk}
    r = page("admin_a")
    assert r.context["overdue_count"] == 1
    assert "逾期" in r.content.decode()
    assert page("member").status_code == 403


def test_list_queries_do_not_grow(cast, login):
    client = login(cast["bureau"])
    rnd = f.inspection_round([cast["a"], cast["b"]])
    t = rnd.targets.first()
    f.rectification(cast["a"], finding_obj=f.finding(t))
    small = f.queries_for(client, "/supervision/rectifications/")
    for _ in range(5):
        f.rectification(cast["a"], finding_obj=f.finding(t))
        f.rectification(cast["b"])
    assert f.queries_for(client, "/supervision/rectifications/") == small


def test_detail_queries_do_not_grow(cast, login):
    client = login(cast["admin_a"])
    rect = f.rectification(cast["a"], status="in_progress")
    f.evidence(rect)
    url = f"/supervision/rectifications/{rect.pk}/"
    small = f.queries_for(client, url)
    for _ in range(4):
        f.evidence(rect)
        f.evidence(rect, kind="png")
    assert f.queries_for(client, url) == small


# --- 月提醒 and the dashboard ---------------------------------------------------------------------------------
def test_items_for_month(cast, django_assert_num_queries):
    a, b = cast["a"], cast["b"]
    late = f.rectification(
        a, status="in_progress", deadline=date(2026, 11, 20), title="甲：三会一课记录不符合"
    )
    soon = f.rectification(a, status="submitted", deadline=date(2026, 12, 31), title="甲：台账资料不符合")
    f.rectification(a, deadline=date(2027, 1, 1))  # next month: not yet
    f.rectification(a, status="closed", deadline=date(2026, 11, 1))  # closed: never
    f.rectification(a, status="cancelled", deadline=date(2026, 11, 1))
    b_late = f.rectification(b, deadline=date(2026, 10, 1))
    with django_assert_num_queries(1):
        items = reminders.items_for_month(Period.parse("2026-12"), date(2026, 12, 1), [a.pk, b.pk, 999])
    assert items[a.pk] == [
        {
            "type": "rectification",
            "id": late.pk,
            "title": "甲：三会一课记录不符合",
            "deadline": "2026-11-20",
            "status": "整改中",
            "overdue": True,
        },
        {
            "type": "rectification",
            "id": soon.pk,
            "title": "甲：台账资料不符合",
            "deadline": "2026-12-31",
            "status": "待验收",
            "overdue": False,
        },
    ]
    assert [i["id"] for i in items[b.pk]] == [b_late.pk] and items[b.pk][0]["status"] == "待整改"
    assert 999 not in items
    # only the organisations asked for
    assert set(reminders.items_for_month(Period.parse("2026-12"), date(2026, 12, 1), [b.pk])) == {b.pk}
    assert reminders.items_for_month(Period.parse("2026-12"), date(2026, 12, 1), []) == {}


def test_items_for_month_constant_queries(cast, django_assert_num_queries):
    orgs = [cast["a"], cast["b"]]
    for i in range(20):
        f.rectification(orgs[i % 2], deadline=date(2026, 11, 1 + i))
    with django_assert_num_queries(1):
        items = reminders.items_for_month(Period.parse("2026-12"), date(2026, 12, 1), [o.pk for o in orgs])
    assert sum(len(v) for v in items.values()) == 20


def test_overdue_rectifications(cast):
    late = f.rectification(cast["a"], status="submitted", deadline=date(2026, 11, 19))
    f.rectification(cast["a"], deadline=date(2026, 11, 20))
    f.rectification(cast["b"], status="closed", deadline=date(2026, 1, 1))
    assert list(services.overdue_rectifications(date(2026, 11, 20))) == [late]
    assert reminders.overdue_rectifications is services.overdue_rectifications


def test_home_panel_counts_in_scope(cast, login):
    f.rectification(cast["a"], deadline=date(2020, 1, 1))
    f.rectification(cast["b"])
    page = login(cast["admin_a"]).get("/").content.decode()
    assert "整改落实" in page and "未销号整改事项" in page
    panel = login(cast["admin_a"]).get("/").context["panels"]
    ctx = next(p["ctx"] for p in panel if p["key"] == "supervision-rectifications")
    assert ctx == {"open": 1, "overdue": 1, "submitted": 0}
    assert Rectification.objects.count() == 2
