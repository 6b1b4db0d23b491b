"""Issue 17: the pages' writes go through the services with named audit events (no form.save in a view)."""

from __future__ import annotations

from datetime import date

import pytest

from dangjian.core import audit_events
from dangjian.core.actions import Refusal
from dangjian.core.models import AuditEntry
from dangjian.honors import services
from dangjian.honors.models import HonorRound

pytestmark = pytest.mark.django_db


def test_review_rules_are_saved_by_the_service_and_audited(cast, login):
    rnd = services.create_review_round(2026, "2026年度述职评议", actor=cast["bureau"])
    assert set(rnd.evaluators.all()) == {cast["bureau"], cast["admin_a"], cast["admin_b"], cast["inspector"]}
    client = login(cast["bureau"])
    response = client.post(
        f"/honors/reviews/{rnd.pk}/settings/",
        {"good_share": 70, "fairly_good_share": 65, "poor_share": 30, "evaluators": [cast["bureau"].pk]},
    )
    assert response.status_code == 302
    rnd.refresh_from_db()
    assert (rnd.good_share, rnd.fairly_good_share, rnd.poor_share) == (70, 65, 30)
    assert list(rnd.evaluators.all()) == [cast["bureau"]]
    entry = AuditEntry.objects.get(action="reviewround.rules")
    assert entry.changes["good_share"] == [60, 70] and entry.changes["evaluators"][1] == [cast["bureau"].pk]
    assert audit_events.label("reviewround.rules") == "修改述职评议评定规则或测评人名单"
    services.set_voting(rnd, open_=False, actor=cast["bureau"])
    assert AuditEntry.objects.filter(action="reviewround.close").count() == 1
    with pytest.raises(Refusal, match="测评已结束"):
        services.update_review_rules(
            rnd, good_share=50, fairly_good_share=50, poor_share=50, evaluators=[], actor=cast["bureau"]
        )


def test_honor_round_is_created_by_the_service(cast, login):
    client = login(cast["bureau"])
    data = {
        "year": 2026,
        "title": "2026年度两优一先",
        "opens_on": "2026-05-01",
        "closes_on": "2026-06-10",
        "publicity_days": 5,
        "quota_note": "",
    }
    assert client.post("/honors/rounds/", data).status_code == 302
    rnd = HonorRound.objects.get()
    assert AuditEntry.objects.get(action="honorround.create").object_id == str(rnd.pk)
    with pytest.raises(Refusal) as exc:
        services.create_honor_round(
            {**data, "opens_on": date(2026, 6, 1), "closes_on": date(2026, 5, 1)}, actor=cast["bureau"]
        )
    assert exc.value.field == "closes_on"
