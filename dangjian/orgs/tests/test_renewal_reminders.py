"""换届提醒 (issue 18, item 9): the superior organisation reminds an organisation due for 换届 — a 站内通知 to its
admins, once a day — or prints a 提醒函 in 公文格式 citing 支部条例; both audited as named events."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document

from dangjian.core.actions import Refusal
from dangjian.core.models import AuditEntry
from dangjian.factories import term
from dangjian.notify.models import Notification
from dangjian.orgs.services import reminders

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 7)


def test_remind_notifies_the_admins_once_a_day_and_is_audited(cast):
    term(cast["a"], elected_on=date(2023, 11, 1))  # expired 2026-11-01: 已届满未换届
    reminders.remind_renewal(cast["a"], cast["bureau"], today=TODAY)
    reminders.remind_renewal(cast["a"], cast["bureau"], today=TODAY)
    notes = Notification.objects.filter(recipient=cast["admin_a"])
    assert notes.count() == 1
    assert "换届提醒" in notes.get().title and "2026年11月01日" in notes.get().title
    assert not Notification.objects.filter(recipient=cast["admin_b"]).exists()
    assert AuditEntry.objects.filter(action="term.remind").count() == 2
    reminders.remind_renewal(cast["a"], cast["bureau"], today=date(2026, 12, 8))
    assert notes.count() == 2  # a new day, a new reminder


def test_only_a_superior_reminds_and_only_when_due(cast):
    term(cast["a"], elected_on=date(2024, 3, 1))  # expires 2027-03-01: 即将届满 on TODAY
    term(cast["b"], elected_on=date(2026, 1, 1))  # 正常
    with pytest.raises(Refusal) as exc:
        reminders.remind_renewal(cast["a"], cast["admin_a"], today=TODAY)
    assert exc.value.code == "not_superior"
    with pytest.raises(Refusal) as exc:
        reminders.remind_renewal(cast["b"], cast["bureau"], today=TODAY)
    assert exc.value.code == "not_due"
    assert not Notification.objects.exists()
    assert reminders.may_remind(cast["bureau"], cast["a"])
    assert not reminders.may_remind(cast["admin_b"], cast["a"])


def test_letter_is_an_official_docx_citing_the_rule(cast):
    term(cast["a"], elected_on=date(2024, 3, 1))
    data = reminders.renewal_letter(cast["a"], cast["bureau"], today=TODAY)
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "关于做好党组织换届工作的提醒函" in text
    assert f"{cast['a'].name}：" in text
    assert "2027年03月01日届满" in text
    assert "一般提前6个月以发函或者电话通知等形式" in text
    assert "中共测试商务局党组" in text and "2026年12月7日" in text
    assert doc.sections[0].top_margin.mm == pytest.approx(37, abs=0.5)
    assert AuditEntry.objects.filter(action="term.letter").count() == 1


def test_overview_offers_the_actions_to_the_superior_only(cast, login):
    term(cast["a"], elected_on=date(2023, 1, 1))
    page = login(cast["bureau"]).get("/orgs/terms/").content.decode()
    assert f"/orgs/{cast['a'].pk}/renewal/remind/" in page and f"/orgs/{cast['a'].pk}/renewal/letter/" in page
    page = login(cast["admin_a"]).get("/orgs/terms/").content.decode()
    assert "/renewal/remind/" not in page
    c = login(cast["bureau"])
    r = c.post(f"/orgs/{cast['a'].pk}/renewal/remind/")
    assert r.status_code == 302
    assert Notification.objects.filter(recipient=cast["admin_a"]).count() == 1
    r = c.get(f"/orgs/{cast['a'].pk}/renewal/letter/")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert login(cast["admin_a"]).post(f"/orgs/{cast['a'].pk}/renewal/remind/").status_code == 403
