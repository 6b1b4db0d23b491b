"""Builders for the recruitment tests: a candidate taken through the steps by the services (as a command would:
no user, acting for branch and superior alike), on the dates of one believable pipeline."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from dangjian.activities.models import Activity, ActivityKind
from dangjian.core.idnumber import make_id_number
from dangjian.members.models import Member
from dangjian.recruitment import rules, services
from dangjian.recruitment.models import Candidate

TODAY = date(2026, 11, 27)
_seq = itertools.count(300)

# One pipeline from application to archive (a branch of fewer than 7 正式党员: its 支部大会 decides).
DATES: dict[int, date] = {
    1: date(2023, 1, 10),
    2: date(2023, 1, 20),
    3: date(2023, 3, 1),
    4: date(2023, 3, 10),
    5: date(2023, 3, 10),
    6: date(2023, 9, 1),
    7: date(2024, 3, 1),
    8: date(2024, 3, 10),
    9: date(2024, 3, 10),
    10: date(2024, 4, 1),
    11: date(2024, 4, 10),
    12: date(2024, 5, 6),
    13: date(2024, 5, 13),
    14: date(2024, 5, 20),
    15: date(2024, 6, 3),
    16: date(2024, 6, 10),
    17: date(2024, 7, 1),
    18: date(2024, 7, 10),
    19: date(2024, 7, 5),
    20: date(2024, 7, 5),
    21: date(2025, 1, 5),
    22: date(2025, 5, 20),
    23: date(2025, 6, 10),
    24: date(2025, 7, 1),
    25: date(2025, 7, 10),
}


def applicant(
    birth: date = date(2000, 5, 1), *, name: str = "赵青年", male: bool = True
) -> services.Applicant:
    n = next(_seq)
    seq = (n * 2 + (1 if male else 0)) % 1000
    return services.Applicant(
        name=name,
        id_number=make_id_number("411402", birth, seq),
        gender="男" if male else "女",
        birth_date=birth,
        education="大学本科",
    )


def candidate(org: Any, applied_on: date = DATES[1], **kw: Any) -> Candidate:
    return services.create_candidate(applicant(**kw), org, applied_on, actor=None, actor_name="测试")


def assembly(org: Any, day: date, *, expected: int = 3, present: int = 3) -> Activity:
    """A recorded 支部党员大会 with its voting counts (as activities.services would have stored them)."""
    a = Activity.objects.create(
        organization=org,
        date=day,
        topic="讨论接收预备党员",
        voting_expected=expected,
        voting_present=present,
        expected=expected,
        present=present,
        quorum_met=rules.quorum_met(present, expected),
        status="approved",
    )
    a.kinds.add(ActivityKind.objects.get(key="branch_assembly"))
    return a


def full_members(org: Any) -> list[Member]:
    return list(Member.objects.filter(organization=org, full_date__isnull=False).order_by("pk"))


def step_input(c: Candidate, number: int, on: date | None = None, **kw: Any) -> services.StepInput:
    on = on or DATES[number]
    org = c.organization
    data = services.StepInput(on=on)
    if number == 3:
        data.source = "党员推荐"
    if number == 5:
        data.people = full_members(org)[:1]
    if number == 7:
        data.opinions_heard = True
    if number == 9:
        data.people = full_members(org)[:2]
    if number == 10:
        data.outcome = rules.PASS
    if number == 11:
        data.training_days = 3  # type: ignore[assignment]
    if number == 12:
        data.publicity_start, data.publicity_end = on, date(on.year, on.month, on.day + 4)
    if number in (6, 21):
        data.notes = "表现良好"
    if number in rules.ASSEMBLY_STEPS:
        data.activity = kw.pop("activity", None) or assembly(org, on)
        data.votes_for = 3
    if number == 23:
        data.outcome = rules.CONFIRM
    if number == 25:
        data.dossier = list(rules.DOSSIER)
    for k, v in kw.items():
        setattr(data, k, v)
    return data


def walk(c: Candidate, upto: int, *, start: int = 2, actor: Any = None, **kw: Any) -> Candidate:
    """Record steps start..upto (on DATES) through the services."""
    for n in range(start, upto + 1):
        services.record_step(c, n, step_input(c, n), actor=actor, actor_name="测试", on_today=TODAY)
    c.refresh_from_db()
    return c
