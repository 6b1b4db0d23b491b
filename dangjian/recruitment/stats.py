"""发展党员 figures (issue 15 part 5) for the dashboard, the yearly report and the 党内统计 workbook.

Each figure is taken from the dated steps (design §3, the as-of convention): the year's **flows** count steps dated
in the year — 申请人 (step 1), 积极分子 (3), 发展对象 (7), 预备 (17: 发展党员, counted when the superior approves; for
an imported 预备党员 the day of the 支部大会), 转正 / 延长 / 取消 (24 with that decision) — and the **stock** is the
stage each candidate had reached on the year's last day (rules.stage_of over the steps dated by then). A later
step never changes a past year. Counted per organisation (the candidate's branch); a few queries whatever the
number of candidates.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q

from dangjian.core.dates import age_on
from dangjian.members.asof import members_on_roll
from dangjian.members.choices import AGE_BANDS, EventKind
from dangjian.members.models import MembershipEvent
from dangjian.orgs.models import BRANCH_KINDS, Organization

from . import rules, services
from .models import Candidate, RecruitmentPlan, RecruitmentStep

FLOWS = ("申请人", "积极分子", "发展对象", "预备", "转正", "延长", "取消")
STOCK = (rules.APPLICANT, rules.ACTIVIST, rules.TARGET, rules.PROBATIONARY)
_FLOW_OF_STEP = {1: "申请人", 3: "积极分子", 7: "发展对象", 17: "预备"}
_FLOW_OF_DECISION = {rules.CONFIRM: "转正", rules.EXTEND: "延长", rules.CANCEL: "取消"}
YOUTH_AGE = 35  # 青年: 35岁及以下 at the 支部大会
EDUCATED = ("研究生", "大学本科", "大学专科")  # 高知: 大专及以上
NO_RECRUITMENT_YEARS = 3


@dataclass
class OrgCounts:
    flows: Counter[str] = field(default_factory=Counter)
    stock: Counter[str] = field(default_factory=Counter)
    admitted_youth: int = 0  # of 预备 (发展党员): 35 and under on the day of the 支部大会
    admitted_educated: int = 0  # of 预备: 大专及以上
    admitted_frontline: int = 0  # of 预备: 生产、工作一线

    def add(self, other: OrgCounts) -> None:
        self.flows.update(other.flows)
        self.stock.update(other.stock)
        self.admitted_youth += other.admitted_youth
        self.admitted_educated += other.admitted_educated
        self.admitted_frontline += other.admitted_frontline


@dataclass
class PipelineCounts:
    year: int
    by_org: dict[int, OrgCounts]

    @property
    def total(self) -> OrgCounts:
        out = OrgCounts()
        for c in self.by_org.values():
            out.add(c)
        return out


def counts(year: int, org_ids: Iterable[int] | None = None) -> PipelineCounts:
    """The year's flows and the stock at its end, per organisation (all organisations when `org_ids` is None)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    qs = Candidate.objects.filter(applied_on__lte=end)
    if org_ids is not None:
        qs = qs.filter(organization_id__in=list(org_ids))
    qs = qs.prefetch_related(Prefetch("steps", queryset=RecruitmentStep.objects.order_by("id")))
    by_org: dict[int, OrgCounts] = defaultdict(OrgCounts)
    for c in qs.order_by("pk"):
        history = [d for d in services.history(c, list(c.steps.all())) if d.on <= end]
        oc = by_org[c.organization_id]
        for d in history:
            if d.on < start:
                continue
            flow = _FLOW_OF_STEP.get(d.number) or (
                _FLOW_OF_DECISION.get(d.outcome) if d.number == 24 else None
            )
            if flow is None:
                continue
            oc.flows[flow] += 1
            if flow == "预备":
                admitted = rules.latest(history, 15)
                on = admitted.on if admitted is not None else d.on
                oc.admitted_youth += age_on(c.birth_date, on) <= YOUTH_AGE
                oc.admitted_educated += c.education in EDUCATED
                oc.admitted_frontline += c.frontline
        terminated = c.ended_on is not None and c.ended_on <= end and c.member_id is None
        stage = rules.ENDED if terminated else rules.stage_of(history)
        if stage in STOCK:
            oc.stock[stage] += 1
    return PipelineCounts(year, dict(by_org))


def plans(year: int, org_ids: Iterable[int] | None = None) -> dict[int, RecruitmentPlan]:
    qs = RecruitmentPlan.objects.filter(year=year)
    if org_ids is not None:
        qs = qs.filter(organization_id__in=list(org_ids))
    return {p.organization_id: p for p in qs}


def branches_without_recruits(orgs: Iterable[Organization], year: int) -> list[Organization]:
    """The branches, existing for the whole three years Y-2..Y, where nobody joined (入党) in them — from the
    roster's dated events, so that members entered on the roster count as well as those of the pipeline."""
    first = date(year - NO_RECRUITMENT_YEARS + 1, 1, 1)
    branches = [o for o in orgs if o.kind in BRANCH_KINDS and (o.founded_on is None or o.founded_on <= first)]
    joined = set(
        MembershipEvent.objects.filter(
            kind=EventKind.JOINED,
            date__gte=first,
            date__lte=date(year, 12, 31),
            to_org__in=[o.pk for o in branches],
        )
        .order_by()
        .values_list("to_org_id", flat=True)
        .distinct()
    )
    return [o for o in branches if o.pk not in joined]


def age_profile(orgs, year: int) -> dict[str, int]:
    """Members on the roll at the year's end by age band (members.asof), with the total."""
    end = date(year, 12, 31)
    bands: Counter[str] = Counter()
    total = 0
    for birth in members_on_roll(end, orgs).values_list("birth_date", flat=True):
        a = age_on(birth, end)
        bands[next(label for lo, hi, label in AGE_BANDS if lo <= a <= hi)] += 1
        total += 1
    return {"total": total, **{label: bands[label] for _, _, label in AGE_BANDS}}


def pipeline_q(org: Organization | None) -> Q:
    return Q(organization__path__startswith=org.path) if org is not None else Q()
