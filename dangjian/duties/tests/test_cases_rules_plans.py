"""Brand cases, the rule library and the annual work plan (services)."""

from datetime import date

import pytest

from dangjian.core.actions import Refusal, Stale
from dangjian.duties import services
from dangjian.duties.models import CaseReview, RuleVersion
from dangjian.duties.workflow import CaseAction, CaseStatus

from . import factories as f

pytestmark = pytest.mark.django_db


def test_case_review_flow(cast):
    c = f.case(cast["a"], actor=cast["admin_a"])
    c = services.act_on_case(c, CaseAction.SUBMIT, cast["admin_a"])
    with pytest.raises(Refusal, match="已提交审核"):
        services.save_case(c, cast["a"], {"title": "改标题"}, cast["admin_a"])
    with pytest.raises(Refusal, match="审核意见"):
        services.act_on_case(c, CaseAction.RETURN, cast["bureau"])
    c = services.act_on_case(c, CaseAction.RETURN, cast["bureau"], comment="请补充成效数据和照片")
    assert c.status == CaseStatus.RETURNED and c.review_comment == "请补充成效数据和照片"
    c = services.save_case(
        c, cast["a"], {"results": "服务企业 42 家"}, cast["admin_a"], photos=[f.checked()], version=c.version
    )
    c = services.act_on_case(c, CaseAction.SUBMIT, cast["admin_a"])
    c = services.act_on_case(c, CaseAction.APPROVE, cast["bureau"])
    with pytest.raises(Refusal, match="已发布"):
        services.set_exemplary(c, True, cast["bureau"])
    c = services.act_on_case(c, CaseAction.PUBLISH, cast["bureau"])
    assert c.published_at is not None
    c = services.set_exemplary(c, True, cast["bureau"])
    assert c.is_exemplary
    c = services.act_on_case(c, CaseAction.UNPUBLISH, cast["bureau"])
    assert c.status == CaseStatus.APPROVED and not c.is_exemplary and c.published_at is None
    history = list(CaseReview.objects.filter(case=c).values_list("action", "to_status"))
    assert history == [
        ("submit", "submitted"),
        ("return", "returned"),
        ("submit", "submitted"),
        ("approve", "approved"),
        ("publish", "published"),
        ("unpublish", "approved"),
    ]
    with pytest.raises(Refusal, match="不能执行"):
        services.act_on_case(c, CaseAction.SUBMIT, cast["admin_a"])


def test_stale_case_action_is_refused(cast):
    c = f.case(cast["a"], to="submitted")
    services.act_on_case(c, CaseAction.APPROVE, cast["bureau"], version=c.version)
    with pytest.raises(Stale):
        services.act_on_case(c, CaseAction.PUBLISH, cast["bureau"], version=c.version)


def test_published_case_count(cast):
    f.case(cast["a"], to="published", year=2026)
    f.case(cast["a"], to="published", year=2026, title="第二个")
    f.case(cast["b"], to="published", year=2026, title="乙")
    f.case(cast["b"], to="approved", year=2026, title="未发布")
    f.case(cast["b"], to="published", year=2025, title="去年")
    assert services.published_case_count(2026) == 3
    assert services.published_case_count(2026, [cast["b"].pk]) == 1
    assert services.published_case_count(2025) == 1
    assert services.published_case_counts(2026) == {cast["a"].pk: 2, cast["b"].pk: 1}


def test_rule_versions_supersede_and_stay_readable(cast):
    doc = f.rule(cast["root"], actor=cast["bureau"])
    v2 = services.revise_rule(
        doc,
        {
            "title": "基层党组织换届提醒制度（修订）",
            "doc_number": "商党〔2026〕2号",
            "issued_on": date(2026, 1, 5),
            "effective_on": date(2026, 2, 1),
            "body": "第二条 提前六个月发函提醒",
            "change_note": "提前期改为六个月",
        },
        cast["bureau"],
    )
    doc.refresh_from_db()
    v1 = RuleVersion.objects.get(document=doc, number=1)
    assert v2.number == 2 and v2.is_current and not v1.is_current and v1.superseded_on == date(2026, 2, 1)
    assert doc.title == "基层党组织换届提醒制度（修订）" and doc.version == 2
    assert RuleVersion.objects.filter(document=doc, is_current=True).count() == 1
    with pytest.raises(Refusal) as exc:
        services.revise_rule(
            doc,
            {
                "title": "x",
                "doc_number": "",
                "issued_on": date(2026, 1, 1),
                "effective_on": date(2026, 1, 1),
                "body": "x",
            },
            cast["bureau"],
        )
    assert exc.value.field == "effective_on"
    with pytest.raises(Refusal, match="施行日期不能早于印发日期"):
        services.revise_rule(
            doc,
            {
                "title": "x",
                "doc_number": "",
                "issued_on": date(2026, 5, 1),
                "effective_on": date(2026, 4, 1),
                "body": "x",
            },
            cast["bureau"],
        )


def test_search_title_body_and_history(cast):
    doc = f.rule(cast["root"], body="第一条 上级党组织一般提前6个月提醒")
    other = f.rule(cast["root"], title="党建工作十四项制度", body="第一条 三会一课制度")
    services.revise_rule(
        doc,
        {
            "title": "基层党组织换届提醒制度",
            "doc_number": "",
            "issued_on": date(2026, 1, 1),
            "effective_on": date(2026, 1, 1),
            "body": "第一条 提前半年发函",
        },
        None,
    )
    assert list(services.search_rules("三会一课").values_list("title", flat=True)) == ["党建工作十四项制度"]
    assert list(services.search_rules("换届")) == [doc]
    assert list(services.search_rules("提前6个月")) == []  # only in the superseded version
    assert list(services.search_rules("提前6个月", include_history=True)) == [doc]
    # the revised document's current version has no 文号; the other still carries 商党〔2024〕5号
    assert list(services.search_rules("商党〔2024〕5号")) == [other]
    assert services.search_rules("").count() == 2


def test_citations_by_generic_relation(cast):
    doc = f.rule(cast["root"])
    req = f.requirement()
    services.add_citation(doc, req, cast["bureau"], clause="第三条")
    with pytest.raises(Refusal, match="已关联"):
        services.add_citation(doc, req, cast["bureau"])
    rows = services.citations_of(doc)
    assert [(r.kind, r.target, r.citation.clause) for r in rows] == [("制度要求", req, "第三条")]
    assert list(services.rules_cited_by(req)) == [doc]
    services.remove_citation(rows[0].citation, cast["bureau"])
    assert services.citations_of(doc) == [] and not services.rules_cited_by(req).exists()
    services.add_citation(doc, req, cast["bureau"])  # may be cited again after removal
    with pytest.raises(Refusal, match="不能引用"):
        from django.contrib.contenttypes.models import ContentType

        ct = ContentType.objects.get_for_model(doc)
        services.resolve_citable(f"{ct.pk}:{doc.pk}")


def test_work_plan(cast, travel):
    travel(2026, 6, 30)
    p = f.plan(2026)
    with pytest.raises(Refusal, match="已有工作要点"):
        f.plan(2026)
    item = f.plan_item(p, cast["a"])
    with pytest.raises(Refusal) as exc:
        f.plan_item(p, cast["a"], deadline=date(2028, 1, 1))
    assert exc.value.field == "deadline"
    services.add_progress(item, cast["admin_a"], text="已开展6次", percent=50)
    with pytest.raises(Refusal):
        services.add_progress(item, cast["admin_a"], text="x", reported_on=date(2026, 7, 1))
    with pytest.raises(Refusal) as exc:
        services.assess_item(item, "mostly", "", cast["bureau"])
    assert exc.value.field == "year_end_note"
    item = services.assess_item(item, "mostly", "受疫情影响少开2次", cast["bureau"], version=item.version)
    assert item.get_year_end_status_display() == "基本完成"
    item = services.assess_item(item, "done", "", cast["bureau"])
    assert item.year_end_status == "done"
    assert services.latest_progress([item])[item.pk].percent == 50
    draft = f.plan(2027, status="draft")
    with pytest.raises(Refusal, match="尚未印发"):
        services.add_progress(
            f.plan_item(draft, cast["a"], deadline=date(2027, 12, 31)), cast["admin_a"], text="x"
        )
