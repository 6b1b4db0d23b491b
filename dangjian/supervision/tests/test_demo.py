"""The demo seeder: what a demo should show, deterministic for a seed."""

from datetime import date

import pytest
import time_machine

from dangjian.demo import supervision as demo
from dangjian.supervision import services
from dangjian.supervision.models import (
    Finding,
    InspectionRound,
    Observation,
    ObservationRater,
    Rectification,
)
from dangjian.supervision.services import similar

pytestmark = pytest.mark.django_db


@time_machine.travel(date(2026, 11, 20), tick=False)
def test_demo_shows_every_part(demo_ctx):
    demo.seed(demo_ctx)
    rnd = InspectionRound.objects.get()
    assert rnd.quarter == "2026Q3"
    assert services.replay_round(rnd)
    assert rnd.targets.count() >= 3
    assert Finding.objects.filter(result="fail").count() >= 3
    statuses = set(Rectification.objects.values_list("status", flat=True))
    assert {"closed", "in_progress", "submitted"} <= statuses
    assert services.overdue_rectifications(date(2026, 11, 20)).exists()
    closed = Rectification.objects.get(status="closed")
    assert closed.events.filter(kind="evidence").exists() and closed.verification

    obs = Observation.objects.get()
    assert (obs.year, obs.half, obs.is_final) == (2026, 1, True)
    assert ObservationRater.objects.filter(observation=obs).count() == 5
    res = services.results(obs)
    assert res.trimmed and all(r.result.score is not None for r in res.rows)
    assert services.observation_score(res.rows[0].organization.pk, 2026) is not None

    pairs = similar.pairs_json(2026, 0.8)["pairs"]
    assert len(pairs) >= 3
    assert any(p["a_org"] == p["b_org"] for p in pairs)  # reused within one organisation
    assert any(p["a_org"] != p["b_org"] for p in pairs)  # copied between organisations


def _fingerprint() -> tuple:
    from dangjian.activities.models import Activity
    from dangjian.supervision.models import ObservationScore

    return (
        list(InspectionRound.objects.values_list("quarter", "seed")),
        sorted(Finding.objects.values_list("target__organization__code", "item_name", "result", "note")),
        sorted(Rectification.objects.values_list("organization__code", "status", "deadline")),
        sorted(
            ObservationScore.objects.values_list(
                "target__organization__code", "rater__user__username", "item__name", "points"
            )
        ),
        sorted(Activity.objects.values_list("organization__code", "date", "topic", "minutes")),
    )


@time_machine.travel(date(2026, 11, 20), tick=False)
def test_demo_is_deterministic_for_a_seed(demo_ctx):
    import random

    from django.db import transaction

    prints = []
    for _ in range(2):
        demo_ctx.rng = random.Random(2026)
        with transaction.atomic():
            demo.seed(demo_ctx)
            prints.append(_fingerprint())
            transaction.set_rollback(True)
    assert prints[0] == prints[1]
    assert prints[0][0] and prints[0][3]
