from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from dangjian import factories
from dangjian.core.periods import Period
from dangjian.notify import monthly, services
from dangjian.notify.models import Delivery, Notification, OrgWebhook

from .fakes import FakeRobot, FakeSMTP

pytestmark = pytest.mark.django_db
REAL_ACTIVITY_ITEMS = monthly.activity_items


@pytest.fixture(autouse=True)
def no_compliance(monkeypatch):
    """Requirement items come from the compliance engine, tested on its own; here a fixed item stands in."""

    def fake(orgs, month, as_of):
        return {
            o.id: [
                {
                    "type": "activity",
                    "requirement": "theme_day",
                    "kind": "主题党日",
                    "period": str(month),
                    "required": 1,
                    "done": 0,
                }
            ]
            for o in orgs
            if o.is_branch
        }

    monkeypatch.setattr(monthly, "activity_items", fake)


def run(month: str, *extra: str) -> dict:
    out = StringIO()
    call_command("remind", "--month", month, "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


def items_of(data: dict, code: str) -> list[dict]:
    return next(o["items"] for o in data["orgs"] if o["org"] == code)


def test_json_contract_terms_birthdays_probation(cast):
    a, b = cast["a"], cast["b"]
    factories.term(
        a, elected_on=date(2024, 2, 10)
    )  # 3 years → expires 2027-02-10: within six months of 2026-12-01
    factories.term(b, elected_on=date(2023, 6, 1))  # expired 2026-06-01: overdue
    factories.member(a, "生日甲", join_date=date(1996, 12, 3), full_date=date(1997, 12, 3))
    factories.member(
        a, "预备乙", join_date=date(2026, 1, 20), full_date=None
    )  # due 2027-01-20: within next two months
    factories.member(a, "预备丙", join_date=date(2026, 5, 1), full_date=None)  # due 2027-05-01: too far
    data = run("2026-12")
    assert data["month"] == "2026-12" and {"org", "items"} <= set(data["orgs"][0])
    items_a = items_of(data, "A")
    assert {"type": "term", "status": "即将届满", "expires_on": "2027-02-10"} in items_a
    assert {"type": "birthday", "member": "生日甲", "join_date": "1996-12-03", "years": 30} in items_a
    assert {"type": "probation", "member": "预备乙", "due_on": "2027-01-20"} in items_a
    assert not any(i.get("member") == "预备丙" and i["type"] == "probation" for i in items_a)
    assert {"type": "term", "status": "已届满未换届", "expires_on": "2026-06-01"} in items_of(data, "B")
    # The organ committee has no term recorded; the 党组 is appointed, not elected.
    assert {"type": "term", "status": "未录入任期", "expires_on": None} in items_of(data, "JG")
    assert not any(i["type"] == "term" for i in items_of(data, "ROOT"))


def test_running_twice_delivers_nothing_twice(cast):
    run("2026-12")
    first = Notification.objects.count()
    assert first > 0 and Notification.objects.filter(recipient=cast["admin_a"], kind="monthly").count() == 1
    run("2026-12")
    assert Notification.objects.count() == first
    assert run("2026-12", "--dry-run") and Notification.objects.count() == first


def test_dry_run_creates_nothing(cast):
    run("2026-12", "--dry-run")
    assert Notification.objects.count() == 0 and Delivery.objects.count() == 0


def test_term_reminders_at_six_three_one_months_then_monthly_to_the_chain(cast):
    factories.term(cast["a"], elected_on=date(2024, 6, 15))  # expires 2027-06-15
    seen = []
    for month in [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
        "2027-03",
        "2027-04",
        "2027-05",
        "2027-06",
        "2027-07",
        "2027-08",
    ]:
        before = set(
            Notification.objects.filter(recipient=cast["admin_a"], kind="term").values_list(
                "dedupe_key", flat=True
            )
        )
        run(month)
        after = set(
            Notification.objects.filter(recipient=cast["admin_a"], kind="term").values_list(
                "dedupe_key", flat=True
            )
        )
        seen += [(month, k.split(":")[-1] if "overdue" not in k else "overdue") for k in after - before]
    assert seen == [
        ("2027-01", "before6"),
        ("2027-04", "before3"),
        ("2027-06", "before1"),
        ("2027-07", "overdue"),
        ("2027-08", "overdue"),
    ]
    # Superior admins: the bureau admin got each too; the admin of another branch got none.
    assert Notification.objects.filter(recipient=cast["bureau"], kind="term").count() == 5
    assert not Notification.objects.filter(
        recipient=cast["admin_b"], kind="term", organization=cast["a"]
    ).exists()


def test_term_stage_pure():
    assert services.term_stage(date(2027, 6, 15), date(2027, 1, 1)) == "before6"
    assert services.term_stage(date(2027, 6, 15), date(2026, 12, 1)) is None
    assert services.term_stage(date(2027, 6, 15), date(2027, 6, 1)) == "before1"
    assert services.term_stage(date(2027, 6, 15), date(2027, 7, 1)) == "overdue:2027-07"


def test_email_channel_against_a_local_smtp_server(cast):
    cast["admin_a"].email = "admin_a@example.org"
    cast["admin_a"].save()
    with (
        FakeSMTP() as smtp,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=smtp.port,
            DANGJIAN_EMAIL_ENABLED=True,
        ),
    ):
        run("2026-12")
        run("2026-12")
    mails = [m for m in smtp.messages if "admin_a@example.org" in m]
    assert len(mails) == 1
    assert Delivery.objects.get(channel="email", address="admin_a@example.org").status == "sent"


def test_wecom_and_dingtalk_robots_against_a_local_server(cast):
    with FakeRobot() as robot:
        OrgWebhook.objects.create(organization=cast["a"], kind="wecom", url=robot.url)
        OrgWebhook.objects.create(
            organization=cast["b"], kind="dingtalk", url=robot.url + "&dd=1", secret="SEC123"
        )
        run("2026-12")
        run("2026-12")
    assert len(robot.posts) == 2
    wecom = next(p for path, p in robot.posts if "dd=1" not in path)
    assert wecom["msgtype"] == "markdown" and "主题党日" in wecom["markdown"]["content"]
    ding_path, ding = next((path, p) for path, p in robot.posts if "dd=1" in path)
    assert (
        ding["markdown"]["title"].startswith("2026年12月工作提醒")
        and "timestamp=" in ding_path
        and "sign=" in ding_path
    )


def test_failed_robot_is_retried_after_a_pause(cast):
    with FakeRobot() as robot:
        robot.fail = True
        OrgWebhook.objects.create(organization=cast["a"], kind="wecom", url=robot.url)
        run("2026-12")
        d = Delivery.objects.get(channel="webhook")
        assert d.status == "failed" and "keywords" in d.error and d.next_attempt_at is not None
        robot.fail = False
        run("2026-12")  # at once: the pause after a failure (backoff) is not over, nothing is sent
        d.refresh_from_db()
        assert d.status == "failed" and d.attempts == 1 and len(robot.posts) == 1
        with time_machine.travel(d.next_attempt_at + timedelta(seconds=1)):
            run("2026-12")
        d.refresh_from_db()
        assert d.status == "sent" and d.attempts == 2 and len(robot.posts) == 2 and d.next_attempt_at is None


def test_usage_errors_exit_2(cast):
    from django.core.management.base import CommandError

    for bad in (["--month", "2026-13"], ["--month", "2026Q4"], []):
        with pytest.raises(CommandError) as exc:
            call_command("remind", *bad, stdout=StringIO())
        assert exc.value.returncode == 2


def test_loop_runs_the_current_month(cast):
    out = StringIO()
    call_command("remind", "--loop", "--iterations", "1", "--interval", "1", stdout=out)
    assert "月提醒" in out.getvalue() and Notification.objects.exists()


def test_provider_items_are_merged(cast, monkeypatch):
    class Provider:
        @staticmethod
        def items_for_month(month, as_of, org_ids):
            return {
                cast["a"].id: [
                    {
                        "type": "rectification",
                        "id": 1,
                        "title": "补齐台账",
                        "deadline": "2026-11-30",
                        "status": "整改中",
                        "overdue": True,
                    }
                ]
            }

    monkeypatch.setattr(monthly, "provider_modules", lambda: [Provider])
    items = items_of(run("2026-12", "--dry-run"), "A")
    assert items[-1]["type"] == "rectification"
    assert "已逾期" in monthly.describe(items[-1])


def test_pages_bell_and_read(cast, login):
    run("2026-12")
    c = login(cast["admin_a"])
    home = c.get("/").content.decode()
    assert 'id="notify-unread">1<' in home
    n = Notification.objects.get(recipient=cast["admin_a"])
    assert c.get("/notify/").status_code == 200
    r = c.get(f"/notify/{n.pk}/open/")
    assert r.status_code == 302 and r["Location"] == f"/compliance/todo/?org={cast['a'].id}"
    n.refresh_from_db()
    assert n.read_at is not None
    # Someone else's notification is not found.
    assert login(cast["admin_b"]).get(f"/notify/{n.pk}/open/").status_code == 404
    Notification.objects.filter(pk=n.pk).update(read_at=None)
    assert c.post("/notify/read-all/").status_code == 302 and services.unread_count(cast["admin_a"]) == 0


def test_webhook_settings_page_scope(cast, login):
    assert login(cast["admin_b"]).get(f"/notify/webhook/{cast['a'].id}/").status_code == 404
    c = login(cast["admin_a"])
    r = c.post(
        f"/notify/webhook/{cast['a'].id}/",
        {"kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "is_active": "on"},
    )
    assert r.status_code == 302 and OrgWebhook.objects.get().organization == cast["a"]


def test_month_period_label():
    assert Period.parse("2026-12").label == "2026年12月"


def test_duty_line_names_the_responsible_person():
    item = {"type": "duty", "duty": 1, "title": "每年至少讲1次党课", "due_on": "2026-12-31", "overdue": False}
    assert monthly.describe(item) == "责任事项“每年至少讲1次党课”即将到期（时限 2026-12-31）"
    named = monthly.describe({**item, "responsible": "李副局长"})
    assert named == "责任事项“每年至少讲1次党课”即将到期（时限 2026-12-31，责任人 李副局长）"


def test_remind_queries_do_not_grow_with_organisations(cast, monkeypatch, settings):
    """build + deliver (requirements, providers, notifications, e-mails, robots) in a number of queries that does
    not depend on how many organisations, members and recipients there are. Sending what is queued is left out:
    each message is claimed and sent on its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.accounts.roles import Role

    monkeypatch.setattr(monthly, "activity_items", REAL_ACTIVITY_ITEMS)
    monkeypatch.setattr(services.channels, "send_pending", lambda: {"sent": 0, "failed": 0})
    settings.DANGJIAN_EMAIL_ENABLED = True
    settings.DANGJIAN_WEBHOOK_URL = "http://127.0.0.1:9/robot"
    month = Period.month(2026, 12)

    def add_branch(i: int) -> None:
        org = factories.org(f"扩充第{i}党支部", parent=cast["organ"], code=f"X{i}")
        factories.term(org, elected_on=date(2023, 1, 1))  # overdue: term reminders up the chain
        factories.member(org, join_date=date(1990, 12, 5), full_date=date(1991, 12, 5))  # birthday
        factories.member(org, join_date=date(2026, 1, 10), full_date=None)  # probation due
        admin = factories.user(f"admin_x{i}", Role.ORG_ADMIN, organization=org)
        admin.email = f"x{i}@example.org"
        admin.save(update_fields=["email"])
        OrgWebhook.objects.create(organization=org, url=f"http://127.0.0.1:9/x{i}")

    def count() -> tuple[int, services.DeliveryReport]:
        Notification.objects.all().delete()
        Delivery.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            report = services.deliver(month, monthly.build(month))
        return len(ctx.captured_queries), report

    add_branch(0)
    count()  # warm: settings read once per process (e.g. the study configuration) are not counted
    small, small_report = count()
    for i in range(1, 6):
        add_branch(i)
    big, big_report = count()
    assert big_report.notifications > small_report.notifications > 0
    assert big_report.deliveries > small_report.deliveries > 0
    assert big == small, (small, big)


def test_requirement_items_are_the_periods_containing_the_month(cast, monkeypatch):
    """For 2026-11 a branch with no records is reminded of its November, fourth-quarter, second-half and 2026
    periods still running — and of no other period of the year."""
    monkeypatch.setattr(monthly, "activity_items", REAL_ACTIVITY_ITEMS)
    month = Period.month(2026, 11)
    items = next(oi for oi in monthly.build(month) if oi.org.pk == cast["a"].pk).items
    periods = {i["period"] for i in items if i["type"] == "activity"}
    assert {"2026-11", "2026Q4", "2026"} <= periods
    assert periods <= {"2026-11", "2026Q4", "2026H2", "2026"}


def test_term_items_are_taken_as_of_the_months_first_day(cast):
    """月提醒 as of the month's first day (orgs.asof): an election later in the month does not erase that
    month's alert, and a term elected after the day is not yet in office."""
    from dangjian.orgs import services as org_services

    b = cast["b"]
    factories.term(b, elected_on=date(2022, 3, 1))  # expired 2025-03-01
    org_services.record_election(b, date(2026, 5, 20), 3, (), require_posts=False, today=date(2026, 6, 1))
    may = monthly.term_items([b], Period.parse("2026-05").start)
    assert may[b.id] == [{"type": "term", "status": "已届满未换届", "expires_on": "2025-03-01"}]
    assert b.id not in monthly.term_items([b], Period.parse("2026-06").start)
