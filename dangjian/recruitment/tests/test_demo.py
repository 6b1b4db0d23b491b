"""`seed_demo` carries a believable 发展党员 pipeline (issue 15 part 8)."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from dangjian.core.periods import add_months
from dangjian.recruitment import rules, services
from dangjian.recruitment.models import Candidate, Stage

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()


@pytest.mark.django_db
def test_the_demo_pipeline():
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", "--seed", "7", stdout=StringIO())
        by_stage: dict[str, list[Candidate]] = {}
        for c in Candidate.objects.order_by("pk"):
            by_stage.setdefault(c.stage, []).append(c)
        assert len(by_stage[Stage.APPLICANT]) >= 3
        activists = by_stage[Stage.ACTIVIST]
        assert len(activists) >= 3 and len({c.birth_date.year for c in activists}) == len(activists)
        assert len({c.activist_on for c in activists}) == len(activists)
        in_publicity = [c for c in by_stage[Stage.TARGET] if c.publicity_end and c.publicity_end >= TODAY]
        assert len(in_publicity) == 1
        late = [
            c
            for c in by_stage[Stage.TARGET]
            if any(d.number == 17 and d.late for d in rules.due_steps(services.facts_of(c, on=TODAY)))
        ]
        assert len(late) == 1
        nxt = add_months(TODAY.replace(day=1), 1)
        due_next_month = [c for c in by_stage[Stage.PROBATIONARY] if c.probation_ends_on and
                          nxt <= c.probation_ends_on < add_months(nxt, 1)]  # fmt: skip
        assert (
            len(due_next_month) == 1 and due_next_month[0].member.join_date == due_next_month[0].admitted_on
        )
        archived = [c for c in by_stage[Stage.FULL] if c.archived_on]
        assert len(archived) == 1 and archived[0].member.full_date == archived[0].full_on
        assert len(by_stage[Stage.ENDED]) == 1
        # every demo candidate's history passes the rules it was recorded under: nothing needed a waiver
        assert not any(s.override_id for c in Candidate.objects.all() for s in c.steps.all())
