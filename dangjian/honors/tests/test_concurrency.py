"""Two reviewers moving one nomination: the second acts on a stale copy and is refused (core.actions.Stale)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from dangjian.core.actions import Stale
from dangjian.core.models import AuditEntry
from dangjian.honors import services
from dangjian.honors.models import HonorRound, Nomination, NominationStatus

DEEDS = "该同志长期扎根基层，带头落实三会一课，组织开展志愿服务二十余次，群众评价很高。"


@pytest.fixture
def nomination(cast, monkeypatch) -> Nomination:
    monkeypatch.setattr(services, "failing_orgs", lambda year: set())
    rnd = HonorRound.objects.create(
        year=2026, title="2026年两优一先", opens_on=date(2026, 5, 1), closes_on=date(2026, 6, 10)
    )
    with time_machine.travel("2026-05-20"):
        return services.nominate(
            rnd,
            category="优秀共产党员",
            org=cast["a"],
            member=cast["members_a"][0],
            deeds=DEEDS,
            actor=cast["admin_a"],
        )


@pytest.mark.django_db
def test_the_second_reviewer_of_one_copy_is_refused_as_stale(cast, nomination):
    seen = nomination.version  # both reviewers opened the page at this version
    services.review(nomination, approve=True, comment="", actor=cast["bureau"], expected_version=seen)
    with pytest.raises(Stale, match="已被他人处理"):
        services.review(
            nomination, approve=False, comment="事迹不够具体", actor=cast["bureau"], expected_version=seen
        )
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.APPROVED and nomination.version == seen + 1
    assert list(
        AuditEntry.objects.filter(object_id=str(nomination.pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "nomination.create",
        "nomination.approve",
    ]


@pytest.mark.django_db
def test_the_nomination_page_sends_the_version_and_reports_a_stale_one(client, cast, nomination):
    client.force_login(cast["bureau"])
    url = reverse("honors:nomination", args=[nomination.pk])
    assert f'name="version" value="{nomination.version}"' in client.get(url).content.decode()
    seen = nomination.version
    client.post(url, {"action": "approve", "comment": "", "version": seen})
    response = client.post(url, {"action": "return", "comment": "请补充", "version": seen}, follow=True)
    assert "已被他人处理" in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.APPROVED
