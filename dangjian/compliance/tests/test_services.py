"""The database side: seeded requirements, gathering facts in constant queries, the audited writes."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from dangjian import factories as f
from dangjian.activities.models import Activity
from dangjian.compliance import periodcache, services
from dangjian.compliance.engine import Status, periods_in_range
from dangjian.compliance.models import Exemption, Requirement, RequirementRevision
from dangjian.core.actions import Stale
from dangjian.core.models import AuditEntry
from dangjian.core.periods import Period
from dangjian.members.choices import Status as MemberStatus
from dangjian.orgs.models import OrgKind

from . import factories as cf

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 15)


def results_for(org, rng: str, key: str | None = None, today: date = TODAY):
    rs = services.evaluate(Period.parse(rng), [org], today)
    return {(r.requirement_key, str(r.period)): r for r in rs if key is None or r.requirement_key == key}


# --- the seeded requirements (design §4.1) -------------------------------------------------------------------------
def test_default_requirements_are_seeded_with_citations():
    table = {
        r.key: (r.kind.key, r.applicability, r.period, r.minimum, r.citation_status)
        for r in Requirement.objects.select_related("kind")
    }
    assert table == {
        "branch_assembly": ("branch_assembly", "org", "quarter", 1, "V"),
        "branch_committee": ("branch_committee", "committee_7", "month", 1, "V"),
        "group_meeting": ("group_meeting", "each_group", "month", 1, "V"),
        "party_lecture": ("party_lecture", "org", "quarter", 1, "S"),
        "theme_day": ("theme_day", "org", "month", 1, "V"),
        "org_life_meeting": ("org_life_meeting", "org", "year", 1, "V"),
        "member_appraisal": ("member_appraisal", "org", "year", 1, "V"),
        "heart_talk": ("heart_talk", "all_members", "year", 1, "V"),
    }
    cites = dict(Requirement.objects.values_list("key", "citation"))
    for key, article in [
        ("branch_assembly", "第十一条"),
        ("branch_committee", "第二十条"),
        ("group_meeting", "第十三条"),
        ("theme_day", "第十六条"),
        ("org_life_meeting", "第十七条"),
        ("member_appraisal", "第十八条"),
        ("heart_talk", "第十九条"),
    ]:
        assert article in cites[key]
    assert "地方惯例" in cites["party_lecture"]
    for r in Requirement.objects.all():
        assert (
            r.is_builtin and r.is_active and sorted(r.org_kinds) == ["branch", "joint_branch", "temp_branch"]
        )


# --- evaluate against the database ------------------------------------------------------------------------------------
def test_evaluate_counts_real_records(cast):
    a = cast["a"]
    cf.activity(a, date(2025, 8, 5), "theme_day", "branch_assembly", "party_lecture", quorum_met=True)
    rs = results_for(a, "2025Q3")
    assert rs[("theme_day", "2025-08")].status is Status.MET
    assert rs[("theme_day", "2025-07")].status is Status.UNMET
    assert rs[("branch_assembly", "2025Q3")].status is Status.MET
    assert rs[("party_lecture", "2025Q3")].status is Status.MET
    assert rs[("org_life_meeting", "2025")].status is Status.UNMET  # the enclosing year
    assert rs[("group_meeting", "2025-08")].status is Status.NA  # no 党小组
    assert rs[("branch_committee", "2025-08")].status is Status.NA  # 3 members
    assert ("theme_day", "2025-10") not in rs


def test_deleted_records_never_count(cast):
    a = cast["a"]
    cf.activity(a, date(2025, 8, 5), "theme_day", is_deleted=True)
    assert results_for(a, "2025-08")[("theme_day", "2025-08")].status is Status.UNMET


def test_draft_and_returned_records_never_count(cast):
    a = cast["a"]
    cf.activity(a, date(2025, 8, 5), "theme_day", status="draft")
    cf.activity(a, date(2025, 9, 5), "theme_day", status="returned")
    rs = results_for(a, "2025Q3")
    assert (rs[("theme_day", "2025-08")].status, rs[("theme_day", "2025-08")].done) == (Status.UNMET, 0)
    assert rs[("theme_day", "2025-09")].status is Status.UNMET


def test_submitted_records_make_the_period_awaiting_review(cast):
    a = cast["a"]
    x = cf.activity(a, date(2025, 8, 5), "theme_day", status="submitted")
    r = results_for(a, "2025-08", "theme_day")[("theme_day", "2025-08")]
    assert (r.status, r.done, r.activity_ids, r.awaiting_ids) == (Status.AWAITING, 0, (), (x.pk,))
    assert r.as_json()["status"] == "待审核" and r.as_json()["activities"] == []
    # still running, not yet met even with it: 进行中; met once approved
    cf.activity(a, date(2026, 3, 2), "theme_day", status="submitted")
    assert results_for(a, "2026-03", "theme_day")[("theme_day", "2026-03")].status is Status.AWAITING
    Activity.objects.filter(pk=x.pk).update(status="approved")
    r = results_for(a, "2025-08", "theme_day")[("theme_day", "2025-08")]
    assert (r.status, r.done, r.activity_ids) == (Status.MET, 1, (x.pk,))


def test_awaiting_review_for_groups_and_talks(cast):
    a = cast["a"]
    g1 = cf.group(a, "第一党小组")
    cf.activity(a, date(2025, 8, 5), "group_meeting", party_group=g1, status="submitted")
    r = results_for(a, "2025-08", "group_meeting")[("group_meeting", "2025-08")]
    assert (r.status, r.done, r.required) == (Status.AWAITING, 0, 1)


def test_assembly_without_quorum_stored_but_not_counted(cast):
    a = cast["a"]
    x = cf.activity(a, date(2025, 8, 5), "branch_assembly", "theme_day", quorum_met=False)
    rs = results_for(a, "2025Q3")
    assert rs[("branch_assembly", "2025Q3")].status is Status.UNMET
    assert rs[("branch_assembly", "2025Q3")].excluded_ids == (x.pk,)
    assert rs[("theme_day", "2025-08")].activity_ids == (x.pk,)


def test_group_meetings_by_party_group(cast):
    a = cast["a"]
    g1, g2 = cf.group(a, "第一党小组"), cf.group(a, "第二党小组")
    cf.group(a, "已撤销党小组", is_active=False)
    m1 = cf.activity(a, date(2025, 8, 5), "group_meeting", party_group=g1)
    rs = results_for(a, "2025-08")
    r = rs[("group_meeting", "2025-08")]
    assert (r.status, r.required, r.done, r.missing) == (Status.UNMET, 2, 1, ("第二党小组",))
    m2 = cf.activity(a, date(2025, 8, 6), "group_meeting", party_group=g2)
    r = results_for(a, "2025-08")[("group_meeting", "2025-08")]
    assert r.status is Status.MET and r.activity_ids == (m1.pk, m2.pk)


def test_branch_committee_from_member_dates_and_status(cast):
    a = cast["a"]  # three 正式党员
    extra = [f.member(a) for _ in range(3)]
    f.member(a, join_date=date(2025, 1, 5), full_date=None)  # 预备党员
    assert results_for(a, "2025-08")[("branch_committee", "2025-08")].status is Status.NA  # 6 正式
    seventh = f.member(a, full_date=date(2025, 8, 20), join_date=date(2024, 8, 20))
    rs = results_for(a, "2025Q3", "branch_committee")
    assert rs[("branch_committee", "2025-07")].status is Status.NA
    assert rs[("branch_committee", "2025-08")].status is Status.UNMET
    extra[0].status, extra[0].left_on = MemberStatus.TRANSFERRED_OUT, date(2025, 9, 10)
    extra[0].save()
    rs = results_for(a, "2025Q3", "branch_committee")
    assert rs[("branch_committee", "2025-08")].status is Status.UNMET  # still there at the end of August
    assert rs[("branch_committee", "2025-09")].status is Status.NA  # left before the end of September
    assert seventh.pk


def test_heart_talks_cover_members(cast):
    a = cast["a"]
    m = cast["members_a"]
    cf.talk(a, date(2025, 4, 1), m[0], m[1])
    r = results_for(a, "2025", "heart_talk")[("heart_talk", "2025")]
    assert (r.required, r.done, r.status, r.missing) == (3, 2, Status.UNMET, (m[2].name,))
    cf.talk(a, date(2025, 10, 1), m[0], m[2])
    r = results_for(a, "2025", "heart_talk")[("heart_talk", "2025")]
    assert (r.required, r.done, r.status) == (3, 3, Status.MET)


def test_exemptions_and_revocation(cast):
    a, bureau = cast["a"], cast["bureau"]
    theme = Requirement.objects.get(key="theme_day")
    ex = services.grant_exemption(
        a, theme, date(2025, 8, 1), date(2025, 8, 31), "支部书记长期住院，暂停一个月", actor=bureau
    )
    rs = results_for(a, "2025Q3", "theme_day")
    assert rs[("theme_day", "2025-08")].status is Status.EXEMPT
    assert rs[("theme_day", "2025-08")].exemption_id == ex.pk
    assert rs[("theme_day", "2025-07")].status is Status.UNMET
    # a revocation takes effect from its date: the periods before it keep their 豁免
    ex = services.revoke_exemption(ex, "书记已返岗", version=ex.version, actor=bureau)
    assert results_for(a, "2025-08")[("theme_day", "2025-08")].status is Status.EXEMPT
    # revoking from an earlier date is a correction (the bureau's), and rewrites the past
    ex2 = services.grant_exemption(
        a, theme, date(2025, 9, 1), date(2025, 9, 30), "支部书记长期住院，暂停一个月", actor=bureau
    )
    services.revoke_exemption(ex2, "登记有误", version=ex2.version, actor=bureau, effective=date(2025, 9, 1))
    assert results_for(a, "2025-09")[("theme_day", "2025-09")].status is Status.UNMET
    note = AuditEntry.objects.filter(
        model="compliance.exemption", object_id=str(ex2.pk), action="exemption.update"
    )
    assert "追溯撤销" in note.get().note
    with pytest.raises(PermissionDenied):
        services.revoke_exemption(
            ex, "x", version=ex.version, actor=cast["admin_a"], effective=date(2025, 1, 1)
        )


def test_inactive_requirements_are_not_evaluated(cast):
    Requirement.objects.filter(key="theme_day").update(is_active=False)
    assert not [
        r
        for r in services.evaluate(Period.parse("2025"), [cast["a"]], TODAY)
        if r.requirement_key == "theme_day"
    ]


def test_all_organisations_existing_during_the_range(cast):
    f.org("新成立支部", parent=cast["organ"], code="NEW", founded_on=date(2026, 2, 1))
    f.org(
        "已撤销支部",
        parent=cast["organ"],
        code="OLD",
        founded_on=date(2010, 1, 1),
        dissolved_on=date(2024, 6, 30),
    )
    f.org(
        "年中撤销支部",
        parent=cast["organ"],
        code="MID",
        founded_on=date(2010, 1, 1),
        dissolved_on=date(2025, 6, 30),
    )
    codes = {r.org_code for r in services.evaluate(Period.parse("2025"), None, TODAY)}
    assert codes == {"A", "B", "MID"}


def test_failing_org_ids(cast):
    a, b = cast["a"], cast["b"]
    for key in ["theme_day"]:
        Requirement.objects.exclude(key=key).update(is_active=False)
    cf.activity(a, date(2025, 8, 5), "theme_day")
    assert services.failing_org_ids(Period.parse("2025-08"), TODAY) == {b.pk}
    Requirement.objects.filter(key="theme_day").update(is_core=False)
    assert services.failing_org_ids(Period.parse("2025-08"), TODAY) == set()
    Requirement.objects.filter(key="theme_day").update(is_core=True)
    assert services.failing_org_ids(Period.parse("2026-03"), TODAY) == set()  # 进行中 is not failing


def test_rollup_for_the_organ_committee(cast):
    a = cast["a"]
    cf.activity(a, date(2025, 8, 5), "theme_day")
    rows = services.rollup(Period.parse("2025-08"), None, TODAY)
    theme = Requirement.objects.get(key="theme_day")
    row = next(r for r in rows if r.org_id == cast["organ"].pk and r.requirement_id == theme.pk)
    assert (row.met, row.unmet, row.counted, row.percent) == (1, 1, 2, "50%")
    assert all(r.org_id == cast["organ"].pk for r in rows)  # the 党组 and branches are not rolled up
    per_period = services.rollup(Period.parse("2025Q3"), [cast["organ"]], TODAY, by_period=True)
    aug = next(r for r in per_period if r.requirement_id == theme.pk and str(r.period) == "2025-08")
    assert (aug.met, aug.counted) == (1, 2)


def test_todo_due_and_overdue(cast):
    a = cast["a"]
    cf.activity(a, date(2026, 1, 10), "theme_day", "branch_assembly", "party_lecture")
    cf.activity(a, date(2026, 3, 2), "theme_day")
    todo = services.todo(a, TODAY)
    due = {(r.requirement_key, str(r.period)) for r in todo.due}
    overdue = {(r.requirement_key, str(r.period)) for r in todo.overdue}
    assert due == {("org_life_meeting", "2026"), ("member_appraisal", "2026"), ("heart_talk", "2026")}
    assert overdue == {("theme_day", "2026-02")}
    assert todo.count == 4
    assert services.record_url(a.pk, "theme_day") == f"/activities/new/?org={a.pk}&kinds=theme_day"


# --- constant number of queries -------------------------------------------------------------------------------------
def _units(range_text: str) -> int:
    """The distinct requirement periods a range covers: the whole-tree path reads records per period."""
    rng = Period.parse(range_text)
    return len({p for s in services.requirement_specs() for p in periods_in_range(rng, s.period_kind)})


@pytest.mark.parametrize("n", [10, 200])
def test_evaluate_in_a_constant_number_of_queries(n, django_assert_num_queries):
    data = cf.bureau(n)
    orgs = list(data["committee"].subtree().order_by("path"))
    whole_tree = len(orgs) >= services.MEMO_MIN_ORGS
    # A few organisations: requirements, members, party groups, records, exemptions — five queries. Many: the
    # requirements, the year's organisations, members, groups, then records and exemptions per period.
    per_year = 5 + 2 * _units("2025")  # (the requirements' revisions are one query more)
    with django_assert_num_queries(per_year if whole_tree else 6):
        results = services.evaluate(Period.parse("2025"), orgs, TODAY)
    assert len({r.org_id for r in results}) == n
    assert len(results) == n * (12 * 3 + 4 * 2 + 3)
    theme_march = [r for r in results if r.requirement_key == "theme_day" and str(r.period) == "2025-03"]
    assert all(r.status is Status.MET for r in theme_march)
    with django_assert_num_queries(per_year + 1):  # plus the organisations themselves
        services.evaluate(Period.parse("2025"), None, TODAY)
    with django_assert_num_queries(6 + 2 * _units("2025Q1") if whole_tree else 7):
        services.rollup(Period.parse("2025Q1"), [data["committee"], data["zongzhi"]], TODAY)


def test_the_whole_tree_path_gives_the_same_results_as_a_fresh_evaluation():
    data = cf.bureau(12)
    cf.activity(data["branches"][0], date(2025, 12, 30), "theme_day")
    for text in ("2025", "2025Q2", "2025-03", "2025H2", "2026"):
        rng = Period.parse(text)
        every = list(services.orgs_existing_in(rng))
        assert len(every) < services.MEMO_MIN_ORGS  # so this one is evaluated afresh
        fresh = services.evaluate(rng, every, TODAY)
        assert fresh and services.evaluate(rng, None, TODAY) == fresh
        specs = services.requirement_specs()
        assert periodcache.run(rng, every, TODAY, specs).results == fresh


@pytest.mark.django_db(transaction=True)
def test_an_ended_period_is_reused_until_one_of_its_records_changes():
    from dangjian.core import memo

    data = cf.bureau(3)
    branch = data["branches"][0]
    march = Period.parse("2025-03")

    def theme_day(results):
        return next(
            r
            for r in results
            if r.org_id == branch.pk and r.requirement_key == "theme_day" and r.period == march
        )

    before = memo.stats["hits"]
    first = services.evaluate(Period.parse("2025"), None, TODAY)
    assert services.evaluate(Period.parse("2025"), None, TODAY) == first
    assert memo.stats["hits"] > before  # the second evaluation reused the ended periods
    was = theme_day(first)
    added = cf.activity(branch, date(2025, 3, 20), "theme_day")  # a late record for March
    now = theme_day(services.evaluate(Period.parse("2025"), None, TODAY))
    assert added.pk in now.activity_ids and added.pk not in was.activity_ids
    assert now.done == was.done + 1


# --- writes: requirements ------------------------------------------------------------------------------------------
def _req_data(**over):
    data = {
        "name": "党委会议",
        "kind": cf.kind("branch_committee"),
        "org_kinds": [OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH],
        "applicability": "org",
        "period": "quarter",
        "minimum": 1,
        "citation": "本局《党建工作十四项制度》第三项",
        "citation_status": "S",
        "note": "",
        "is_core": True,
        "is_active": True,
        "sort": 200,
    }
    data.update(over)
    return data


def test_create_local_requirement_audited(cast):
    req = services.create_requirement(
        {"key": "dangwei_meeting", **_req_data()},
        actor=cast["bureau"],
        valid_from=date(2025, 1, 1),
        reason="自2025年起执行（补录）",
    )
    assert not req.is_builtin and req.version == 1
    entry = AuditEntry.objects.get(model="compliance.requirement", object_id=str(req.pk))
    assert entry.action == "requirement.create" and entry.actor == cast["bureau"]
    rs = services.evaluate(Period.parse("2025Q1"), [cast["organ"], cast["a"]], TODAY)
    assert not [r for r in rs if r.requirement_key == "dangwei_meeting"]  # 机关党委 is not listed
    # the rule lives in the revisions (the requirement row mirrors the latest)
    RequirementRevision.objects.filter(requirement=req).update(org_kinds=["organ_committee"])
    rs = [r for r in services.evaluate(Period.parse("2025Q1"), [cast["organ"]], TODAY)]
    assert [(r.org_code, r.requirement_key, r.status) for r in rs] == [
        ("JG", "dangwei_meeting", Status.UNMET)
    ]


@pytest.mark.parametrize(
    "over,field",
    [
        ({"org_kinds": []}, "org_kinds"),
        ({"org_kinds": ["nonsense"]}, "org_kinds"),
        ({"applicability": "each_group"}, "org_kinds"),
        ({"minimum": 0}, "minimum"),
        ({"period": "week"}, "period"),
        ({"citation": "  "}, "citation"),
    ],
)
def test_requirement_validation(cast, over, field):
    with pytest.raises(services.ComplianceRefused) as exc:
        services.create_requirement({"key": "x_local", **_req_data(**over)}, actor=cast["bureau"])
    assert field in exc.value.errors


def test_requirement_key_is_unique(cast):
    with pytest.raises(services.ComplianceRefused, match="已被使用"):
        services.create_requirement({"key": "theme_day", **_req_data()}, actor=cast["bureau"])


def test_update_requirement_and_stale_version(cast):
    req = Requirement.objects.get(key="party_lecture")
    updated = services.update_requirement(
        req, {"period": "month", "citation": "本县规定：每月1次"}, version=req.version, actor=cast["bureau"]
    )
    assert (updated.period, updated.version, updated.key) == ("month", 2, "party_lecture")
    entry = AuditEntry.objects.filter(model="compliance.requirement", action="requirement.update").get()
    assert entry.changes["period"] == ["quarter", "month"]
    with pytest.raises(Stale, match="已被他人修改"):
        services.update_requirement(req, {"minimum": 2}, version=1, actor=cast["bureau"])
    assert Requirement.objects.get(pk=req.pk).minimum == 1


# --- writes: exemptions ------------------------------------------------------------------------------------------
def test_grant_exemption_validation(cast):
    a, theme = cast["a"], Requirement.objects.get(key="theme_day")
    with pytest.raises(services.ComplianceRefused) as exc:
        services.grant_exemption(a, theme, date(2025, 8, 31), date(2025, 8, 1), "短", actor=cast["bureau"])
    assert set(exc.value.errors) == {"reason", "ends_on"}
    with pytest.raises(services.ComplianceRefused) as exc:
        services.grant_exemption(
            cast["organ"],
            theme,
            date(2025, 8, 1),
            date(2025, 8, 31),
            "不适用的组织类别",
            actor=cast["bureau"],
        )
    assert "requirement" in exc.value.errors


def test_overlapping_exemptions_refused_until_revoked(cast):
    a, theme = cast["a"], Requirement.objects.get(key="theme_day")
    ex = services.grant_exemption(
        a, theme, date(2025, 1, 1), date(2025, 6, 30), "企业停产整顿期间", actor=cast["bureau"]
    )
    with pytest.raises(services.ComplianceRefused, match="时间重叠"):
        services.grant_exemption(
            a, theme, date(2025, 6, 1), date(2025, 12, 31), "企业停产整顿延长", actor=cast["bureau"]
        )
    services.revoke_exemption(
        ex, "整顿提前结束", version=ex.version, actor=cast["bureau"], effective=date(2025, 6, 1)
    )
    services.grant_exemption(
        a, theme, date(2025, 6, 1), date(2025, 12, 31), "企业停产整顿延长", actor=cast["bureau"]
    )
    assert Exemption.objects.filter(revoked=False).count() == 1


def test_revoke_audited_and_not_twice(cast):
    a, theme = cast["a"], Requirement.objects.get(key="theme_day")
    ex = services.grant_exemption(
        a, theme, date(2025, 1, 1), date(2025, 6, 30), "企业停产整顿期间", actor=cast["bureau"]
    )
    with pytest.raises(services.ComplianceRefused):
        services.revoke_exemption(ex, "", version=ex.version, actor=cast["bureau"])
    ex = services.revoke_exemption(ex, "整顿结束", version=ex.version, actor=cast["bureau"])
    assert ex.revoked and ex.revoked_by == cast["bureau"] and ex.revoke_reason == "整顿结束"
    actions = list(
        AuditEntry.objects.filter(model="compliance.exemption", object_id=str(ex.pk)).values_list(
            "action", "note"
        )
    )
    assert sorted(actions) == [("exemption.create", "授予豁免"), ("exemption.update", "撤销豁免")]
    with pytest.raises(services.ComplianceRefused, match="已撤销"):
        services.revoke_exemption(ex, "再次", version=ex.version, actor=cast["bureau"])
    with pytest.raises(Stale, match="已被他人修改"):
        services.revoke_exemption(ex, "再次", version=1, actor=cast["bureau"])
