"""Issue 17: the analysis rules page saves through reports.services, one named audit event per changed rule."""

from __future__ import annotations

import pytest

from dangjian.core.models import AuditEntry
from dangjian.reports.models import ReportRule

pytestmark = pytest.mark.django_db


def test_rules_page_saves_through_the_service(cast, login):
    rules = list(ReportRule.objects.all())
    assert len(rules) >= 2
    data = {}
    for r in rules:
        data.update(
            {
                f"{r.pk}-enabled": "on" if r.enabled else "",
                f"{r.pk}-threshold": r.threshold,
                f"{r.pk}-cause": r.cause,
                f"{r.pk}-suggestion": r.suggestion,
            }
        )
    first = rules[0]
    old = first.threshold
    data[f"{first.pk}-threshold"] = old + 1
    client = login(cast["bureau"])
    assert client.post("/reports/rules/", data).status_code == 302
    first.refresh_from_db()
    assert first.threshold == old + 1
    entries = AuditEntry.objects.filter(action="reportrule.update")
    assert [e.object_id for e in entries] == [str(first.pk)]  # the unchanged rules leave no entry
    assert entries[0].changes["threshold"] == [old, old + 1]


def test_rules_page_is_the_bureaus(cast, login):
    assert login(cast["admin_a"]).post("/reports/rules/", {}).status_code == 403
