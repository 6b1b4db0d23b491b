"""orgs.asof: the organisation side of a day's figures, on the boundary days."""

from __future__ import annotations

from datetime import date

import pytest

from dangjian import factories as f
from dangjian.orgs import asof, services
from dangjian.orgs.models import Organization, OrgKind, PostTitle, UnitKind
from dangjian.orgs.terms import TermStatus

pytestmark = pytest.mark.django_db
D = date


def _tree():
    root = f.org("党组", kind=OrgKind.DANGZU, code="ROOT", founded_on=None)
    a = f.org("甲支部", parent=root, code="A", founded_on=D(2020, 3, 1))
    b = f.org("乙支部", parent=root, code="B", founded_on=D(2026, 3, 10))
    c = f.org("丙支部", parent=root, code="C", founded_on=D(2010, 1, 1), dissolved_on=D(2025, 6, 30))
    return root, a, b, c


def test_orgs_existing_founded_on_or_before_and_not_dissolved_by_then():
    root, a, b, c = _tree()
    codes = lambda day: sorted(asof.orgs_existing(day).values_list("code", flat=True))  # noqa: E731
    assert codes(D(2020, 2, 29)) == ["C", "ROOT"]
    assert codes(D(2020, 3, 1)) == ["A", "C", "ROOT"]  # founded that day: exists
    assert codes(D(2025, 6, 29)) == ["A", "C", "ROOT"]
    assert codes(D(2025, 6, 30)) == ["A", "ROOT"]  # dissolved that day: gone
    assert codes(D(2026, 3, 9)) == ["A", "ROOT"]
    assert codes(D(2026, 3, 10)) == ["A", "B", "ROOT"]
    assert list(asof.orgs_existing(D(2026, 12, 31), a).values_list("code", flat=True)) == ["A"]


def test_orgs_by_kind_counts_every_organisation_not_one_per_path():
    root, a, b, c = _tree()
    f.org("联合支部", kind=OrgKind.JOINT_BRANCH, parent=root, code="J", founded_on=D(2018, 1, 1))
    assert asof.orgs_by_kind(D(2026, 12, 31)) == {"dangzu": 1, "branch": 2, "joint_branch": 1}
    assert asof.orgs_by_kind(D(2025, 1, 1)) == {"dangzu": 1, "branch": 2, "joint_branch": 1}  # A and C


def test_unit_kind_on_reads_the_change_in_force_that_day():
    unit = f.unit("某国企", UnitKind.SOE)
    never = f.unit("某事业单位", UnitKind.INSTITUTION)
    services.change_unit_kind(
        unit, kind=UnitKind.RESTRUCTURED, valid_from=D(2024, 7, 1), expected_version=None, today=D(2026, 1, 1)
    )
    services.change_unit_kind(
        unit, kind=UnitKind.BANKRUPTING, valid_from=D(2026, 4, 1), expected_version=None, today=D(2026, 5, 1)
    )
    assert asof.unit_kind_on(unit, D(2024, 6, 30)) == UnitKind.SOE
    assert asof.unit_kind_on(unit, D(2024, 7, 1)) == UnitKind.RESTRUCTURED
    assert asof.unit_kind_on(unit, D(2026, 3, 31)) == UnitKind.RESTRUCTURED
    assert asof.unit_kind_on(unit, D(2026, 4, 1)) == UnitKind.BANKRUPTING
    assert asof.unit_kind_on(never, D(2000, 1, 1)) == UnitKind.INSTITUTION
    org = f.org("国企支部", units=[unit, never])
    by = asof.units_by_kind(D(2025, 12, 31), Organization.objects.filter(pk=org.pk))
    assert by[UnitKind.RESTRUCTURED] == [unit.pk] and by[UnitKind.INSTITUTION] == [never.pk]
    assert by[UnitKind.BANKRUPTING] == [] and by[UnitKind.SOE] == []


def test_change_unit_kind_refusals():
    unit = f.unit("某国企2", UnitKind.SOE)
    with pytest.raises(services.Refusal, match="不能晚于今天"):
        services.change_unit_kind(
            unit,
            kind=UnitKind.RESTRUCTURED,
            valid_from=D(2026, 2, 1),
            expected_version=None,
            today=D(2026, 1, 1),
        )
    with pytest.raises(services.Refusal, match="无需变更"):
        services.change_unit_kind(
            unit, kind=UnitKind.SOE, valid_from=D(2025, 2, 1), expected_version=None, today=D(2026, 1, 1)
        )
    assert not unit.kind_changes.exists()  # a refusal writes nothing (not even the base row)


def test_term_on_and_overdue_missing_on_the_boundary_days():
    root, a, b, c = _tree()
    old = f.term(a, elected_on=D(2020, 3, 1))  # 3 years: expires 2023-03-01
    new = services.record_election(a, D(2026, 5, 20), 3, (), require_posts=False, today=D(2026, 6, 1))
    old.refresh_from_db()
    assert asof.term_on(a, D(2020, 2, 29)) is None
    assert asof.term_on(a, D(2020, 3, 1)) == old
    assert asof.term_on(a, D(2026, 5, 19)) == old
    assert asof.term_on(a, D(2026, 5, 20)) == new  # elected that day: the new term is in office
    orgs = Organization.objects.all()
    assert asof.terms_overdue(D(2023, 3, 1), orgs) == []  # the expiry day itself is not yet overdue
    assert asof.terms_overdue(D(2023, 3, 2), orgs) == ["A"]
    assert asof.terms_overdue(D(2025, 12, 31), orgs) == ["A"]
    assert asof.terms_overdue(D(2026, 5, 20), orgs) == []
    # B exists from 2026-03-10 without a term; C (dissolved) had none; the 党组 is not elected.
    assert asof.terms_missing(D(2025, 12, 31), asof.orgs_existing(D(2025, 12, 31))) == []
    assert asof.terms_missing(D(2026, 3, 10), asof.orgs_existing(D(2026, 3, 10))) == ["B"]
    statuses = asof.term_statuses(D(2025, 12, 31), Organization.objects.filter(code="ROOT"))
    assert statuses[root.pk][0] is TermStatus.NOT_ELECTED


def test_an_approved_delay_moves_the_expiry():
    _, a, *_ = _tree()
    t = f.term(a, elected_on=D(2022, 6, 1))
    t.extended_to = D(2026, 3, 1)
    t.save()
    assert asof.terms_overdue(D(2025, 12, 31), Organization.objects.filter(pk=a.pk)) == []
    assert asof.terms_overdue(D(2026, 3, 2), Organization.objects.filter(pk=a.pk)) == ["A"]


def test_posts_held_then():
    _, a, *_ = _tree()
    t = f.term(a, elected_on=D(2021, 1, 10), secretary="甲书记")  # secretary post without dates
    t.posts.create(title=PostTitle.ORGANIZATION, person_name="乙委员", started_on=D(2022, 1, 1))
    t.posts.create(title=PostTitle.PROPAGANDA, person_name="丙委员", ended_on=D(2023, 6, 1))
    services.record_election(a, D(2024, 1, 10), 3, (), require_posts=False, today=D(2024, 2, 1))
    names = lambda day: sorted(asof.posts_held(day, [a]).values_list("person_name", flat=True))  # noqa: E731
    assert names(D(2021, 12, 31)) == ["丙委员", "甲书记"]
    assert names(D(2022, 1, 1)) == ["丙委员", "乙委员", "甲书记"]
    assert names(D(2023, 6, 1)) == ["乙委员", "甲书记"]  # left that day
    assert names(D(2024, 1, 10)) == []  # the old term ended; the new one has no seats recorded
