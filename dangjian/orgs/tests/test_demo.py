"""The orgs demo seeder: deterministic for a seed, steps in order and never in the future."""

from __future__ import annotations

import random
from datetime import date

import pytest

from dangjian import factories as f
from dangjian.demo import orgs as demo
from dangjian.demo.context import DemoContext
from dangjian.orgs.models import RENEWAL_ORDER, Organization, PartyGroup, RenewalStep, Term
from dangjian.orgs.services import term_overview

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)


def _build(cast):
    for i in range(8):
        o = f.org(f"演示支部{i}", parent=cast["organ"], code=f"D{i}")
        f.term(o, elected_on=date(2023, 1 + i, 1))  # expiries from 2026-01 to 2026-08
    for _ in range(20):
        f.member(cast["b"])


def _seed(seed: int) -> list[tuple]:
    demo.seed(DemoContext(rng=random.Random(seed), today=TODAY, log=lambda *a: None))
    return list(RenewalStep.objects.order_by("term_id", "kind").values_list("term_id", "kind", "done_on"))


def test_seed_is_deterministic_and_valid(cast):
    _build(cast)
    first = _seed(7)
    RenewalStep.objects.all().delete()
    PartyGroup.objects.all().delete()
    Term.objects.update(extended_to=None, extension_reason="")
    assert _seed(7) == first and first
    for term in Term.objects.filter(renewal_steps__isnull=False).distinct():
        steps = sorted(term.renewal_steps.all(), key=lambda s: RENEWAL_ORDER.index(s.kind))
        assert [s.kind for s in steps] == list(RENEWAL_ORDER[: len(steps)])
        assert all(a.done_on <= b.done_on <= TODAY for a, b in zip(steps, steps[1:], strict=False))
    assert Term.objects.filter(extended_to__isnull=False).count() == 1
    # Party groups are the base demo's (dangjian.demo.base), with their members; this seeder adds none.
    assert not PartyGroup.objects.exists()
    rows = term_overview(Organization.objects.all(), TODAY)
    assert any(r.steps for r in rows)
