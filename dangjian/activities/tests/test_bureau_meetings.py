"""The bureau's own meetings as records (issue 13 part 6): 年度党建工作会议, 民主生活会 (会前征求意见, 对照检查,
整改清单) and 理论学习中心组学习 are kinds with their own details, entered on the activity form and counted in the
yearly report."""

from __future__ import annotations

import pytest
import time_machine

from dangjian.activities.models import Activity, ActivityKind, BureauMeeting, KindAudience
from dangjian.core.models import AuditEntry
from dangjian.reports import annual

pytestmark = pytest.mark.django_db

LIFE = {
    "kinds": ["leadership_life_meeting"],
    "date": "2026-03-10",
    "topic": "2025年度党组民主生活会",
    "host": "刘书记",
    "attendees": "局党组书记、党组成员",
    "opinions_solicited": "向局属各党组织发放征求意见表，收集意见建议12条",
    "self_examination": "班子成员逐一对照检查，查摆问题8个",
    "rectification_list": "调研不够深入：每季度到基层调研一次，刘书记，2026年6月底\n\n"
    "联系群众不够：建立联系点，许亚男，2026年4月底\n",
}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-05-20", tick=False):
        yield


def test_the_kinds_are_built_in_for_the_leadership():
    kinds = {
        k.key: k
        for k in ActivityKind.objects.filter(
            key__in=["annual_conference", "leadership_life_meeting", "center_group_study"]
        )
    }
    assert {k.name for k in kinds.values()} == {"年度党建工作会议", "民主生活会", "理论学习中心组学习"}
    assert all(k.is_builtin and k.audience == KindAudience.COMMITTEE for k in kinds.values())
    assert kinds["center_group_study"].credits_study


def test_the_form_offers_each_kind_its_own_fields(cast, login):
    page = (
        login(cast["bureau"])
        .get(f"/activities/new/?org={cast['root'].pk}&kinds=leadership_life_meeting")
        .content.decode()
    )
    for name in ("opinions_solicited", "self_examination", "rectification_list", "attendees"):
        assert f'class="field field-bm-{name} shown"' in page
    assert 'class="field field-bm-study_subjects"' in page  # present, hidden until 中心组学习 is ticked
    assert "data-bm-study_subjects" in page and "data-bm-opinions_solicited" in page


def test_a_life_meeting_needs_its_check_and_rectification_list(cast, login):
    c = login(cast["bureau"])
    r = c.post(
        "/activities/new/",
        {**LIFE, "organization": cast["root"].pk, "self_examination": "", "rectification_list": ""},
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "民主生活会须填写“对照检查”" in page and "民主生活会须填写“整改清单”" in page
    assert not Activity.objects.exists()


def test_details_saved_audited_shown_and_counted_in_the_report(cast, login):
    c = login(cast["bureau"])
    r = c.post("/activities/new/", {**LIFE, "organization": cast["root"].pk})
    a = Activity.objects.get()
    assert r.status_code == 302
    detail = BureauMeeting.objects.get(activity=a)
    assert detail.rectification_items == [
        "调研不够深入：每季度到基层调研一次，刘书记，2026年6月底",
        "联系群众不够：建立联系点，许亚男，2026年4月底",
    ]
    assert AuditEntry.objects.filter(model="activities.bureaumeeting").exists()
    page = c.get(f"/activities/{a.pk}/").content.decode()
    assert "对照检查" in page and "整改清单（2 项）" in page

    # Editing keeps the details in step (the edit form shows them, a change is saved).
    edit = c.get(f"/activities/{a.pk}/edit/").content.decode()
    assert "收集意见建议12条" in edit
    r = c.post(
        f"/activities/{a.pk}/edit/",
        {
            **LIFE,
            "organization": cast["root"].pk,
            "version": a.version,
            "self_examination": "查摆问题9个",
            "reason": "补充对照检查内容",  # the bureau's entry is approved at once: an edit states its reason
        },
    )
    assert r.status_code == 302
    detail.refresh_from_db()
    assert detail.self_examination == "查摆问题9个"

    text = annual.build(2026).body_text()
    assert "局党组召开民主生活会1次，会前广泛征求意见，班子成员逐一对照检查，形成整改清单2项" in text
    assert "其中民主生活会" not in text  # written with the 党组's meetings, not among the branches' records


def test_conference_and_center_group_study_in_the_report(cast, login):
    c = login(cast["bureau"])
    for kinds, day, topic, extra in (
        (
            ["annual_conference"],
            "2026-01-15",
            "2026年全面从严治党暨党建工作会议",
            {"deployment": "印发工作要点"},
        ),
        (["center_group_study"], "2026-02-20", "学习党章", {"study_subjects": "党章\n支部工作条例"}),
        (["center_group_study"], "2026-04-20", "学习条例", {}),
    ):
        r = c.post(
            "/activities/new/",
            {"organization": cast["root"].pk, "kinds": kinds, "date": day, "topic": topic, **extra},
        )
        assert r.status_code == 302
    assert BureauMeeting.objects.count() == 3
    text = annual.build(2026).body_text()
    assert "1月15日召开2026年度党建工作会议" in text
    assert "党组理论学习中心组集中学习2次" in text
    figures = annual.build(2026).metrics
    assert figures["meetings_center_group_study"] == 2 and figures["meetings_annual_conference"] == 1
