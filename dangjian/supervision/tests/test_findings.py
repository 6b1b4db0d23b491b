"""Findings per drawn organisation and item; 不符合 → rectification; photos by content, served by scope."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core.models import AuditEntry
from dangjian.supervision import services
from dangjian.supervision.models import ChecklistItem, Finding, FindingPhoto, Rectification
from dangjian.supervision.tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


@pytest.fixture
def target_a(cast):
    rnd = f.inspection_round([cast["a"], cast["b"]])
    return rnd.targets.get(organization=cast["a"])


def items() -> list[ChecklistItem]:
    return list(ChecklistItem.objects.filter(is_active=True).order_by("sort"))


def post_data(target, results: dict[int, tuple[str, str]], **extra) -> dict:
    data = {"version": target.version, "inspected_on": "2026-11-18", "deadline": "", "summary": ""}
    for pk, (result, note) in results.items():
        data[f"result_{pk}"] = result
        data[f"note_{pk}"] = note
    return {**data, **extra}


def test_default_checklist_seeded():
    names = [i.name for i in items()]
    assert names[:2] == ["三会一课记录", "主题党日"]
    assert {"组织生活会", "党员教育", "台账资料"} <= set(names)


@time_machine.travel(TODAY, tick=False)
def test_record_findings_and_fail_becomes_rectification(cast, target_a, login):
    it = items()
    client = login(cast["inspector"])
    data = post_data(
        target_a,
        {
            it[0].pk: ("fail", "第三季度未召开支部党员大会"),
            it[1].pk: ("partial", "记录不全"),
            it[2].pk: ("pass", ""),
        },
    )
    r = client.post(f"/supervision/inspections/targets/{target_a.pk}/", data)
    assert r.status_code == 302
    assert Finding.objects.filter(target=target_a).count() == 3
    rect = Rectification.objects.get()
    assert rect.organization == cast["a"] and rect.status == "pending"
    assert rect.deadline == date(2026, 11, 18) + timedelta(days=30)  # default: 30 days from the inspection
    assert rect.problem == "第三季度未召开支部党员大会" and "三会一课记录" in rect.title
    target_a.refresh_from_db()
    assert target_a.inspected_on == date(2026, 11, 18) and target_a.inspector == cast["inspector"]
    assert AuditEntry.objects.filter(model="supervision.rectification").exists()
    # The organisation's admin reads its findings; the other branch's admin does not find them.
    page = login(cast["admin_a"]).get(f"/supervision/inspections/targets/{target_a.pk}/").content.decode()
    assert "第三季度未召开支部党员大会" in page and "保存检查结果" not in page
    assert login(cast["admin_b"]).get(f"/supervision/inspections/targets/{target_a.pk}/").status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_explicit_deadline(cast, target_a):
    it = items()[0]
    services.record_findings(
        target_a,
        [services.FindingInput(it.pk, "fail", "问题")],
        inspected_on=date(2026, 11, 1),
        deadline=date(2026, 12, 15),
        actor=cast["bureau"],
    )
    assert Rectification.objects.get().deadline == date(2026, 12, 15)


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    "entry,kw,message",
    [
        (("fail", ""), {}, "请在情况说明中写明具体问题"),
        (("great", ""), {}, "检查结论无效"),
        (("pass", ""), {"inspected_on": date(2026, 11, 21)}, "不能晚于今天"),
        (("fail", "x"), {"deadline": date(2026, 11, 1)}, "不能早于检查日期"),
    ],
)
def test_bad_input_refused_nothing_written(cast, target_a, entry, kw, message):
    it = items()[0]
    args = {"inspected_on": date(2026, 11, 10), **kw}
    with pytest.raises(services.ServiceError, match=message):
        services.record_findings(
            target_a, [services.FindingInput(it.pk, *entry)], actor=cast["inspector"], **args
        )
    assert not Finding.objects.exists() and not Rectification.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_stale_version_refused(cast, target_a, login):
    it = items()[0]
    client = login(cast["inspector"])
    stale = post_data(target_a, {it.pk: ("pass", "")})
    client.post(f"/supervision/inspections/targets/{target_a.pk}/", stale)
    r = client.post(
        f"/supervision/inspections/targets/{target_a.pk}/", {**stale, f"result_{it.pk}": "partial"}
    )
    assert r.status_code == 400 and "已被他人修改" in r.content.decode()
    assert Finding.objects.get().result == "pass"


@time_machine.travel(TODAY, tick=False)
def test_correcting_a_fail_withdraws_a_pending_rectification_only(cast, target_a):
    it = items()[0]
    record = lambda result, note="问题": services.record_findings(  # noqa: E731
        target_a, [services.FindingInput(it.pk, result, note)], inspected_on=TODAY, actor=cast["inspector"]
    )
    record("fail")
    rect = Rectification.objects.get()
    record("partial", "基本落实")
    rect.refresh_from_db()
    assert rect.status == "cancelled" and rect.events.filter(kind="cancel").exists()
    record("fail", "复查仍不符合")  # the same rectification is issued again
    rect.refresh_from_db()
    assert rect.status == "pending" and rect.problem == "复查仍不符合"
    assert Rectification.objects.count() == 1
    services.act(rect, "start", actor=cast["admin_a"])
    with pytest.raises(services.ServiceError, match="已下达整改且状态为“整改中”"):
        record("pass", "")


def test_only_the_inspector_side_records(cast, target_a, login):
    it = items()[0]
    data = post_data(target_a, {it.pk: ("pass", "")})
    assert (
        login(cast["admin_a"]).post(f"/supervision/inspections/targets/{target_a.pk}/", data).status_code
        == 403
    )
    assert login(cast["member"]).get(f"/supervision/inspections/targets/{target_a.pk}/").status_code == 403
    assert not Finding.objects.exists()
    with pytest.raises(Exception, match="只有督查员"):
        services.record_findings(target_a, [], inspected_on=None, actor=cast["admin_a"])


def test_void_round_takes_no_findings(cast, target_a):
    target_a.round.status = "void"
    target_a.round.save()
    with pytest.raises(services.ServiceError, match="已作废"):
        services.record_findings(target_a, [], inspected_on=None, actor=cast["bureau"])


# --- photos -----------------------------------------------------------------------------------------------------
def test_photo_upload_checked_by_content_and_served_by_scope(cast, target_a, login, settings):
    finding = f.finding(target_a)
    client = login(cast["inspector"])
    r = client.post(
        f"/supervision/findings/{finding.pk}/photos/", {"photos": [f.png("现场.png"), f.png("台账.png")]}
    )
    assert r.status_code == 302 and r["Location"].endswith(f"#item-{finding.item_id}")
    photos = list(FindingPhoto.objects.filter(finding=finding))
    assert len(photos) == 2
    stored = photos[0].file.name
    assert "现场" not in stored and stored.startswith("supervision/photos/") and stored.endswith(".png")
    assert photos[0].original_name == "现场.png"

    # a script renamed .jpg is refused, nothing stored
    fake = SimpleUploadedFile("照片.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    r = client.post(f"/supervision/findings/{finding.pk}/photos/", {"photos": [fake]}, follow=True)
    assert "不是可接受的类型" in r.content.decode()
    assert FindingPhoto.objects.filter(finding=finding).count() == 2

    # served only through the scope-checking view, with a sandboxing CSP
    url = f"/supervision/photos/{photos[0].pk}/"
    r = login(cast["admin_a"]).get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert b"".join(r.streaming_content) == f.PNG_BYTES
    assert "sandbox" in r["Content-Security-Policy"]
    assert login(cast["admin_b"]).get(url).status_code == 404
    assert login(cast["member"]).get(url).status_code == 403

    # deleting keeps the file but hides it
    client = login(cast["bureau"])
    assert client.post(f"/supervision/photos/{photos[0].pk}/delete/").status_code == 302
    assert client.get(url).status_code == 404


def test_photo_size_cap(cast, target_a, login, settings):
    settings.DANGJIAN_UPLOAD_MAX_BYTES = 50
    finding = f.finding(target_a)
    big = SimpleUploadedFile("大图.png", f.PNG_BYTES + b"\0" * 100, content_type="image/png")
    r = login(cast["bureau"]).post(
        f"/supervision/findings/{finding.pk}/photos/", {"photos": [big]}, follow=True
    )
    assert "超过" in r.content.decode() and not FindingPhoto.objects.exists()


def test_target_page_queries_do_not_grow(cast, target_a, login):
    url = f"/supervision/inspections/targets/{target_a.pk}/"
    client = login(cast["inspector"])
    first = f.finding(target_a)
    f.photo(first)
    small = f.queries_for(client, url)
    for _ in range(3):
        fd = f.finding(target_a)
        f.photo(fd)
        f.photo(fd)
        f.rectification(cast["a"], finding_obj=fd)
    assert f.queries_for(client, url) == small


# --- the checklist -----------------------------------------------------------------------------------------------
def test_checklist_edit_by_bureau_only(cast, login):
    item = items()[0]
    client = login(cast["bureau"])
    r = client.post(
        f"/supervision/checklist/{item.pk}/",
        {"name": "三会一课", "guidance": "新的要点", "sort": "5", "is_active": "on", "version": item.version},
    )
    assert r.status_code == 302
    item.refresh_from_db()
    assert (item.name, item.sort, item.version) == ("三会一课", 5, 2)
    r = client.post("/supervision/checklist/new/", {"name": "主题党日", "sort": "1"})
    assert "已存在" in r.content.decode()
    r = client.post("/supervision/checklist/new/", {"name": "党费收缴", "sort": "90", "is_active": "on"})
    assert r.status_code == 302 and ChecklistItem.objects.filter(name="党费收缴").exists()
    # a stale edit is refused
    r = client.post(f"/supervision/checklist/{item.pk}/", {"name": "X", "sort": "1", "version": "1"})
    assert "已被他人修改" in r.content.decode()
    assert login(cast["inspector"]).get("/supervision/checklist/new/").status_code == 403


def test_renaming_an_item_keeps_history(cast, target_a):
    item = items()[0]
    finding = f.finding(target_a, item=item)
    services.save_checklist_item(
        item, name="三会一课（新）", guidance="", sort=1, is_active=False, actor=cast["bureau"]
    )
    finding.refresh_from_db()
    assert finding.item_name == "三会一课记录"
