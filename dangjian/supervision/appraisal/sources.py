"""Raw values of the computed indicators, read from the data the system holds (a constant number of queries
per source, whatever the number of organisations).

Each source returns {org_id: Raw}; `Raw.value` is what the pure scoring module turns into points (a rate 0–1,
a quantity, or a 0–100 score) and `Raw.text` says in words where it came from (stored in the snapshot).

Which organisations are appraised: every organisation that holds organisational life — every kind except the
党组 (an appointed leading group that holds no 三会一课) — existing on the appraisal's reference day (31 December of
the year, or today while the year is still running).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from dangjian.core.asof import as_of_for
from dangjian.core.periods import Period
from dangjian.orgs.asof import orgs_existing
from dangjian.orgs.models import Organization, OrgKind


@dataclass(frozen=True)
class Raw:
    value: Decimal | None
    text: str


NO_DATA = "无数据"


def reference_day(year: int, today: date | None = None) -> date:
    """The appraisal year's end (core.asof), or today while the year runs."""
    return as_of_for(Period.whole_year(year), today=today or timezone.localdate())


def appraised_orgs(year: int, as_of: date) -> list[Organization]:
    return list(orgs_existing(as_of).exclude(kind=OrgKind.DANGZU).order_by("code"))


def _rate(done: int, of: int, unit: str) -> Raw:
    if not of:
        return Raw(None, NO_DATA)
    return Raw((Decimal(done) / Decimal(of)).quantize(Decimal("0.0001")), f"{done}/{of} {unit}")


def compliance(
    year: int, orgs: Sequence[Organization], as_of: date, requirement_keys: set[str]
) -> dict[str, dict[int, Raw]]:
    """Per requirement key ("" = every core requirement): the share of the organisation's periods 达标 among
    those applicable (不适用 and 豁免 periods are left out; a period still running counts as not yet met)."""
    from dangjian.compliance.engine import Status
    from dangjian.compliance.services import evaluate

    if not requirement_keys:
        return {}
    counts: dict[str, dict[int, list[int]]] = {k: defaultdict(lambda: [0, 0]) for k in requirement_keys}
    for r in evaluate(Period.whole_year(year), list(orgs), as_of):
        if r.status in (Status.NA, Status.EXEMPT):
            continue
        for key in (r.requirement_key, "" if r.is_core else None):
            if key is not None and key in counts:
                c = counts[key][r.org_id]
                c[1] += 1
                c[0] += r.status is Status.MET
    return {
        key: {o.pk: _rate(*by_org.get(o.pk, [0, 0]), "期达标") for o in orgs}
        for key, by_org in counts.items()
    }


def terms(orgs: Sequence[Organization], as_of: date) -> dict[int, Raw]:
    """换届按期: 1 when the term in office on the reference day had not run out then; 0 when it had or none was
    recorded for that day; no value for organisations whose committee is not elected. As of the day
    (orgs.asof): a re-election after it does not raise the year's score."""
    from dangjian.orgs.asof import term_statuses
    from dangjian.orgs.terms import TermStatus

    statuses = term_statuses(as_of, Organization.objects.filter(pk__in=[o.pk for o in orgs]))
    out: dict[int, Raw] = {}
    for org_id, (status, _) in statuses.items():
        if status is TermStatus.NOT_ELECTED:
            out[org_id] = Raw(None, status.value)
        elif status in (TermStatus.NORMAL, TermStatus.EXPIRING):
            out[org_id] = Raw(Decimal(1), status.value)
        else:
            out[org_id] = Raw(Decimal(0), status.value)
    return out


def rectifications(year: int, orgs: Sequence[Organization], as_of: date) -> dict[int, Raw]:
    """Rectifications due in the year (deadline in the year, on or before the reference day, not cancelled):
    the share 销号 by their deadline."""
    from ..models import Rectification, RectificationStatus

    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = Rectification.objects.filter(
        organization_id__in=[o.pk for o in orgs],
        deadline__year=year,
        deadline__lte=as_of,
    ).exclude(status=RectificationStatus.CANCELLED)
    for org_id, deadline, status, closed_at in rows.values_list(
        "organization_id", "deadline", "status", "closed_at"
    ):
        c = counts[org_id]
        c[1] += 1
        closed_on = timezone.localdate(closed_at) if closed_at else None
        c[0] += status == RectificationStatus.CLOSED and closed_on is not None and closed_on <= deadline
    return {o.pk: _rate(*counts.get(o.pk, [0, 0]), "按时销号") for o in orgs}


def study_hours(year: int, orgs: Sequence[Organization]) -> dict[int, Raw]:
    """Average study hours of the organisation's members on the roll."""
    from dangjian.members.models import Member
    from dangjian.study.services import yearly_progress

    total: dict[int, Decimal] = defaultdict(Decimal)
    count: dict[int, int] = defaultdict(int)
    members = Member.objects.current().filter(organization_id__in=[o.pk for o in orgs])
    for mp in yearly_progress(year, members):
        total[mp.member["organization_id"]] += mp.progress.hours
        count[mp.member["organization_id"]] += 1
    out = {}
    for o in orgs:
        if not count.get(o.pk):
            out[o.pk] = Raw(None, "无在册党员")
        else:
            avg = (total[o.pk] / count[o.pk]).quantize(Decimal("0.01"))
            out[o.pk] = Raw(avg, f"人均 {avg} 学时（{count[o.pk]} 人）")
    return out


def study_target() -> Decimal:
    from dangjian.study.models import StudyConfig

    return Decimal(StudyConfig.current().member_hours)


def notices(year: int, orgs: Sequence[Organization], as_of: date) -> dict[int, Raw]:
    from dangjian.duties.services import notice_stats

    stats = notice_stats(year, [o.pk for o in orgs], as_of=as_of)
    out = {}
    for o in orgs:
        c = stats.by_org.get(o.pk)
        out[o.pk] = _rate(c.acknowledged_on_time, c.issued, "按时签收") if c else Raw(None, "未收到通知")
    return out


def observations(year: int, orgs: Sequence[Organization]) -> dict[int, Raw]:
    """The 半年观摩 score on a 100-point scale, as `services.observation_score(org_id, year)` defines it, computed
    for all organisations at once (each event's results are read once, not once per organisation)."""
    from fractions import Fraction

    from ..models import Observation
    from ..services import results

    scaled: dict[int, list[Fraction]] = defaultdict(list)
    for obs in Observation.objects.filter(year=year, is_cancelled=False):
        res = results(obs)
        if res.max_total <= 0:
            continue
        for row in res.rows:
            if row.result.score is not None:
                scaled[row.target.organization_id].append(row.result.score / Fraction(res.max_total) * 100)
    out = {}
    for o in orgs:
        values = scaled.get(o.pk)
        if not values:
            out[o.pk] = Raw(None, "未参加观摩")
            continue
        s = Decimal(float(sum(values) / len(values))).quantize(Decimal("0.01"))
        out[o.pk] = Raw(s, f"{s} 分（{len(values)} 次观摩）")
    return out


def cases(year: int, orgs: Sequence[Organization]) -> dict[int, Raw]:
    from dangjian.duties.services import published_case_counts

    counts = published_case_counts(year, [o.pk for o in orgs])
    return {o.pk: Raw(Decimal(counts.get(o.pk, 0)), f"{counts.get(o.pk, 0)} 篇") for o in orgs}
