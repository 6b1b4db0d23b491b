"""The memo's topics come from the apps' registrations, and a memoised computation that reads a table it did not
declare fails in tests (DANGJIAN_MEMO_CHECK)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.test import override_settings

from dangjian import factories
from dangjian.activities.models import Activity
from dangjian.core import memo, stamps
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.reports import dashboard

TODAY = date(2026, 6, 15)


def unit_total(charts) -> int:
    unit = next(c for c in charts if c.id == "units")
    return sum(unit.series[0]["data"])


@pytest.mark.django_db(transaction=True)
def test_a_write_to_the_units_through_table_alone_refreshes_the_unit_chart():
    org = factories.org(founded_on=date(2015, 1, 1))
    spare = factories.unit()  # written before the first view: its own topic is counted already
    before = unit_total(dashboard.build(None, TODAY))
    org.units.add(spare)  # touches only orgs_organization_units
    assert unit_total(dashboard.build(None, TODAY)) == before + 1


def test_through_tables_are_tracked_under_their_owner():
    by_table = {t.table: t for t in stamps.tracked()}
    units = Organization.units.through._meta.db_table
    assert by_table[units].topic == "orgs_organization" and not by_table[units].monthly
    kinds = Activity.kinds.through._meta.db_table
    assert by_table[kinds].topic == "activities_activity" and by_table[kinds].monthly


def test_core_names_no_domain_table():
    source = Path(stamps.__file__).read_text() + Path(memo.__file__).read_text()
    for table in {t.table for t in stamps.tracked()}:
        assert table not in source


def test_declared_topics_must_be_registered_and_monthly_where_counted_by_month():
    stamps.check_topics(["members_member", stamps.month_topic(Activity, 2026, 3)])
    with pytest.raises(ValueError, match="未登记"):
        stamps.check_topics(["core_auditentry"])
    with pytest.raises(ValueError, match="按月"):
        stamps.check_topics(["activities_activity"])  # never counted as a whole: would never change
    with pytest.raises(ValueError, match="不按月"):
        stamps.check_topics(["members_member:2026-03"])


def test_read_tables_parses_from_and_join_without_aliases_and_infrastructure():
    sql = (
        'SELECT COUNT(*) FROM "members_member" INNER JOIN "orgs_organization" T3 ON (T3."id" = 1) '
        'LEFT OUTER JOIN orgs_organization_units ON 1 WHERE EXTRACT(YEAR FROM T3."founded_on") = 1 '
        'AND EXISTS (SELECT 1 FROM "core_datastamp")'
    )
    assert memo.read_tables(sql) == {"members_member", "orgs_organization", "orgs_organization_units"}


@pytest.mark.django_db
def test_a_computation_reading_an_undeclared_table_fails():
    org = factories.org()
    factories.member(org)

    def compute() -> int:
        return Member.objects.filter(organization__name=org.name).count()  # joins orgs_organization

    with pytest.raises(memo.UndeclaredRead, match="orgs_organization"):
        memo.memoized("test-undeclared", None, ["members_member"], compute)
    assert memo.memoized("test-declared", None, ["members_member", "orgs_organization"], compute) == 1
    with override_settings(DANGJIAN_MEMO_CHECK=False):  # production: no check, no extra work
        assert memo.memoized("test-unchecked", None, ["members_member"], compute) == 1


@pytest.mark.django_db
def test_a_through_table_read_is_covered_by_its_owner():
    org = factories.org(units=[factories.unit()])

    def compute() -> int:
        return org.units.count()  # orgs_unit joined with orgs_organization_units

    assert memo.memoized("test-through", None, ["orgs_unit", "orgs_organization"], compute) == 1
    with pytest.raises(memo.UndeclaredRead, match="orgs_organization_units"):
        memo.memoized("test-through-missing", None, ["orgs_unit"], compute)
