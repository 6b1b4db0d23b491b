from __future__ import annotations

from datetime import date

import pytest
import time_machine

from dangjian import factories
from dangjian.core.actions import Refusal
from dangjian.core.tests import samples
from dangjian.honors import rules, services
from dangjian.honors.models import Ballot, Honor, HonorRound, MemberGrade, NominationStatus, VoterRoll

# ------------------------------------------------------------------------------------------- pure rules


def test_tally_and_overall_grade_rule():
    t = rules.tally(["好"] * 6 + ["较好"] * 3 + ["一般"])
    assert t.total == 10 and t.percent("好") == 60.0
    kw = {"good_share": 60, "fairly_good_share": 60, "poor_share": 34}
    assert rules.overall_grade(t, **kw) == "好"
    assert rules.overall_grade(rules.tally(["好"] * 5 + ["较好"] * 2 + ["一般"] * 3), **kw) == "较好"
    assert rules.overall_grade(rules.tally(["好"] * 2 + ["一般"] * 6 + ["差"] * 2), **kw) == "一般"
    assert rules.overall_grade(rules.tally(["好"] * 6 + ["差"] * 4), **kw) == "差"  # 差 is checked first
    assert rules.overall_grade(rules.tally([]), **kw) is None


def test_eligibility_rules():
    probationary = rules.NomineeFacts("优秀共产党员", True, is_probationary=True)
    assert rules.eligibility(probationary)[0]
    # A 预备党员 may still be an 优秀党务工作者.
    assert not rules.eligibility(rules.NomineeFacts("优秀党务工作者", True, is_probationary=True))[0]
    assert rules.eligibility(rules.NomineeFacts("优秀共产党员", True, grades=("基本合格",)))[0]
    assert rules.eligibility(rules.NomineeFacts("优秀党务工作者", True, grades=("不合格",)))[0]
    problems, flags = rules.eligibility(rules.NomineeFacts("先进基层党组织", False, org_failing=True))
    assert not problems and flags


def test_publicity_working_days():
    # Friday 2026-06-19 + 5 working days: 19, 22, 23, 24, 25 → ends Thursday the 25th.
    assert rules.working_days_after(date(2026, 6, 19), 5) == date(2026, 6, 25)
    assert rules.working_days_after(date(2026, 6, 20), 1) == date(2026, 6, 22)  # a Saturday start
    assert rules.working_days_after(date(2026, 6, 19), 5, holidays=[date(2026, 6, 22)]) == date(2026, 6, 26)


# ------------------------------------------------------------------------------------------- 述职评议


@pytest.fixture
def review_round(cast):
    for org in (cast["a"], cast["b"]):
        factories.term(org, elected_on=date(2025, 1, 1), secretary=f"{org.code}书记")
    rnd = services.create_review_round(2026, "2026年度述职评议", actor=cast["bureau"])
    services.set_voting(rnd, open_=True, actor=cast["bureau"])
    return rnd


@pytest.mark.django_db
def test_round_creates_a_report_per_secretary(review_round, cast):
    assert sorted(review_round.reports.values_list("secretary_name", flat=True)) == ["A书记", "B书记"]


@pytest.mark.django_db
def test_anonymous_vote_once_and_tally(review_round, cast):
    ra, rb = list(review_round.reports.order_by("organization__code"))
    services.vote(review_round, cast["bureau"], {ra.id: "好", rb.id: "一般"})
    with pytest.raises(Refusal, match="已经投过票"):
        services.vote(review_round, cast["bureau"], {ra.id: "差", rb.id: "差"})
    services.vote(review_round, cast["admin_a"], {ra.id: "好", rb.id: "较好"})
    with pytest.raises(Refusal, match="每一位"):
        services.vote(review_round, cast["inspector"], {ra.id: "好"})
    # Ballots know nothing of the voter; the roll knows nothing of the ballots.
    assert {f.name for f in Ballot._meta.get_fields()} == {"id", "report", "grade"}
    assert VoterRoll.objects.filter(round=review_round).count() == 2 and Ballot.objects.count() == 4
    services.set_voting(review_round, open_=False, actor=cast["bureau"])
    services.publish_results(review_round, actor=cast["bureau"])
    res = {r.report.id: r for r in services.results(review_round)}
    assert res[ra.id].tally.counts["好"] == 2 and res[ra.id].grade == "好"
    # 较好 1 + 一般 1: 好+较好 is 50%, under the default 60% → 一般.
    assert res[rb.id].grade == "一般"


@pytest.mark.django_db
def test_not_an_evaluator_cannot_vote_and_closed_round_refuses(review_round, cast):
    from django.core.exceptions import PermissionDenied

    ra, rb = review_round.reports.all()
    with pytest.raises(PermissionDenied):
        services.vote(review_round, cast["member"], {ra.id: "好", rb.id: "好"})
    services.set_voting(review_round, open_=False, actor=cast["bureau"])
    with pytest.raises(Refusal):
        services.vote(review_round, cast["admin_b"], {ra.id: "好", rb.id: "好"})


@pytest.mark.django_db
def test_vote_page_and_report_scope(review_round, cast, login):
    ra = review_round.reports.get(organization=cast["a"])
    assert login(cast["admin_b"]).get(f"/honors/reports/{ra.pk}/").status_code == 404
    c = login(cast["admin_a"])
    r = c.post(f"/honors/reports/{ra.pk}/", {"text": "一年来，支部认真落实三会一课制度。"})
    assert r.status_code == 302
    ra.refresh_from_db()
    assert ra.submitted_at is not None
    data = {f"r{rep.id}": "好" for rep in review_round.reports.all()}
    assert c.post(f"/honors/reviews/{review_round.pk}/vote/", data).status_code == 302
    assert "已投票" in c.get(f"/honors/reviews/{review_round.pk}/vote/").content.decode()


@pytest.mark.django_db
def test_report_file_is_judged_by_content(review_round, cast, login, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    ra = review_round.reports.get(organization=cast["a"])
    c = login(cast["admin_a"])

    def post(name, data):
        return c.post(f"/honors/reports/{ra.pk}/", {"text": "", "file": SimpleUploadedFile(name, data)})

    for name, data in (
        ("述职.pdf", b"MZ\x90\x00" + b"\x00" * 60),
        ("述职.doc", b"<html>"),
        ("述职.pdf", b"%PDX"),
    ):
        r = post(name, data)
        assert (
            r.status_code == 200
            and "的内容不是可接受的类型（仅接受PDF 文件、Office 97-2003 文档、Word 文档）"
            in r.content.decode()
        )
    ra.refresh_from_db()
    assert not ra.file and ra.submitted_at is None
    settings.DANGJIAN_UPLOAD_MAX_BYTES = 100
    assert "超过上限 100 字节" in post("述职.pdf", b"%PDF-1.7\n" + b"0" * 200).content.decode()
    settings.DANGJIAN_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    for name, data, ext in (
        ("述职.pdf", samples.pdf(), "pdf"),
        ("述职.doc", samples.ole2(), "doc"),
        ("述职.docx", samples.docx(), "docx"),
    ):
        assert post(name, data).status_code == 302, name
        ra.refresh_from_db()
        assert ra.file_name == name and ra.submitted_at is not None
        assert ra.file.name.endswith(f".{ext}") and "述职" not in ra.file.name


# ------------------------------------------------------------------------------------------- 民主评议


@pytest.mark.django_db
def test_member_grades_page(cast, login):
    m0, m1, _ = cast["members_a"]
    c = login(cast["admin_a"])
    r = c.post(
        f"/honors/grades/?org={cast['a'].pk}&year=2026", {f"g{m0.id}": "优秀", f"g{m1.id}": "基本合格"}
    )
    assert r.status_code == 302
    assert dict(MemberGrade.objects.values_list("member_id", "grade")) == {m0.id: "优秀", m1.id: "基本合格"}
    assert login(cast["admin_b"]).post(f"/honors/grades/?org={cast['a'].pk}&year=2026", {}).status_code == 404


# ------------------------------------------------------------------------------------------- 两优一先


@pytest.fixture
def honor_round(db):
    return HonorRound.objects.create(
        year=2026, title="2026年两优一先", opens_on=date(2026, 5, 1), closes_on=date(2026, 6, 10)
    )


DEEDS = "该同志长期扎根基层，带头落实三会一课，组织开展志愿服务二十余次，群众评价很高。"


@pytest.mark.django_db
@time_machine.travel("2026-05-20")
def test_nomination_eligibility(cast, honor_round, monkeypatch):
    monkeypatch.setattr(services, "failing_orgs", lambda year: {cast["b"].id})
    probationary = factories.member(cast["a"], "预备张", full_date=None)
    with pytest.raises(Refusal, match="预备党员"):
        services.nominate(
            honor_round,
            category="优秀共产党员",
            org=cast["a"],
            member=probationary,
            deeds=DEEDS,
            actor=cast["admin_a"],
        )
    m1 = cast["members_a"][1]
    MemberGrade.objects.create(member=m1, year=2025, grade="基本合格", organization=cast["a"])
    with pytest.raises(Refusal, match="基本合格"):
        services.nominate(
            honor_round, category="优秀共产党员", org=cast["a"], member=m1, deeds=DEEDS, actor=cast["admin_a"]
        )
    ok = services.nominate(
        honor_round,
        category="优秀共产党员",
        org=cast["a"],
        member=cast["members_a"][0],
        deeds=DEEDS,
        actor=cast["admin_a"],
    )
    assert ok.flags == []
    flagged = services.nominate(
        honor_round, category="先进基层党组织", org=cast["b"], member=None, deeds=DEEDS, actor=cast["admin_b"]
    )
    assert flagged.flags and "未达标" in flagged.flags[0]


@pytest.mark.django_db
def test_nomination_window(cast, honor_round, monkeypatch):
    monkeypatch.setattr(services, "failing_orgs", lambda year: set())
    with time_machine.travel("2026-06-11"), pytest.raises(Refusal, match="推荐期"):
        services.nominate(
            honor_round,
            category="优秀共产党员",
            org=cast["a"],
            member=cast["members_a"][0],
            deeds=DEEDS,
            actor=cast["admin_a"],
        )


@pytest.mark.django_db
def test_review_publicity_objection_award_cycle(cast, honor_round, monkeypatch):
    monkeypatch.setattr(services, "failing_orgs", lambda year: set())
    with time_machine.travel("2026-05-20"):
        n1 = services.nominate(
            honor_round,
            category="优秀共产党员",
            org=cast["a"],
            member=cast["members_a"][0],
            deeds=DEEDS,
            actor=cast["admin_a"],
        )
        n2 = services.nominate(
            honor_round,
            category="优秀党务工作者",
            org=cast["b"],
            member=cast["members_b"][0],
            deeds=DEEDS,
            actor=cast["admin_b"],
        )
    with pytest.raises(Refusal):
        services.review(n1, approve=False, comment="", actor=cast["bureau"])
    services.review(n1, approve=False, comment="请补充具体事迹", actor=cast["bureau"])
    services.resubmit(n1, deeds=DEEDS + "补充。", actor=cast["admin_a"])
    services.review(n1, approve=True, comment="", actor=cast["bureau"])
    services.review(n2, approve=True, comment="", actor=cast["bureau"])
    assert services.start_publicity(honor_round, actor=cast["bureau"], today=date(2026, 6, 19)) == 2
    n1.refresh_from_db()
    assert n1.status == NominationStatus.PUBLICITY and n1.publicity_until == date(2026, 6, 25)
    n2.refresh_from_db()
    o = services.record_objection(
        n2, received_on=date(2026, 6, 22), content="反映其存在违规问题", actor=cast["bureau"]
    )
    with pytest.raises(Refusal, match="公示期"):
        services.award(honor_round, actor=cast["bureau"], awarded_on=date(2026, 6, 25))
    with pytest.raises(Refusal, match="异议"):
        services.award(honor_round, actor=cast["bureau"], awarded_on=date(2026, 6, 30))
    services.handle_objection(o, upheld=True, handling="经核查属实", actor=cast["bureau"])
    assert services.award(honor_round, actor=cast["bureau"], awarded_on=date(2026, 6, 30)) == 1
    n2.refresh_from_db()
    assert n2.status == NominationStatus.REJECTED
    h = Honor.objects.get()
    assert h.member == cast["members_a"][0] and services.honors_of_member(cast["members_a"][0]) == [h]


@pytest.mark.django_db
def test_external_honor_and_list_page(cast, login):
    services.add_external_honor(
        title="县直机关优秀共产党员",
        category="优秀共产党员",
        level="县级",
        awarded_on=date(2025, 6, 28),
        awarded_by="中共x县直属机关工作委员会",
        member=cast["members_a"][0],
        org=None,
        note="",
        actor=cast["bureau"],
    )
    page = login(cast["member"]).get("/honors/").content.decode()
    assert "县直机关优秀共产党员" in page
    assert login(cast["member"]).post("/honors/", {}).status_code == 403
