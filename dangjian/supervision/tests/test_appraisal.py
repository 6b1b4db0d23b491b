"""年终总评: computation from data, frozen versions, pages and scope."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from dangjian import factories
from dangjian.activities.models import Activity, ActivityStatus
from dangjian.supervision.appraisal import services
from dangjian.supervision.models import (
    Adjustment,
    AppraisalVersion,
    Indicator,
    IndicatorSource,
    ManualScore,
    Rectification,
)
from dangjian.supervision.tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|csrf[^"]*"[^"]*"')


def _at(d: date) -> datetime:
    return timezone.make_aware(datetime(d.year, d.month, d.day, 10))


def _manual(appraisal) -> Indicator:
    return Indicator.objects.get(appraisal=appraisal, source=IndicatorSource.MANUAL, parent__isnull=False)


def _key(source: str, appraisal) -> str:
    return f"i{Indicator.objects.get(appraisal=appraisal, source=source, parent__isnull=False).pk}"


def _row(data, org):
    return next(r for r in data["rows"] if r["org_id"] == org.pk)


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.make_aware(datetime(2026, 11, 20, 9)), tick=False):
        yield


@pytest.fixture
def setup(cast, frozen):
    a, b = cast["a"], cast["b"]
    appraisal = f.appraisal(2026, actor=cast["bureau"])
    on_time = f.rectification(a, deadline=date(2026, 6, 30), status="closed")
    Rectification.objects.filter(pk=on_time.pk).update(closed_at=_at(date(2026, 6, 20)))
    late = f.rectification(a, deadline=date(2026, 7, 31), status="closed")
    Rectification.objects.filter(pk=late.pk).update(closed_at=_at(date(2026, 8, 15)))
    f.rectification(b, deadline=date(2026, 9, 30), status="in_progress")  # overdue, open
    f.rectification(b, deadline=date(2026, 12, 20), status="pending")  # not yet due: left out
    services.save_manual_scores(
        _manual(appraisal), {a.pk: (Decimal(18), "工作扎实"), b.pk: (Decimal(12), "")}, actor=cast["bureau"]
    )
    services.add_adjustment(appraisal, a, "bonus", Decimal(2), "经验被上级转发", actor=cast["bureau"])
    services.add_adjustment(appraisal, b, "deduction", Decimal(3), "整改逾期", actor=cast["bureau"])
    return {**cast, "appraisal": appraisal}


def test_appraised_organisations_exclude_the_dangzu_and_dissolved(setup, cast):
    factories.org("已撤销支部", parent=cast["organ"], code="X9", dissolved_on=date(2026, 3, 1))
    data = services.compute(setup["appraisal"])
    codes = {r["code"] for r in data["rows"]}
    assert codes == {"JG", "A", "B"}  # not the 党组 ROOT, not the dissolved branch


def test_compute_reads_every_source(setup):
    appraisal, a, b = setup["appraisal"], setup["a"], setup["b"]
    data = services.compute(appraisal)
    ra, rb = _row(data, a), _row(data, b)
    rect = _key(IndicatorSource.RECTIFICATION, appraisal)
    assert ra["raw"][rect] == {"value": "0.50", "text": "1/2 按时销号"}
    assert rb["raw"][rect] == {"value": "0.00", "text": "0/1 按时销号"}
    manual = f"i{_manual(appraisal).pk}"
    assert ra["raw"][manual]["text"] == "18.00 分（工作扎实）" and ra["scores"][manual] == "18.00"
    assert ra["bonus"] == "2.00" and rb["deduction"] == "3.00"
    assert _row(data, setup["organ"])["raw"][manual]["text"] == "未评分"
    cases = _key(IndicatorSource.CASES, appraisal)
    assert ra["raw"][cases]["text"] == "0 篇" and ra["scores"][cases] == "0.00"
    obs = _key(IndicatorSource.OBSERVATION, appraisal)
    assert ra["raw"][obs]["text"] == "未参加观摩" and ra["scores"][obs] == "0.00"
    term = _key(IndicatorSource.TERM, appraisal)
    assert ra["raw"][term]["text"] == "未录入任期" and ra["scores"][term] == "0.00"
    assert data["max_total"] == "100.00"
    assert [r["rank"] for r in data["rows"]] == sorted(r["rank"] for r in data["rows"])


def test_veto_makes_grade_poor_whatever_the_score(setup):
    appraisal, a = setup["appraisal"], setup["a"]
    services.add_adjustment(appraisal, a, "veto", None, "发生严重违纪问题", actor=None)
    row = _row(services.compute(appraisal), a)
    assert row["veto"] and row["grade"] == "差"
    assert row["rank"] == 3  # after the two that were not vetoed


def test_revoked_adjustment_no_longer_counts(setup):
    adj = Adjustment.objects.get(kind="bonus")
    services.revoke_adjustment(adj, actor=None)
    assert _row(services.compute(setup["appraisal"]), setup["a"])["bonus"] == "0.00"


def test_thresholds_are_configurable(setup):
    appraisal = setup["appraisal"]
    total = Decimal(_row(services.compute(appraisal), setup["a"])["total"])
    services.update_appraisal(
        appraisal,
        {
            "title": appraisal.title,
            "note": "",
            "good_from": total,
            "fairly_good_from": total - 1,
            "average_from": 0,
        },
        version=appraisal.version,
        actor=None,
    )
    appraisal.refresh_from_db()
    assert _row(services.compute(appraisal), setup["a"])["grade"] == "好"
    with pytest.raises(services.ServiceError, match="好 > 较好"):
        services.update_appraisal(
            appraisal,
            {"title": "x", "note": "", "good_from": 50, "fairly_good_from": 60, "average_from": 0},
            version=appraisal.version,
            actor=None,
        )


def test_manual_points_are_checked(setup):
    with pytest.raises(services.ServiceError, match="0 至 20"):
        services.parse_points("25", Decimal(20), "测试第一党支部")
    with pytest.raises(services.ServiceError, match="不是数字"):
        services.parse_points("十分", Decimal(20), "测试第一党支部")
    assert services.parse_points("", Decimal(20), "x") is None


def _page(client, url: str) -> bytes:
    """The page's own content (the <main> element): the header around it carries per-request and per-user
    things (CSRF token, unread notifications) that are not part of the published result."""
    response = client.get(url)
    assert response.status_code == 200
    body = response.content
    main = body[body.index(b'<main class="content"') : body.index(b"</main>")]
    assert b"<table" in main
    return CSRF.sub(b"", main)


def _tables(page: bytes) -> list[bytes]:
    return re.findall(rb"<table.*?</table>", page, re.S)


def test_published_result_never_changes_with_the_data(setup, login):
    """Publish, then change activities, rectifications, hand scores and adjustments: the published page and
    export stay byte-for-byte the same, while the live preview does change; recomputing makes v2."""
    appraisal, a, b = setup["appraisal"], setup["a"], setup["b"]
    v1 = services.publish(appraisal, actor=setup["bureau"])
    assert v1.number == 1
    client = login(setup["bureau"])
    base = f"/supervision/appraisals/{appraisal.pk}/v1/"
    urls = [base, f"{base}orgs/{a.pk}/", f"{base}orgs/{b.pk}/"]
    before = [_page(client, u) for u in urls]
    export_before = client.get(f"{base}export/").content
    preview_before = services.compute(appraisal)

    # Data changes of every kind.
    acts = [
        f.activity(a, on=date(2026, m, 10), kinds=("branch_committee",), status=ActivityStatus.APPROVED)
        for m in range(1, 11)
    ]
    f.activity(b, on=date(2026, 5, 10), kinds=("party_lecture",), status=ActivityStatus.APPROVED)
    Activity.objects.filter(pk=acts[0].pk).update(is_deleted=True)
    Activity.objects.filter(pk=acts[1].pk).delete()
    late = f.rectification(a, deadline=date(2026, 10, 1), status="in_progress")
    Rectification.objects.filter(organization=b).update(status="closed", closed_at=_at(date(2026, 9, 1)))
    Rectification.objects.filter(pk=late.pk).update(status="cancelled")  # rectifications are never deleted
    f.rectification(a, deadline=date(2026, 10, 2))
    services.save_manual_scores(_manual(appraisal), {a.pk: (Decimal(5), ""), b.pk: (None, "")}, actor=None)
    services.add_adjustment(appraisal, b, "veto", None, "发生严重问题", actor=None)
    Indicator.objects.filter(appraisal=appraisal, source=IndicatorSource.CASES).update(max_points=9)

    assert services.compute(appraisal)["rows"] != preview_before["rows"]  # the data did change
    assert [_page(client, u) for u in urls] == before
    assert client.get(f"{base}export/").content == export_before
    assert AppraisalVersion.objects.get(pk=v1.pk).data == v1.data

    v2 = services.publish(appraisal, actor=setup["bureau"], note="重新计算")
    assert v2.number == 2 and v2.data != v1.data
    assert _row(v2.data, b)["veto"] and not _row(v1.data, b)["veto"]
    # v1 is still readable and its results are unchanged (the page now links to v2 as another version).
    assert [_tables(_page(client, u)) for u in urls] == [_tables(p) for p in before]
    assert "第2版" in client.get(f"/supervision/appraisals/{appraisal.pk}/v2/").content.decode()


def test_export_has_results_and_breakdown(setup, login):
    from dangjian.core.xlsx import iter_rows

    v = services.publish(setup["appraisal"], actor=None)
    body = (
        login(setup["inspector"]).get(f"/supervision/appraisals/{setup['appraisal'].pk}/v1/export/").content
    )
    rows = list(iter_rows(body))
    assert rows[0][:3] == ["名次", "组织代码", "党组织"] and "等次" in rows[0]
    assert {r[1] for r in rows[1:]} == {"JG", "A", "B"}
    assert len(rows) == 1 + len(v.data["rows"])


def test_org_admin_sees_only_own_published_row(setup, login):
    appraisal, a, b = setup["appraisal"], setup["a"], setup["b"]
    client = login(setup["admin_a"])
    assert "尚无已发布的年终总评结果" in client.get("/supervision/appraisals/").content.decode()
    services.publish(appraisal, actor=None)
    html = client.get(f"/supervision/appraisals/{appraisal.pk}/v1/").content.decode()
    assert "测试第一党支部" in html and "测试第二党支部" not in html
    assert client.get(f"/supervision/appraisals/{appraisal.pk}/v1/orgs/{a.pk}/").status_code == 200
    assert client.get(f"/supervision/appraisals/{appraisal.pk}/v1/orgs/{b.pk}/").status_code == 404
    assert client.get(f"/supervision/appraisals/{appraisal.pk}/").status_code == 403
    assert client.get(f"/supervision/appraisals/{appraisal.pk}/v1/export/").status_code == 403
    listing = client.get("/supervision/appraisals/").content.decode()
    assert f"/supervision/appraisals/{appraisal.pk}/v1/" in listing


def test_results_page_is_ranked_with_coloured_grades(setup, login):
    services.publish(setup["appraisal"], actor=None)
    html = (
        login(setup["inspector"]).get(f"/supervision/appraisals/{setup['appraisal'].pk}/v1/").content.decode()
    )
    assert "tag-bad" in html or "tag-warn" in html or "tag-ok" in html
    assert html.index("测试第一党支部") < html.index("测试第二党支部")  # A (bonus) ranks above B (deduction)
    assert "导出 Excel" in html


def test_detail_preview_and_publish_page(setup, login):
    client = login(setup["bureau"])
    pk = setup["appraisal"].pk
    html = client.get(f"/supervision/appraisals/{pk}/").content.decode()
    assert "按当前数据试算" in html and "发布结果" in html
    response = client.post(f"/supervision/appraisals/{pk}/publish/", {"note": "首次发布"})
    assert response.status_code == 302 and response["Location"].endswith("/v1/")
    html = client.get(f"/supervision/appraisals/{pk}/").content.decode()
    assert "重新计算并发布新版本" in html
    client.post(f"/supervision/appraisals/{pk}/publish/")
    assert list(AppraisalVersion.objects.filter(appraisal_id=pk).values_list("number", flat=True)) == [2, 1]


def test_create_page_and_duplicate_year(cast, login, frozen):
    client = login(cast["bureau"])
    response = client.post("/supervision/appraisals/new/", {"year": 2025, "title": ""})
    assert response.status_code == 302
    assert Indicator.objects.filter(appraisal__year=2025, parent__isnull=True).count() == 5
    response = client.post("/supervision/appraisals/new/", {"year": 2025})
    assert "2025年度的年终总评已经建立" in response.content.decode()


def test_indicator_editor(setup, login):
    appraisal = setup["appraisal"]
    client = login(setup["bureau"])
    url = f"/supervision/appraisals/{appraisal.pk}/indicators/"
    top = Indicator.objects.get(appraisal=appraisal, name="特色创新")
    response = client.post(
        url,
        {
            "parent": top.pk,
            "name": "志愿服务",
            "max_points": "2",
            "source": "manual",
            "requirement_key": "",
            "target": "",
            "missing_full": "",
            "guidance": "",
            "sort": "30",
        },
    )
    assert response.status_code == 302
    new = Indicator.objects.get(name="志愿服务")
    assert new.parent == top
    response = client.post(
        url,
        {
            "indicator": new.pk,
            "version": new.version,
            "parent": top.pk,
            "name": "志愿服务活动",
            "max_points": "3",
            "source": "manual",
            "sort": "30",
        },
    )
    assert response.status_code == 302
    new.refresh_from_db()
    assert (new.name, new.max_points, new.version) == ("志愿服务活动", 3, 2)
    stale = client.post(
        url,
        {"indicator": new.pk, "version": 1, "name": "x", "max_points": "3", "source": "manual", "sort": 1},
    )
    assert "已被他人修改" in stale.content.decode()
    bad = client.post(
        url, {"name": "达标", "max_points": "3", "source": "compliance", "requirement_key": "nope", "sort": 1}
    )
    assert "没有这个组织生活要求代码" in bad.content.decode()
    client.post(f"/supervision/appraisals/indicators/{top.pk}/remove/")
    assert not Indicator.objects.filter(parent=top, is_active=True).exists()
    data = services.compute(appraisal)
    assert "特色创新" not in [t["name"] for t in data["tree"]] and data["max_total"] == "90.00"


def test_manual_score_page(setup, login):
    appraisal, a, b = setup["appraisal"], setup["a"], setup["b"]
    ind = _manual(appraisal)
    client = login(setup["bureau"])
    url = f"/supervision/appraisals/{appraisal.pk}/manual/{ind.pk}/"
    assert 'value="18.00"' in client.get(url).content.decode()
    bad = client.post(url, {f"points-{a.pk}": "30", f"points-{b.pk}": "abc"}).content.decode()
    assert "测试第一党支部：得分应在 0 至 20.00 之间" in bad and "本次未保存" in bad
    assert ManualScore.objects.get(indicator=ind, organization=a).points == 18
    client.post(url, {f"points-{a.pk}": "19.5", f"note-{a.pk}": "复核", f"points-{b.pk}": ""})
    assert ManualScore.objects.get(indicator=ind, organization=a).points == Decimal("19.5")
    assert ManualScore.objects.get(indicator=ind, organization=b).points is None  # cleared, not deleted
    assert _row(services.compute(appraisal), b)["raw"][f"i{ind.pk}"]["text"] == "未评分"


def test_adjustment_page(setup, login):
    appraisal, a = setup["appraisal"], setup["a"]
    client = login(setup["bureau"])
    url = f"/supervision/appraisals/{appraisal.pk}/adjustments/"
    no_reason = client.post(url, {"organization": a.pk, "kind": "bonus", "points": "1", "reason": " "})
    assert no_reason.status_code == 200
    no_points = client.post(url, {"organization": a.pk, "kind": "deduction", "points": "", "reason": "迟报"})
    assert "分值应大于 0" in no_points.content.decode()
    client.post(url, {"organization": a.pk, "kind": "veto", "reason": "严重违纪"})
    veto = Adjustment.objects.get(kind="veto")
    assert veto.points == 0
    client.post(f"/supervision/appraisals/adjustments/{veto.pk}/revoke/")
    veto.refresh_from_db()
    assert veto.is_revoked


def test_the_read_only_inspector_cannot_add_or_revoke_adjustments_or_scores(setup, login):
    """Issue 14 item 11: the inspector (督查员, read-only) reads 年终总评 but writes nothing in it."""
    appraisal, a = setup["appraisal"], setup["a"]
    ind = _manual(appraisal)
    client = login(setup["inspector"])
    url = f"/supervision/appraisals/{appraisal.pk}/adjustments/"
    page = client.get(url).content.decode()
    assert "经验被上级转发" in page and "只能查阅" in page and 'name="reason"' not in page
    r = client.post(url, {"organization": a.pk, "kind": "deduction", "points": "5", "reason": "督查员扣分"})
    assert r.status_code == 403 and not Adjustment.objects.filter(reason="督查员扣分").exists()
    deduction = Adjustment.objects.get(kind="deduction")
    r = client.post(f"/supervision/appraisals/adjustments/{deduction.pk}/revoke/")
    deduction.refresh_from_db()
    assert r.status_code == 403 and not deduction.is_revoked
    manual = f"/supervision/appraisals/{appraisal.pk}/manual/{ind.pk}/"
    assert "18.00" in client.get(manual).content.decode()
    assert client.post(manual, {f"points-{a.pk}": "20"}).status_code == 403
    assert ManualScore.objects.get(indicator=ind, organization=a).points == 18


def test_results_page_queries_do_not_grow(setup, login):
    appraisal = setup["appraisal"]
    client = login(setup["inspector"])
    services.publish(appraisal, actor=None)
    small = f.queries_for(client, f"/supervision/appraisals/{appraisal.pk}/v1/")
    for i in range(12):
        factories.org(f"增加的党支部{i}", parent=setup["organ"], code=f"Q{i:02d}")
    services.publish(appraisal, actor=None)
    assert len(AppraisalVersion.objects.get(appraisal=appraisal, number=2).data["rows"]) == 15
    large = f.queries_for(client, f"/supervision/appraisals/{appraisal.pk}/v2/")
    assert small == large


def test_demo_publishes_last_years_appraisal(demo_ctx):
    from dangjian.demo import appraisal as demo

    with time_machine.travel(date(2026, 11, 20), tick=False):
        demo.seed(demo_ctx, demo_ctx.users.get("bureau"))
    v = AppraisalVersion.objects.get(appraisal__year=2025)
    assert v.number == 1
    kinds = [a["kind"] for r in v.data["rows"] for a in r["adjustments"]]
    assert sorted(kinds) == ["bonus", "deduction"]
    assert [t["name"] for t in v.data["tree"]] == ["组织建设", "责任落实", "学习教育", "特色创新", "日常考核"]
    assert all(r["grade"] in ("好", "较好", "一般", "差") for r in v.data["rows"])
