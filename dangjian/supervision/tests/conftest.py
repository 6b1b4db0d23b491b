"""Fixtures of the 督查考核 tests: a small bureau big enough to draw from."""

from __future__ import annotations

import itertools
import random
from datetime import date

import pytest

from dangjian import factories
from dangjian.accounts.roles import Role
from dangjian.orgs.models import OrgKind, UnitKind


@pytest.fixture
def bureau_tree(cast):
    """The cast plus branches C1…C9 under JG (units of several kinds; one without a unit), a 党委 with a
    branch under it, and a dissolved branch."""
    organ = cast["organ"]
    kinds = [UnitKind.INSTITUTION, UnitKind.SOE, UnitKind.RESTRUCTURED]
    extra = []
    for i in range(1, 10):
        units = [factories.unit(f"单位C{i}", kinds[i % 3])] if i != 9 else []
        extra.append(factories.org(f"第C{i}党支部", parent=organ, code=f"C{i}", units=units))
    committee = factories.org("某公司党委", kind=OrgKind.COMMITTEE, parent=cast["root"], code="P1")
    extra.append(factories.org("某公司第一党支部", parent=committee, code="P1A", kind=OrgKind.JOINT_BRANCH))
    factories.org("已撤销党支部", parent=organ, code="X1", dissolved_on=date(2025, 1, 1))
    return {**cast, "committee": committee, "extra": extra}


@pytest.fixture
def demo_ctx(bureau_tree):
    from dangjian.demo.context import DemoContext

    users = {u.username: u for k, u in bureau_tree.items() if hasattr(u, "role")}
    orgs = {
        o.code: o for o in [bureau_tree["root"], bureau_tree["organ"], bureau_tree["a"], bureau_tree["b"]]
    }
    return DemoContext(
        rng=random.Random(2026), today=date(2026, 11, 20), orgs=orgs, users=users, log=lambda *_: None
    )


_raters = itertools.count(1)


def make_raters(n: int) -> list:
    return [factories.user(f"rater{next(_raters)}", Role.INSPECTOR) for _ in range(n)]


@pytest.fixture(autouse=True)
def _no_similar_cache(settings):
    """Frozen clocks and reused ids could make two tests' data look alike to a memo shared between tests."""
    settings.DANGJIAN_SIMILAR_MEMO = False
