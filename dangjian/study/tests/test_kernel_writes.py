"""Issue 17: study refusals are actions.Refusal on the form; writes leave named events; a member's own-record
view is the scope's answer (scope.own_record_only), not a role test in the page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from dangjian.accounts import scope
from dangjian.core.actions import Refusal
from dangjian.core.models import AuditEntry
from dangjian.study import services
from dangjian.study.models import StudyRecord

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-05-20 10:00 +0800")
def test_refusals_and_named_events(cast):
    m = cast["members_a"][0]
    kw = {"day": date(2026, 5, 1), "content": "学习党章", "form": "个人自学", "actor": cast["admin_a"]}
    with pytest.raises(Refusal) as exc:
        services.add_record(m, hours=Decimal(25), **kw)
    assert exc.value.field == "hours"
    rec = services.add_record(m, hours=Decimal(2), **kw)
    with pytest.raises(Refusal) as exc:
        services.add_record(m, hours=Decimal(1), **kw)
    assert exc.value.field == "content"
    services.void_record(rec, actor=cast["admin_a"], reason="重复")
    assert AuditEntry.objects.filter(action="studyrecord.create", object_id=str(rec.pk)).count() == 1
    assert AuditEntry.objects.get(action="studyrecord.void").note == "作废：重复"


@time_machine.travel("2026-05-20 10:00 +0800")
def test_refusal_lands_on_the_form_field(cast, login):
    m = cast["members_a"][0]
    client = login(cast["admin_a"])
    data = {"member": m.pk, "day": "2026-05-01", "hours": "20", "content": "学习党章", "form": "个人自学"}
    assert client.post("/study/records/new/", data).status_code == 302
    response = client.post("/study/records/new/", {**data, "hours": "5", "content": "另一内容"})
    assert response.status_code == 200
    assert "超过 24 学时" in str(response.context["form"].errors["hours"])
    assert StudyRecord.objects.count() == 1


def test_own_record_only_is_the_members_scope(cast):
    assert scope.own_record_only(cast["member"])
    assert not any(scope.own_record_only(cast[k]) for k in ("bureau", "admin_a", "inspector"))
