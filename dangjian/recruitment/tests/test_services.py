"""recruitment.services: refusals with the rule named, who records which step, a superior's waiver (audited),
the roster record created at step 17 and confirmed at step 24, extension and cancellation."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from dangjian import factories
from dangjian.accounts.roles import Role
from dangjian.core.actions import Stale
from dangjian.core.models import AuditEntry
from dangjian.members.choices import EventKind, Status
from dangjian.members.models import Member
from dangjian.orgs.models import OrgKind, PartyGroup
from dangjian.recruitment import rules, services
from dangjian.recruitment.models import Candidate, IntervalOverride, Stage

from .factories import DATES, TODAY, assembly, candidate, step_input, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def record(c, n, actor=None, **kw):
    on = kw.pop("on", None)
    reason = kw.pop("override_reason", "")
    return services.record_step(c, n, step_input(c, n, on, **kw), actor=actor, override_reason=reason)


def test_step_one_creates_the_applicant(cast):
    c = candidate(cast["a"])
    assert c.stage == Stage.APPLICANT and c.applied_on == DATES[1]
    assert [(s.number, s.date) for s in c.steps.all()] == [(1, DATES[1])]
    assert AuditEntry.objects.filter(action="candidate.step").count() == 1


def test_step_one_refuses_the_under_age_a_duplicate_and_a_member(cast):
    with pytest.raises(services.RecruitmentRefused, match="年满十八岁"):
        candidate(cast["a"], applied_on=date(2018, 4, 30), birth=date(2000, 5, 1))
    c = candidate(cast["a"])
    person = services.Applicant(c.name, c.id_number, c.gender, c.birth_date)
    with pytest.raises(services.RecruitmentRefused, match="已在发展党员程序中"):
        services.create_candidate(person, cast["a"], DATES[1], actor=None)
    m = cast["members_a"][1]
    with pytest.raises(services.RecruitmentRefused, match="已登记为党员"):
        services.create_candidate(
            services.Applicant(m.name, m.id_number, m.gender, m.birth_date), cast["a"], DATES[1], actor=None
        )
    with pytest.raises(services.RecruitmentRefused, match="党支部"):
        candidate(cast["organ"])


def test_who_records_which_step(cast):
    c = candidate(cast["a"])
    with pytest.raises(services.RecruitmentRefused, match="由党支部办理"):
        record(c, 2, actor=cast["bureau"])
    with pytest.raises(services.RecruitmentRefused, match="由党支部办理"):
        record(c, 2, actor=cast["admin_b"])
    record(c, 2, actor=cast["admin_a"])
    record(c, 3, actor=cast["admin_a"])
    with pytest.raises(services.RecruitmentRefused, match="由上级党委办理"):
        record(c, 4, actor=cast["admin_a"])
    organ_admin = factories.user("organ_admin", Role.ORG_ADMIN, organization=cast["organ"])
    record(c, 4, actor=organ_admin)  # an admin of a superior organisation
    record(c, 5, actor=cast["admin_a"])
    with pytest.raises(services.RecruitmentRefused):
        services.create_candidate(services.Applicant("钱", "x", "男", date(2000, 1, 1)), cast["a"], DATES[1],
                                  actor=cast["bureau"])  # fmt: skip


def test_out_of_order_and_too_early_refused_with_the_rule(cast):
    c = candidate(cast["a"])
    with pytest.raises(services.RecruitmentRefused, match="须在第2步“党组织派人谈话”之后办理"):
        record(c, 3, actor=cast["admin_a"])
    walk(c, 6)
    with pytest.raises(services.RecruitmentRefused, match="一年以上") as exc:
        record(c, 7, actor=cast["admin_a"], on=date(2024, 1, 15))
    assert "细则》第十三条" in exc.value.message and services.WAIVER_HINT in exc.value.message
    # the branch cannot waive it itself
    with pytest.raises(services.RecruitmentRefused, match="一年以上"):
        record(c, 7, actor=cast["admin_a"], on=date(2024, 1, 15), override_reason="工作需要，提前确定")
    assert not IntervalOverride.objects.exists()


def test_a_superior_waives_an_interval_with_a_reason_audited(cast):
    c = walk(candidate(cast["a"]), 6)
    with pytest.raises(services.RecruitmentRefused, match="理由"):
        services.grant_override(c, 7, "", actor=cast["bureau"])
    with pytest.raises(services.RecruitmentRefused, match="上级党委"):
        services.grant_override(c, 7, "表现突出，经研究同意", actor=cast["admin_a"])
    o = services.grant_override(c, 7, "表现突出，经研究同意", actor=cast["bureau"])
    assert AuditEntry.objects.filter(action="candidate.override").count() == 1
    step = record(c, 7, actor=cast["admin_a"], on=date(2024, 1, 15))
    assert step.override == o and step.date == date(2024, 1, 15)
    c.refresh_from_db()
    assert c.stage == Stage.TARGET and c.target_on == date(2024, 1, 15)
    # the order is never waived
    with pytest.raises(services.RecruitmentRefused, match="须在"):
        record(c, 12, actor=cast["admin_a"], on=date(2024, 5, 6))


def test_a_superior_recording_its_own_step_may_waive_inline(cast):
    c = walk(candidate(cast["a"]), 15)
    record(c, 16, actor=cast["bureau"])
    with pytest.raises(services.RecruitmentRefused, match="六个月"):
        record(c, 17, actor=cast["bureau"], on=date(2024, 12, 10))
    step = record(c, 17, actor=cast["bureau"], on=date(2024, 12, 10), override_reason="换届期间，延迟审批")
    assert step.override is not None and step.late is False
    assert IntervalOverride.objects.get().reason == "换届期间，延迟审批"


def test_step_17_creates_the_member_joined_on_the_assembly_day(cast):
    c = walk(candidate(cast["a"]), 16)
    assert not Member.objects.filter(id_number=c.id_number).exists()
    record(c, 17, actor=cast["bureau"])
    c.refresh_from_db()
    m = c.member
    assert m is not None and c.stage == Stage.PROBATIONARY
    assert m.join_date == DATES[15] and m.full_date is None and m.organization == cast["a"]
    assert [(e.kind, e.date) for e in m.events.all()] == [(EventKind.JOINED, DATES[15])]
    assert c.probation_ends_on == date(2025, 6, 3)


def test_late_approval_is_recorded_and_flagged(cast):
    c = walk(candidate(cast["a"]), 16)
    step = record(c, 17, actor=cast["bureau"], on=date(2024, 10, 1))
    assert step.late and "三个月" in step.late_note


def test_full_path_to_archive_confirms_the_member(cast):
    c = walk(candidate(cast["a"]), 25)
    m = Member.objects.get(pk=c.member_id)
    assert c.stage == Stage.FULL and c.archived_on == DATES[25]
    assert m.full_date == date(2025, 6, 3) == c.full_on  # the day the 预备期 ended
    assert [e.kind for e in m.events.all()] == [EventKind.JOINED, EventKind.FULL]
    assert set(c.introducers.all()) == set(cast["members_a"][:2]) and c.contacts.count() == 1
    with pytest.raises(services.RecruitmentRefused, match="归档"):
        record(c, 21)


def test_dossier_must_be_complete_to_archive(cast):
    c = walk(candidate(cast["a"]), 24)
    with pytest.raises(services.RecruitmentRefused, match="档案材料不全"):
        record(c, 25, dossier=list(rules.DOSSIER[:-1]))


def test_extension_then_a_second_round(cast):
    c = walk(candidate(cast["a"]), 22)
    record(c, 23, outcome=rules.EXTEND, months=6)
    record(c, 24)
    c.refresh_from_db()
    assert (
        c.stage == Stage.PROBATIONARY and c.extension_months == 6 and c.probation_ends_on == date(2025, 12, 3)
    )
    record(c, 22, on=date(2025, 11, 20))
    with pytest.raises(services.RecruitmentRefused, match="预备期至 2025-12-03 届满"):
        record(c, 23, on=date(2025, 12, 1))
    with pytest.raises(services.RecruitmentRefused, match="只能延长一次"):
        record(c, 23, on=date(2025, 12, 5), outcome=rules.EXTEND, months=6)
    record(c, 23, on=date(2025, 12, 5))
    record(c, 24, on=date(2026, 1, 5))
    c.refresh_from_db()
    assert c.stage == Stage.FULL and c.member.full_date == date(2025, 12, 3)


def test_cancellation_ends_membership(cast):
    c = walk(candidate(cast["a"]), 22)
    record(c, 23, outcome=rules.CANCEL)
    record(c, 24)
    c.refresh_from_db()
    assert c.stage == Stage.ENDED and c.ended_reason == rules.CANCEL
    assert c.member.status == Status.LEFT and c.member.left_on == DATES[24]


def test_assembly_quorum_and_vote(cast):
    c = walk(candidate(cast["a"]), 14)
    thin = assembly(cast["a"], DATES[15], expected=3, present=1)
    with pytest.raises(services.RecruitmentRefused, match="未超过应到会有表决权"):
        record(c, 15, activity=thin)
    with pytest.raises(services.RecruitmentRefused, match="决议未通过"):
        record(c, 15, activity=assembly(cast["a"], DATES[15]), votes_for=1)
    with pytest.raises(services.RecruitmentRefused, match="不是本支部"):
        record(c, 15, activity=assembly(cast["b"], DATES[15]))


def test_branch_with_a_committee_decides_in_its_committee(cast):
    a = cast["a"]
    for i in range(4):
        factories.member(a, f"新增党员{i}")  # 3 + 4 = 7 正式党员
    c = candidate(a)
    record(c, 2)
    with pytest.raises(services.RecruitmentRefused, match="应由支部委员会研究决定"):
        record(c, 3, body=rules.ASSEMBLY)
    step = record(c, 3)  # the body defaults to what the branch's size calls for
    assert step.body == rules.COMMITTEE


def test_introducers_must_be_full_members_of_the_branch(cast):
    c = walk(candidate(cast["a"]), 8)
    with pytest.raises(services.RecruitmentRefused, match="不在本支部"):
        record(c, 9, people=[cast["members_a"][0], cast["members_b"][0]])
    pre = factories.member(cast["a"], "预备甲", join_date=date(2024, 1, 1), full_date=None)
    with pytest.raises(services.RecruitmentRefused, match="不是正式党员"):
        record(c, 9, people=[cast["members_a"][0], pre])


def test_a_general_branch_may_not_approve(cast):
    general = factories.org("测试党总支", kind=OrgKind.GENERAL_BRANCH, parent=cast["organ"], code="ZZ")
    branch = factories.org("总支下属支部", parent=general, code="ZZ1")
    for i in range(3):
        factories.member(branch, f"总支党员{i}")
    admin = factories.user("general_admin", Role.ORG_ADMIN, organization=general)
    c = walk(candidate(branch), 16)
    with pytest.raises(services.RecruitmentRefused, match="党总支不能审批"):
        record(c, 17, actor=admin)
    record(c, 16 + 1, actor=cast["bureau"])


def test_step_19_places_the_member_in_a_party_group(cast):
    group = PartyGroup.objects.create(organization=cast["a"], name="第一党小组")
    c = walk(candidate(cast["a"]), 18)
    record(c, 19, party_group=group)
    c.refresh_from_db()
    assert c.member.party_group == group


def test_terminate_before_membership_only(cast):
    c = candidate(cast["a"])
    with pytest.raises(services.RecruitmentRefused, match="原因"):
        services.terminate(c, TODAY, "", actor=cast["admin_a"])
    services.terminate(c, TODAY, "本人撤回申请", actor=cast["admin_a"])
    c.refresh_from_db()
    assert c.stage == Stage.ENDED and Candidate.objects.filter(pk=c.pk).exists()
    with pytest.raises(services.RecruitmentRefused, match="已终止"):
        record(c, 2)
    # the person may apply again
    person = services.Applicant(c.name, c.id_number, c.gender, c.birth_date)
    services.create_candidate(person, cast["a"], TODAY, actor=None)
    p = walk(candidate(cast["a"]), 17)
    with pytest.raises(services.RecruitmentRefused, match="取消预备党员资格"):
        services.terminate(p, TODAY, "离开", actor=cast["admin_a"])


def test_stale_copy_refused(cast):
    c = candidate(cast["a"])
    with pytest.raises(Stale):
        services.record_step(c, 2, step_input(c, 2), actor=cast["admin_a"], expected_version=c.version + 1)


def test_publicity_needs_working_days_from_the_calendar(cast):
    c = walk(candidate(cast["a"]), 11)
    record(c, 12, publicity_start=date(2024, 5, 6), publicity_end=date(2024, 5, 10))
    services.add_holiday(date(2024, 5, 8), "测试假日", False, actor=cast["bureau"])
    with pytest.raises(services.RecruitmentRefused, match="只有4个工作日"):
        record(c, 13, actor=cast["bureau"])
    services.update_settings(4, actor=cast["bureau"], expected_version=1)
    record(c, 13, actor=cast["bureau"])


def test_the_roster_page_sends_a_pipeline_member_to_the_pipeline_for_full(cast, login):
    c = walk(candidate(cast["a"]), 17)
    page = login(cast["admin_a"]).get(f"/members/{c.member_id}/full/").content.decode()
    assert "第22–24步" in page and 'id="action-blocked"' in page
