from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from dangjian import factories
from dangjian.activities.models import Activity, ActivityKind, Attendance
from dangjian.core.periods import Period
from dangjian.core.xlsx import Sheet, workbook_bytes
from dangjian.orgs.models import PostTitle
from dangjian.study import reminders, services
from dangjian.study.importing import StudyImporter
from dangjian.study.models import StudyConfig, StudyRecord
from dangjian.study.progress import progress_for

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "公民身份号码", "日期", "学时", "学习内容", "学习形式"]


def test_threshold_arithmetic_is_pure():
    p = progress_for(
        1,
        Decimal("20"),
        Decimal("12"),
        is_leader=False,
        member_required=Decimal(32),
        leader_required=Decimal(56),
    )
    assert p.hours == Decimal("32.0") and p.met and p.shortfall == 0
    leader = progress_for(
        1,
        Decimal("20"),
        Decimal("12"),
        is_leader=True,
        member_required=Decimal(32),
        leader_required=Decimal(56),
    )
    assert not leader.met and leader.shortfall == Decimal("24.0") and leader.percent == 57


def _activity(org, kinds, day, present, absent=(), hours=None):
    a = Activity.objects.create(organization=org, date=day, topic="集体学习二十届三中全会精神", hours=hours)
    a.kinds.set(ActivityKind.objects.filter(key__in=kinds))
    for m in present:
        Attendance.objects.create(activity=a, member=m, present=True)
    for m in absent:
        Attendance.objects.create(activity=a, member=m, present=False, absence_reason="因病")
    return a


def test_study_activity_credits_attendees_once_and_voided_ones_do_not(cast):
    m0, m1, m2 = cast["members_a"]
    # One record carrying two study kinds counts once; absentees get nothing; non-study kinds credit nothing.
    _activity(
        cast["a"], ["collective_study", "party_lecture"], date(2026, 3, 5), [m0, m1], [m2], hours=Decimal("3")
    )
    _activity(cast["a"], ["theme_day"], date(2026, 3, 6), [m0, m1, m2])
    voided = _activity(cast["a"], ["site_teaching"], date(2026, 4, 1), [m0])
    StudyRecord.objects.create(
        member=m0, date=date(2026, 2, 1), hours=Decimal("5"), content="学习强国", form="网络平台"
    )
    progress = {
        mp.member["id"]: mp.progress
        for mp in services.yearly_progress(2026, factories.Member.objects.filter(organization=cast["a"]))
    }
    assert progress[m0.id].hours == Decimal("10.0")  # 5 + 3 + 2 (site teaching, default hours)
    assert progress[m1.id].hours == Decimal("3.0") and progress[m2.id].hours == Decimal("0.0")
    voided.is_deleted = True
    voided.save()
    progress = {
        mp.member["id"]: mp.progress
        for mp in services.yearly_progress(2026, factories.Member.objects.filter(organization=cast["a"]))
    }
    assert progress[m0.id].hours == Decimal("8.0")


def test_secretaries_need_56_and_thresholds_are_configurable(cast):
    m0 = cast["members_a"][0]
    t = factories.term(cast["a"], elected_on=date(2025, 1, 1))
    t.posts.filter(title=PostTitle.SECRETARY).update(id_number=m0.id_number, person_name=m0.name)
    rows = {
        mp.member["id"]: mp.progress
        for mp in services.yearly_progress(2026, factories.Member.objects.filter(organization=cast["a"]))
    }
    assert rows[m0.id].required == 56 and rows[cast["members_a"][1].id].required == 32
    StudyConfig.objects.create(member_hours=40)
    rows = {
        mp.member["id"]: mp.progress
        for mp in services.yearly_progress(2026, factories.Member.objects.filter(organization=cast["a"]))
    }
    assert rows[cast["members_a"][1].id].required == 40


def test_only_the_members_behind_when_asked(cast):
    m0, m1, m2 = cast["members_a"]
    StudyConfig.objects.create()  # the settings row (reading the defaults never creates it)
    StudyConfig.objects.update(member_hours=Decimal("5"))
    StudyRecord.objects.create(
        member=m0, date=date(2026, 2, 1), hours=Decimal("5"), content="学习", form="网络平台"
    )
    StudyRecord.objects.create(
        member=m1, date=date(2026, 2, 1), hours=Decimal("4.96"), content="学习", form="网络平台"
    )  # 4.96 counts as 5.0: compared at a tenth of an hour, as the full progress does
    StudyRecord.objects.create(
        member=m2, date=date(2026, 2, 1), hours=Decimal("4.9"), content="学习", form="网络平台"
    )
    members = factories.Member.objects.filter(organization=cast["a"])
    everyone = services.yearly_progress(2026, members)
    behind = list(services.behind(2026, members, ("id", "id_number", "name")))
    assert [row[0] for row, _, _ in behind] == [mp.member["id"] for mp in everyone if not mp.progress.met]
    assert [(row[2], hours, required) for row, hours, required in behind] == [
        (m2.name, Decimal("4.9"), Decimal("5"))
    ]


def test_yearly_progress_query_count_is_constant(cast, django_assert_num_queries):
    StudyConfig.objects.create()
    for n in (2, 30):
        for _ in range(n):
            factories.member(cast["b"])
        with django_assert_num_queries(5):
            services.yearly_progress(2026, factories.Member.objects.current())


@time_machine.travel("2026-11-20")
def test_import_error_contract_and_idempotence(cast, tmp_path):
    m0, m1, _ = cast["members_a"]
    data = workbook_bytes(
        [
            Sheet(
                "s",
                HEADER,
                [
                    [m0.name, m0.id_number, "2026-03-01", 2, "学习二十届三中全会精神", "学习强国"],
                    [m1.name, m1.id_number.lower(), "2026/3/2", "1.5", "自学党章", "个人自学"],
                    ["查无此人", "11010519491231002X", "2026-03-01", 2, "学习", "网络平台"],
                    [m1.name, m1.id_number, "2027-01-01", 2, "未来学习", "网络平台"],
                    [m1.name, m1.id_number, "2026-03-03", 30, "超长学习", "网络平台"],
                    [m1.name, m1.id_number, "2026-03-04", 2, "看电影", "电影院"],
                ],
            )
        ]
    )
    path = tmp_path / "study.xlsx"
    path.write_bytes(data)
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("import_study", str(path), "--json", stdout=out)
    assert exc.value.code == 1
    report = json.loads(out.getvalue())
    assert report["rows"] == 6 and report["created"] == 2 and report["rejected"] == 4
    assert {(e["row"], e["column"]) for e in report["errors"]} == {
        (4, "公民身份号码"),
        (5, "日期"),
        (6, "学时"),
        (7, "学习形式"),
    }
    assert StudyRecord.objects.count() == 0  # atomic
    with pytest.raises(SystemExit):
        call_command("import_study", str(path), "--skip-invalid", "--json", stdout=StringIO())
    assert StudyRecord.objects.count() == 2
    assert StudyRecord.objects.get(member=m0).form == "网络平台"
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_study", str(path), "--skip-invalid", "--json", stdout=out)
    again = json.loads(out.getvalue())
    assert (again["created"], again["unchanged"]) == (0, 2) and StudyRecord.objects.count() == 2


@time_machine.travel("2026-11-20")
def test_import_rejects_name_mismatch_and_day_over_24_hours(cast):
    m0 = cast["members_a"][0]
    from dangjian.core.importing import run_import

    data = workbook_bytes(
        [
            Sheet(
                "s",
                HEADER,
                [
                    ["别人", m0.id_number, "2026-03-01", 2, "学习", "网络平台"],
                    [m0.name, m0.id_number, "2026-03-02", 14, "学习一", "网络平台"],
                    [m0.name, m0.id_number, "2026-03-02", 12, "学习二", "个人自学"],
                ],
            )
        ]
    )
    report = run_import(StudyImporter(), data, dry_run=True)
    messages = {e.row: e.message for e in report.errors}
    assert "不一致" in messages[2] and "超过 24" in messages[4] and 3 not in messages


@time_machine.travel("2026-11-20")
def test_study_stats_command_json(cast):
    m0 = cast["members_a"][0]
    StudyRecord.objects.create(
        member=m0, date=date(2026, 3, 1), hours=Decimal("33"), content="全年学习", form="网络平台"
    )
    out = StringIO()
    call_command("study_stats", "--year", "2026", "--org", "A", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {"id_number": m0.id_number, "hours": 33.0, "required": 32.0, "met": True} in data["members"]
    assert data["orgs"] == [{"org": "A", "members": 3, "met": 1}]
    with pytest.raises(CommandError):
        call_command("study_stats", "--year", "2026", "--org", "NOPE", "--json", stdout=StringIO())


def test_q4_reminders_list_members_behind(cast):
    ids = [cast["a"].id, cast["b"].id]
    assert reminders.items_for_month(Period.month(2026, 9), date(2026, 9, 1), ids) == {}
    items = reminders.items_for_month(Period.month(2026, 10), date(2026, 10, 1), ids)
    assert items[cast["a"].id][0]["behind"] == 3 and items[cast["a"].id][0]["type"] == "study"


@time_machine.travel("2026-11-20")
def test_pages(cast):
    from django.test import Client

    def login(user):
        client = Client()
        client.force_login(user)
        return client

    m0 = cast["members_a"][0]
    c = login(cast["admin_a"])
    assert c.get("/study/").status_code == 200
    r = c.post(
        "/study/records/new/",
        {"member": m0.pk, "day": "2026-11-01", "hours": "2", "content": "学习新党章", "form": "个人自学"},
    )
    assert r.status_code == 302
    rec = StudyRecord.objects.get(member=m0)
    page = c.get(f"/study/members/{m0.pk}/").content.decode()
    assert "学习新党章" in page
    # Admin of B cannot see or void A's records.
    cb = login(cast["admin_b"])
    assert cb.get(f"/study/members/{m0.pk}/").status_code == 404
    assert cb.post(f"/study/records/{rec.pk}/void/").status_code == 404
    assert c.post(f"/study/records/{rec.pk}/void/").status_code == 302
    rec.refresh_from_db()
    assert rec.is_deleted
    # A member self-reports and sees only themself.
    cm = login(cast["member"])
    assert cm.get("/study/").status_code == 302
    r = cm.post(
        "/study/records/new/",
        {"member": m0.pk, "day": "2026-11-02", "hours": "1", "content": "学习强国", "form": "网络平台"},
    )
    assert r.status_code == 302 and StudyRecord.objects.filter(member=m0, source="self").exists()
    assert cm.get(f"/study/members/{cast['members_a'][1].pk}/").status_code == 404


def test_record_form_messages_name_the_field():
    from dangjian.members.models import Member
    from dangjian.study.forms import RecordForm

    form = RecordForm(data={"day": "2026/13/40"}, members=Member.objects.none())
    assert not form.is_valid()
    assert form.errors["member"] == ["请选择党员"]
    assert form.errors["hours"] == ["请填写学时"]
    assert form.errors["content"] == ["请填写学习内容"]
    assert "年-月-日" in form.errors["day"][0]
