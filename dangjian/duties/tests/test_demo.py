"""The duties demo: realistic, deterministic for a seed, and consistent with the rules of the app."""

import random
from datetime import date

import pytest

from dangjian.demo import duties as demo
from dangjian.demo.context import DemoContext
from dangjian.duties import services
from dangjian.duties.models import (
    BrandCase,
    DutyList,
    DutyReport,
    LeadingGroupMember,
    Notice,
    NoticeTarget,
    RuleDocument,
    RuleVersion,
    WorkPlan,
)
from dangjian.factories import org

pytestmark = pytest.mark.django_db


def _seed(seed: int, today: date) -> None:
    demo.seed(DemoContext(rng=random.Random(seed), today=today, log=lambda *a: None))


def _fingerprint():
    return (
        list(
            DutyReport.objects.order_by("duty__duty_list__title", "duty__seq", "period_key").values_list(
                "period_key", "reported_at"
            )
        ),
        list(
            NoticeTarget.objects.order_by("notice__month", "notice__title", "organization__code").values_list(
                "acknowledged_at", "fed_back_at"
            )
        ),
        list(LeadingGroupMember.objects.order_by("sort").values_list("person_name", "post")),
    )


def test_demo_content(cast, travel):
    travel(2026, 7, 15)
    for i in range(4):
        org(f"演示第{i}党支部", parent=cast["organ"], code=f"D{i}")
    _seed(7, date(2026, 7, 15))
    kinds = sorted(DutyList.objects.values_list("kind", flat=True))
    assert kinds.count("main") == 1 and kinds.count("dual") == 3 and kinds.count("branch") >= 1
    dual = DutyList.objects.filter(kind="dual").first()
    assert dual.holder_name and dual.in_charge_units.exists()
    roles = set(LeadingGroupMember.objects.values_list("role", flat=True))
    assert {"leader", "deputy", "member", "office_head", "office_staff"} <= roles
    assert (
        WorkPlan.objects.filter(year=2026).exists()
        and WorkPlan.objects.filter(year=2025).get().items.exclude(year_end_status="").exists()
    )
    monthly = Notice.objects.filter(kind="monthly", year=2026)
    assert sorted(monthly.values_list("month", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    # realistic 签收: mostly on time, some late, some missing
    stats = services.notice_stats(2026, as_of=date(2026, 7, 15))
    t = stats.total
    assert 0 < t.acknowledged_on_time < t.acknowledged < t.issued
    assert 0 < t.fed_back_on_time < t.fed_back < t.feedback_expected
    rates = services.completion_rates(2026, date(2026, 7, 15))
    main = next(r for r in rates["lists"] if r.obj.kind == "main")
    assert 0.5 < main.tally.rate < 1 and main.tally.overdue > 0
    assert BrandCase.objects.filter(status="published", is_exemplary=True).count() == 1
    assert services.published_case_count(2026) == 3
    assert BrandCase.objects.filter(status="published").first().photos.count() == 1
    term_rule = RuleDocument.objects.get(title__contains="换届提醒")
    assert list(term_rule.versions.order_by("number").values_list("number", "is_current")) == [
        (1, False),
        (2, True),
    ]
    assert RuleVersion.objects.filter(is_current=True).count() == RuleDocument.objects.count()
    # every report stays inside its item's year and never precedes its period
    for r in DutyReport.objects.select_related("duty"):
        assert r.reported_at.date() <= date(2026, 7, 15)


def test_demo_is_deterministic_and_idempotent(cast, travel):
    travel(2026, 7, 15)
    _seed(3, date(2026, 7, 15))
    first = _fingerprint()
    lists = DutyList.objects.count()
    _seed(3, date(2026, 7, 15))  # a second run adds nothing
    assert DutyList.objects.count() == lists
    for model in (NoticeTarget, DutyReport):
        model.objects.all().delete()
    from dangjian.duties import models as m

    for model in (
        m.CaseReview,
        m.CasePhoto,
        m.BrandCase,
        m.RuleCitation,
        m.RuleVersion,
        m.RuleDocument,
        m.WorkPlanProgress,
        m.WorkPlanItem,
        m.WorkPlan,
        m.Notice,
        m.NoticeTemplate,
        m.Duty,
        m.DutyList,
        m.LeadingGroupMember,
        m.LeadingGroup,
        m.FirstResponsible,
    ):
        model.objects.all().delete()
    _seed(3, date(2026, 7, 15))
    assert _fingerprint() == first
