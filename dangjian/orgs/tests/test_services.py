"""orgs.services: writes with audit, version checks, terms, elections, 换届 steps, the overview."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from dangjian import factories as f
from dangjian.core.models import AuditEntry
from dangjian.orgs import services
from dangjian.orgs.models import (
    CommitteeKind,
    Organization,
    OrgKind,
    PartyGroup,
    RenewalStep,
    RenewalStepKind,
    Term,
    Unit,
    UnitKind,
)
from dangjian.orgs.services import PostInput, Refusal, Stale
from dangjian.orgs.terms import TermStatus

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)
NOW = "2026-06-15 10:00 +0800"
SECRETARY = [PostInput("secretary", "王书记", is_full_time=True)]


def audit_for(obj) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(model=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id"))


# --- organisations ---------------------------------------------------------------------------------------
def test_create_organization_audits_and_generates_a_code(cast):
    u = f.unit("新单位")
    org = services.create_organization(
        parent=cast["organ"],
        name="新设党支部",
        kind=OrgKind.BRANCH,
        units=[u],
        actor=cast["bureau"],
        today=TODAY,
    )
    assert org.code.startswith("ORG") and org.depth == 3
    assert list(org.units.all()) == [u]
    entry = audit_for(org)[0]
    assert entry.action == "organization.create" and entry.actor_id == cast["bureau"].pk
    assert entry.changes["parent"] == [None, cast["organ"].name] and entry.changes["units"] == [
        None,
        ["新单位"],
    ]
    second = services.create_organization(
        parent=cast["organ"], name="又一支部", kind=OrgKind.BRANCH, today=TODAY
    )
    assert int(second.code[3:]) == int(org.code[3:]) + 1


def test_branch_cannot_have_sub_organisations_and_names_are_unique(cast):
    with pytest.raises(Refusal, match="党支部下只设党小组"):
        services.create_organization(parent=cast["a"], name="支部下的支部", kind=OrgKind.BRANCH)
    with pytest.raises(Refusal, match="已被其他党组织使用"):
        services.create_organization(parent=cast["organ"], name=cast["b"].name, kind=OrgKind.BRANCH)
    with pytest.raises(Refusal, match="代码“A”已被"):
        services.create_organization(parent=cast["organ"], name="新名字", code="a", kind=OrgKind.BRANCH)


def test_joint_branch_covers_at_most_five_units(cast):
    units = [f.unit(f"小企业{i}", UnitKind.PRIVATE) for i in range(6)]
    with pytest.raises(Refusal, match="不超过5个"):
        services.create_organization(
            parent=cast["organ"], name="联合支部", kind=OrgKind.JOINT_BRANCH, units=units
        )
    org = services.create_organization(
        parent=cast["organ"], name="联合支部", kind=OrgKind.JOINT_BRANCH, units=units[:5]
    )
    assert org.units.count() == 5


def test_update_with_a_stale_version_is_refused(cast):
    a = cast["a"]
    services.update_organization(a, expected_version=1, phone="0394-1234567", actor=cast["bureau"])
    a.refresh_from_db()
    assert a.version == 2
    with pytest.raises(Stale, match="已被他人修改"):
        services.update_organization(a, expected_version=1, phone="0394-7654321")
    a.refresh_from_db()
    assert a.phone == "0394-1234567"
    # a contact phone may be a person's: stored masked with a keyed tag (core.audit.PERSONAL_FIELDS)
    assert audit_for(a)[-1].changes["phone"][1].startswith("039*****4567 #")


def test_update_without_changes_writes_nothing(cast):
    a = cast["a"]
    assert services.update_organization(a, expected_version=1, name=a.name, units=list(a.units.all())) == {}
    a.refresh_from_db()
    assert a.version == 1 and audit_for(a) == []


def test_units_change_is_audited(cast):
    a = cast["a"]
    u = f.unit("另一单位")
    changes = services.update_organization(a, expected_version=1, units=[u])
    assert changes["units"] == [["测试事业单位甲"], ["另一单位"]]


def test_changing_the_code_keeps_siblings_in_code_order(cast):
    services.update_organization(cast["a"], expected_version=1, code="Z9")
    kids = Organization.objects.get_children(Organization.objects.get(pk=cast["organ"].pk))
    assert [o.code for o in kids] == ["B", "Z9"]


def test_move_puts_the_subtree_under_the_new_parent(cast):
    g1 = f.org("总支一", kind=OrgKind.GENERAL_BRANCH, parent=cast["organ"], code="G1")
    g2 = f.org("总支二", kind=OrgKind.GENERAL_BRANCH, parent=cast["organ"], code="G2")
    b1 = f.org("总支一下属支部", parent=g1, code="G1B")
    services.move_organization(g1, g2, expected_version=1, actor=cast["bureau"])
    g1 = Organization.objects.get(pk=g1.pk)
    b1 = Organization.objects.get(pk=b1.pk)
    assert g1.path.startswith(Organization.objects.get(pk=g2.pk).path) and b1.path.startswith(g1.path)
    assert g1.version == 2 and audit_for(g1)[-1].changes == {"parent": ["中共测试商务局机关委员会", "总支二"]}
    with pytest.raises(Refusal, match="自己或它的下级"):
        services.move_organization(Organization.objects.get(pk=g2.pk), g1, expected_version=None)
    with pytest.raises(Refusal, match="党支部下只设党小组"):
        services.move_organization(g1, cast["a"], expected_version=None)


def test_dissolve_keeps_the_record_and_needs_members_transferred_first(cast):
    b = cast["b"]
    with pytest.raises(Refusal, match="还有 2 名党员"):
        services.dissolve_organization(
            b, dissolved_on=TODAY, reason="企业破产终结", expected_version=1, today=TODAY
        )
    for m in cast["members_b"]:
        m.status = "已转出"
        m.save()
    with pytest.raises(Refusal, match="撤销原因"):
        services.dissolve_organization(b, dissolved_on=TODAY, reason=" ", expected_version=1, today=TODAY)
    services.dissolve_organization(
        b, dissolved_on=TODAY, reason="企业破产终结，局党组批复", expected_version=1, today=TODAY
    )
    b.refresh_from_db()
    assert b.dissolved_on == TODAY and not b.is_active and Organization.objects.filter(pk=b.pk).exists()
    assert audit_for(b)[-1].changes["dissolved_on"] == [None, "2026-06-15"]


def test_dissolve_refuses_while_live_sub_organisations_remain(cast):
    with pytest.raises(Refusal, match="未撤销的党组织"):
        services.dissolve_organization(
            cast["organ"], dissolved_on=TODAY, reason="x", expected_version=1, today=TODAY
        )


# --- units and party groups --------------------------------------------------------------------------------
def test_units_and_party_groups(cast):
    unit = services.create_unit(name="新单位", kind=UnitKind.SOE, actor=cast["bureau"])
    with pytest.raises(Refusal, match="已存在"):
        services.create_unit(name="新单位", kind=UnitKind.SOE)
    services.update_unit(unit, expected_version=1, kind=UnitKind.RESTRUCTURED)
    unit.refresh_from_db()
    assert unit.kind == UnitKind.RESTRUCTURED and unit.version == 2
    with pytest.raises(Stale):
        services.update_unit(unit, expected_version=1, note="x")
    group = services.create_party_group(cast["a"], name="第一党小组", leader_name="甲")
    with pytest.raises(Refusal, match="已有名为"):
        services.create_party_group(cast["a"], name="第一党小组")
    with pytest.raises(Refusal, match="只能设在党支部"):
        services.create_party_group(cast["organ"], name="第一党小组")
    services.update_party_group(group, expected_version=1, is_active=False)
    group.refresh_from_db()
    assert not group.is_active and group.version == 2
    assert [e.action for e in audit_for(group)] == ["partygroup.create", "partygroup.update"]
    assert Unit.objects.filter(name="新单位").count() == 1


# --- terms, delays, elections ---------------------------------------------------------------------------------
@time_machine.travel(NOW, tick=False)
def test_save_current_term_records_then_corrects(cast):
    a = cast["a"]
    term = services.save_current_term(
        a, number=2, elected_on=date(2024, 3, 1), years=None, committee_kind=CommitteeKind.SECRETARY_ONLY,
        posts=SECRETARY, actor=cast["admin_a"],
    )  # fmt: skip
    assert term.years == 3 and term.expires_on == date(2027, 3, 1) and term.is_current
    assert term.posts.get().person_name == "王书记" and term.committee.kind == CommitteeKind.SECRETARY_ONLY
    post = term.posts.get()
    corrected = services.save_current_term(
        a, number=2, elected_on=date(2024, 4, 1), years=3, committee_kind=CommitteeKind.SECRETARY_ONLY,
        posts=[PostInput("secretary", "王书记", pk=post.pk, ended_on=date(2026, 1, 1)), PostInput("secretary", "李书记")],
        expected_version=1,
    )  # fmt: skip
    assert corrected.expires_on == date(2027, 4, 1) and corrected.version == 2
    assert corrected.posts.count() == 2 and corrected.posts.get(ended_on__isnull=True).person_name == "李书记"
    with pytest.raises(Stale):
        services.save_current_term(
            a,
            number=2,
            elected_on=date(2024, 4, 1),
            years=3,
            committee_kind=None,
            posts=None,
            expected_version=1,
        )


def test_terms_are_refused_for_a_dangzu_and_with_a_bad_committee(cast):
    with pytest.raises(Refusal, match="不适用选举任期"):
        services.save_current_term(
            cast["root"],
            number=1,
            elected_on=date(2024, 1, 1),
            years=None,
            committee_kind=None,
            posts=SECRETARY,
        )
    with pytest.raises(Refusal, match="第二十条"):
        services.save_current_term(
            cast["a"], number=1, elected_on=date(2024, 1, 1), years=None,
            committee_kind=CommitteeKind.SECRETARY_ONLY, posts=[*SECRETARY, PostInput("propaganda", "宣传")],
        )  # fmt: skip
    with pytest.raises(Refusal, match="有且只有1名书记"):
        services.save_current_term(
            cast["a"], number=1, elected_on=date(2024, 1, 1), years=None, committee_kind=None, posts=[]
        )
    with pytest.raises(Refusal, match="任期应为"):
        services.save_current_term(
            cast["a"], number=1, elected_on=date(2024, 1, 1), years=7, committee_kind=None, posts=SECRETARY
        )
    assert not Term.objects.exists()


def test_delay_at_most_one_year_with_reason(cast):
    term = f.term(cast["a"], elected_on=date(2023, 6, 1))  # expires 2026-06-01
    with pytest.raises(Refusal, match="不能超过1年"):
        services.grant_delay(term, extended_to=date(2027, 6, 2), reason="企业重组", expected_version=1)
    with pytest.raises(Refusal, match="批复"):
        services.grant_delay(term, extended_to=date(2027, 6, 1), reason="", expected_version=1)
    services.grant_delay(
        term, extended_to=date(2027, 6, 1), reason="企业重组，局党组〔2026〕3号批复", expected_version=1
    )
    term.refresh_from_db()
    assert term.effective_expiry == date(2027, 6, 1)
    assert audit_for(term)[-1].note == "经批准延期换届"


@time_machine.travel(NOW, tick=False)
def test_record_election_ends_the_old_term_and_starts_the_new_one(cast):
    old = f.term(cast["a"], elected_on=date(2023, 6, 1), number=4)
    seats = [PostInput("secretary", "新书记", "", True), PostInput("deputy", "新副书记")]
    new = services.record_election(
        cast["a"], date(2026, 6, 1), None, seats, cast["admin_a"], doc_number="某党〔2026〕1号"
    )
    old.refresh_from_db()
    assert (old.is_current, old.ended_on) == (False, date(2026, 6, 1))
    assert (new.is_current, new.number, new.years, new.expires_on, new.previous) == (
        True, 5, 3, date(2029, 6, 1), old,
    )  # fmt: skip
    assert [p.person_name for p in new.posts.all()] == ["新书记", "新副书记"]
    assert new.posts.first().started_on == date(2026, 6, 1)
    step = RenewalStep.objects.get(term=old)
    assert (step.kind, step.new_term, step.doc_number) == (RenewalStepKind.ELECTION, new, "某党〔2026〕1号")
    assert audit_for(old)[-1].note == "换届，本届任期结束" and audit_for(new)[0].action == "term.create"
    with pytest.raises(Refusal, match="应晚于本届"):
        services.record_election(cast["a"], date(2026, 6, 1), None, SECRETARY, None)
    with pytest.raises(Refusal, match="不能晚于今天"):
        services.record_election(cast["a"], date(2026, 7, 1), None, SECRETARY, None)


@time_machine.travel(NOW, tick=False)
def test_renewal_steps_go_in_order_and_the_election_starts_the_new_term(cast):
    a = cast["a"]
    with pytest.raises(Refusal, match="尚未录入本届任期"):
        services.record_step(a, "request", TODAY)
    old = f.term(a, elected_on=date(2023, 7, 1))
    with pytest.raises(Refusal, match="下一步应为“换届请示”"):
        services.record_step(a, "approval", date(2026, 3, 1))
    services.record_step(a, "request", date(2026, 3, 1), doc_number="请〔2026〕1号", actor=cast["admin_a"])
    with pytest.raises(Refusal, match="不能早于上一步骤"):
        services.record_step(a, "approval", date(2026, 2, 1))
    services.record_step(a, "approval", date(2026, 3, 20))
    services.record_step(a, "candidates", date(2026, 4, 20))
    with pytest.raises(Refusal, match="须同时登记新一届"):
        services.record_step(a, "election", date(2026, 5, 20))
    step = services.record_step(
        a,
        "election",
        date(2026, 5, 20),
        election={"years": 3, "number": 2, "posts": SECRETARY},
        actor=cast["admin_a"],
    )
    new = Term.objects.get(committee__organization=a, is_current=True)
    assert step.term == old and step.new_term == new and new.number == 2
    # The rest of the renewal belongs to the old term, still shown as under way.
    assert services.renewal_term(a) == old
    services.record_step(a, "report", date(2026, 6, 1))
    services.record_step(a, "new_term", date(2026, 6, 10))
    assert services.renewal_term(a) == new
    assert list(old.renewal_steps.values_list("kind", flat=True).order_by("done_on")) == list(
        ["request", "approval", "candidates", "election", "report", "new_term"]
    )


# --- the overview ---------------------------------------------------------------------------------------------
def _overview_tree(cast):
    a, organ = cast["a"], cast["organ"]
    f.term(organ, elected_on=date(2021, 3, 1))  # 5 years: expired 2026-03-01
    f.term(a, elected_on=date(2023, 9, 1))  # expires 2026-09-01: within six months
    extra = f.org("正常支部", parent=organ, code="C")
    f.term(extra, elected_on=date(2025, 1, 1))
    return extra


def test_term_overview_statuses_sorted_by_urgency(cast):
    extra = _overview_tree(cast)
    rows = services.term_overview(Organization.objects.all(), TODAY)
    got = [(r.org.code, r.status) for r in rows]
    assert got == [
        ("JG", TermStatus.OVERDUE),
        ("A", TermStatus.EXPIRING),
        ("B", TermStatus.MISSING),
        ("C", TermStatus.NORMAL),
        ("ROOT", TermStatus.NOT_ELECTED),
    ]
    by_code = {r.org.code: r for r in rows}
    assert by_code["JG"].days_overdue == 106 and by_code["A"].days_left == 78
    assert by_code["ROOT"].expires_on is None and by_code["ROOT"].reminder_item() is None
    assert by_code["A"].reminder_item() == {"type": "term", "status": "即将届满", "expires_on": "2026-09-01"}
    assert by_code["B"].reminder_item() == {"type": "term", "status": "未录入任期", "expires_on": None}
    assert by_code["C"].reminder_item() is None and extra.pk == by_code["C"].org.pk


def test_term_overview_counts_a_granted_delay_and_skips_dissolved(cast):
    _overview_tree(cast)
    jg_term = Term.objects.get(committee__organization=cast["organ"])
    services.grant_delay(jg_term, extended_to=date(2026, 12, 1), reason="批复", expected_version=1)
    Organization.objects.filter(pk=cast["b"].pk).update(dissolved_on=date(2026, 1, 1))
    rows = {r.org.code: r for r in services.term_overview(Organization.objects.all(), TODAY)}
    assert "B" not in rows
    assert rows["JG"].status == TermStatus.EXPIRING and rows["JG"].expires_on == date(2026, 12, 1)
    # the bare-row look-up of batch work (月提醒, the yearly report) agrees with the overview
    expiries = services.current_expiries(Organization.objects.all())
    assert expiries[cast["organ"].pk] == date(2026, 12, 1)
    assert {pk: expiries.get(pk) for pk in (r.org.pk for r in rows.values())} == {
        r.org.pk: r.expires_on for r in rows.values()
    }


def test_term_overview_shows_the_renewal_steps(cast):
    a = cast["a"]
    old = f.term(a, elected_on=date(2023, 9, 1))
    RenewalStep.objects.create(term=old, kind="request", done_on=date(2026, 5, 1))
    row = next(r for r in services.term_overview(Organization.objects.all(), TODAY) if r.org.pk == a.pk)
    assert row.step_kinds == ["request"] and row.next_step == "approval" and not row.wrapping_up
    with time_machine.travel(NOW, tick=False):
        services.record_step(a, "approval", date(2026, 5, 10))
        services.record_step(a, "candidates", date(2026, 5, 20))
        services.record_step(a, "election", date(2026, 6, 1), election={"posts": SECRETARY})
    row = next(r for r in services.term_overview(Organization.objects.all(), TODAY) if r.org.pk == a.pk)
    assert row.status == TermStatus.NORMAL and row.wrapping_up and row.next_step_label == "结果报批/备案"
    assert row.step_kinds == ["request", "approval", "candidates", "election"]


def test_term_overview_uses_three_queries_at_any_size(cast, django_assert_num_queries):
    _overview_tree(cast)
    with django_assert_num_queries(3):
        small = services.term_overview(Organization.objects.all(), TODAY)
    for i in range(15):
        o = f.org(f"加测支部{i}", parent=cast["organ"], code=f"X{i:02d}")
        t = f.term(o, elected_on=date(2023, 1, 1))
        RenewalStep.objects.create(term=t, kind="request", done_on=date(2026, 1, 1))
    with django_assert_num_queries(3):
        big = services.term_overview(Organization.objects.all(), TODAY)
    assert len(big) == len(small) + 15


def test_term_overview_respects_the_queryset_given(cast):
    _overview_tree(cast)
    rows = services.term_overview(Organization.objects.filter(path__startswith=cast["a"].path), TODAY)
    assert [r.org.code for r in rows] == ["A"]


def test_party_group_of_a_dissolved_branch_is_closed(cast):
    group = PartyGroup.objects.create(organization=cast["b"], name="一组")
    for m in cast["members_b"]:
        m.status = "已转出"
        m.save()
    services.dissolve_organization(
        cast["b"], dissolved_on=TODAY, reason="撤销", expected_version=1, today=TODAY
    )
    group.refresh_from_db()
    assert not group.is_active


def test_changing_a_root_code_keeps_roots_sorted_and_the_tree_sound(cast):
    other = f.org("另一个顶层党委", kind=OrgKind.COMMITTEE, code="M")
    services.update_organization(cast["root"], expected_version=1, code="ZZ")
    services.update_organization(other, expected_version=1, code="AA")
    assert list(Organization.objects.get_root_nodes().values_list("code", flat=True)) == ["AA", "ZZ"]
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert Organization.objects.get(code="A").path.startswith(Organization.objects.get(code="ZZ").path)
