"""The review queue at scale (issue 18): filters, order, approval only of records shown, bulk approval."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangjian.activities import services
from dangjian.activities.models import Activity, ActivityStatus
from dangjian.core.models import AuditEntry

from .factories import activity

pytestmark = pytest.mark.django_db


def submitted(org, kinds=None, *, topic, days_ago=0):
    a = activity(org, kinds or ["theme_day"], topic=topic, day=date(2025, 3, 1))
    services.submit(a, actor=None)
    Activity.objects.filter(pk=a.pk).update(submitted_at=timezone.now() - timedelta(days=days_ago))
    a.refresh_from_db()
    return a


def rows(client, query=""):
    r = client.get(f"/activities/review/{query}")
    assert r.status_code == 200
    return [a.topic for a in r.context["page"].object_list]


def test_filters_and_order(cast, login):
    old = submitted(cast["a"], ["branch_assembly"], topic="甲旧", days_ago=20)
    mid = submitted(cast["b"], topic="乙中", days_ago=8)
    new = submitted(cast["a"], topic="甲新", days_ago=1)
    c = login(cast["bureau"])
    assert rows(c) == ["甲旧", "乙中", "甲新"]  # oldest first by default
    assert rows(c, "?order=newest") == ["甲新", "乙中", "甲旧"]
    assert rows(c, f"?org={cast['a'].pk}") == ["甲旧", "甲新"]
    assert rows(c, "?kind=branch_assembly") == ["甲旧"]
    assert rows(c, "?age=7") == ["甲旧", "乙中"]
    assert rows(c, "?age=14&order=newest") == ["甲旧"]
    assert c.get("/activities/review/?age=5").status_code == 400
    assert c.get("/activities/review/?order=random").status_code == 400
    # an organisation outside the reviewer's scope is not found
    assert login(cast["admin_b"]).get(f"/activities/review/?org={cast['a'].pk}").status_code == 404
    assert {old.pk, mid.pk, new.pk}


def test_approval_only_after_the_content_was_shown(cast, login):
    a = submitted(cast["a"], topic="待审甲")
    b = submitted(cast["b"], topic="待审乙")
    c = login(cast["bureau"])
    page = c.get("/activities/review/").content.decode()
    assert 'name="pk"' not in page and "展开核对" in page  # nothing selectable before it is shown
    # selecting by hand without having seen it: refused, per record
    r = c.post("/activities/review/bulk/", {"pk": [a.pk, b.pk]}, follow=True)
    assert "待审甲：未通过" in r.content.decode() and "待审乙：未通过" in r.content.decode()
    assert Activity.objects.filter(status=ActivityStatus.APPROVED).count() == 0
    # expanded in place (htmx): the content, and the box to select it
    part = c.get(f"/activities/review/{a.pk}/expand/").content.decode()
    assert "张书记" in part and f'value="{a.pk}"' in part and 'form="bulk-form"' in part
    assert f'value="{a.pk}" form="bulk-form"' in c.get("/activities/review/").content.decode()
    # opened: the record page marks it shown too
    c.get(f"/activities/{b.pk}/")
    before = AuditEntry.objects.filter(action="activity.approve").count()
    r = c.post("/activities/review/bulk/", {"pk": [a.pk, b.pk], "comment": "同意"}, follow=True)
    assert "已审核通过 2 条记录" in r.content.decode()
    for x in (a, b):
        x.refresh_from_db()
        assert x.status == ActivityStatus.APPROVED and x.reviewed_by == cast["bureau"]
        assert x.review_comment == "同意"
    assert AuditEntry.objects.filter(action="activity.approve").count() == before + 2


def test_a_record_changed_after_it_was_shown_is_refused_the_others_pass(cast, login):
    a = submitted(cast["a"], topic="会被修改的")
    b = submitted(cast["a"], topic="未改的")
    c = login(cast["bureau"])
    c.get(f"/activities/review/{a.pk}/expand/")
    c.get(f"/activities/review/{b.pk}/expand/")
    Activity.objects.filter(pk=a.pk).update(version=a.version + 1)  # changed by someone else since shown
    r = c.post("/activities/review/bulk/", {"pk": [a.pk, b.pk]}, follow=True)
    text = r.content.decode()
    assert "已审核通过 1 条记录" in text and "会被修改的：未通过" in text and "已被他人修改" in text
    assert Activity.objects.get(pk=a.pk).status == ActivityStatus.SUBMITTED
    assert Activity.objects.get(pk=b.pk).status == ActivityStatus.APPROVED


def test_seen_by_one_reviewer_is_not_seen_by_another(cast, login):
    jg = __import__("dangjian.factories", fromlist=["user"]).user(
        "admin_jg", "org_admin", organization=cast["organ"]
    )
    a = submitted(cast["a"], topic="甲")
    login(cast["bureau"]).get(f"/activities/review/{a.pk}/expand/")
    login(jg).post("/activities/review/bulk/", {"pk": [a.pk]})
    assert Activity.objects.get(pk=a.pk).status == ActivityStatus.SUBMITTED


def test_single_approval_needs_the_record_opened(cast, login):
    a = submitted(cast["a"], topic="甲")
    c = login(cast["bureau"])
    r = c.post(f"/activities/{a.pk}/review/", {"decision": "approve", "version": a.version}, follow=True)
    assert "尚未查看该记录的内容" in r.content.decode()
    assert Activity.objects.get(pk=a.pk).status == ActivityStatus.SUBMITTED
    c.post(f"/activities/{a.pk}/review/", {"decision": "approve", "version": a.version})
    assert Activity.objects.get(pk=a.pk).status == ActivityStatus.APPROVED  # the redirect opened it


def test_bulk_outside_scope_is_refused(cast, login):
    a = submitted(cast["a"], topic="甲")
    c = login(cast["bureau"])
    c.get(f"/activities/review/{a.pk}/expand/")
    result = services.bulk_approve([a.pk], actor=cast["admin_b"], seen={a.pk: a.version})
    assert not result.approved and result.refused[0][2] == "记录不存在或不在您的审核范围内"


def test_home_page_counts_pending_per_organisation(cast, login):
    submitted(cast["a"], topic="甲1")
    submitted(cast["a"], topic="甲2")
    submitted(cast["b"], topic="乙1")
    page = login(cast["bureau"]).get("/").content.decode()
    assert 'id="pending-by-org"' in page
    assert f"?org={cast['a'].pk}" in page and "待审核 2" in page and "待审核 1" in page
    assert services.pending_by_org(cast["bureau"]) == [(cast["a"], 2), (cast["b"], 1)]
