"""The facts of a year, counted from the database, each with its query (reports.metrics)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.activities.models import Activity, ActivityKind
from dangjian.members.models import Member
from dangjian.orgs.models import (
    BRANCH_KINDS,
    DEFAULT_TERM_YEARS,
    Organization,
    OrgKind,
    Post,
    Unit,
    UnitKind,
)
from dangjian.orgs.services import current_expiries
from dangjian.orgs.terms import TermStatus, term_status

from .metrics import Metrics

SUBORDINATE_UNIT_KINDS = [
    UnitKind.INSTITUTION,
    UnitKind.SOE,
    UnitKind.RESTRUCTURED,
    UnitKind.BANKRUPTING,
    UnitKind.BANKRUPT_ENDED,
]
TROUBLED_UNIT_KINDS = [UnitKind.RESTRUCTURED, UnitKind.BANKRUPTING, UnitKind.BANKRUPT_ENDED]


def scope_orgs(root: Organization | None, year_end: date):
    qs = Organization.objects.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=year_end))
    if root is not None:
        qs = qs.filter(path__startswith=root.path)
    return qs


def members_at(orgs, year_end: date):
    """Members on the roll at the year's end (党内统计 counts at 12月31日)."""
    return Member.objects.filter(organization__in=orgs, join_date__lte=year_end).filter(
        Q(status="正常") | Q(left_on__gt=year_end)
    )


def basic_facts(m: Metrics, year: int, root: Organization | None) -> None:
    end = date(year, 12, 31)
    orgs = scope_orgs(root, end)
    units = Unit.objects.filter(is_active=True, organizations__in=orgs).distinct()
    m.count("units_total", "下属企事业单位", units.filter(kind__in=SUBORDINATE_UNIT_KINDS))
    for kind in UnitKind:
        m.count(f"units_{kind.value}", f"单位：{kind.label}", units.filter(kind=kind))
    m.count("org_dangzu", "党组", orgs.filter(kind=OrgKind.DANGZU))
    m.count(
        "org_committees",
        "党委（含机关党委）",
        orgs.filter(kind__in=[OrgKind.COMMITTEE, OrgKind.ORGAN_COMMITTEE]),
    )
    m.count("org_general_branches", "党总支", orgs.filter(kind=OrgKind.GENERAL_BRANCH))
    m.count("org_branches", "党支部（含联合党支部、临时党支部）", orgs.filter(kind__in=list(BRANCH_KINDS)))
    m.count("org_joint_branches", "联合党支部", orgs.filter(kind=OrgKind.JOINT_BRANCH))
    members = members_at(orgs, end)
    m.count("members_total", "党员总数", members)
    m.count("members_serving", "在职党员", members.filter(category="在职"))
    m.count("members_laid_off", "下岗失业党员", members.filter(category="下岗失业"))
    m.count("members_retired", "离退休党员", members.filter(category="离退休"))
    m.put(
        "members_laid_off_retired",
        "下岗失业和离退休党员",
        m["members_laid_off"] + m["members_retired"],
        "下岗失业党员 + 离退休党员",
    )
    m.count(
        "members_probationary", "预备党员", members.filter(Q(full_date__isnull=True) | Q(full_date__gt=end))
    )
    m.count("members_female", "女党员", members.filter(gender="女"))
    m.count(
        "members_troubled",
        "改制、破产企业中的党员",
        members.filter(organization__units__kind__in=TROUBLED_UNIT_KINDS).distinct(),
    )
    m.count(
        "members_troubled_laid_off_retired",
        "改制、破产企业中的下岗失业和离退休党员",
        members.filter(
            organization__units__kind__in=TROUBLED_UNIT_KINDS, category__in=["下岗失业", "离退休"]
        ).distinct(),
    )
    m.count("members_floating", "流动党员", members.filter(is_floating=True))
    m.count("members_lost", "失联党员", members.filter(is_lost=True))
    posts = Post.objects.filter(
        term__is_current=True, ended_on__isnull=True, term__committee__organization__in=orgs
    )
    m.count("posts_total", "党组织班子成员（现任）", posts)
    m.count("posts_full_time", "专职党务干部", posts.filter(is_full_time=True))
    _term_facts(m, orgs, min(timezone.localdate(), end))


def _term_facts(m: Metrics, orgs, as_of: date) -> None:
    """terms_overdue / terms_missing: sorted codes of the organisations whose current term had expired on
    `as_of`, or which should elect a committee and have no term recorded."""
    live = orgs.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=as_of))
    expiries = current_expiries(live)
    overdue, missing = [], []
    for org_id, code, kind in live.values_list("pk", "code", "kind"):
        status = term_status(expiries.get(org_id), as_of, elected=kind in DEFAULT_TERM_YEARS)
        if status == TermStatus.OVERDUE:
            overdue.append(code)
        elif status == TermStatus.MISSING:
            missing.append(code)
    q = "orgs.terms.term_status：现任届次（经批准延期的按延期日期）届满日期早于统计日"
    m.put("terms_overdue", "已届满未换届的党组织", sorted(overdue), q, "存在的问题")
    m.put(
        "terms_missing",
        "未录入任期的党组织",
        sorted(missing),
        "应选举产生委员会但无现任届次记录",
        "存在的问题",
    )


def activity_facts(m: Metrics, year: int, root: Organization | None) -> list[tuple[str, int]]:
    end = date(year, 12, 31)
    orgs = scope_orgs(root, end)
    acts = Activity.objects.filter(is_deleted=False, date__year=year, organization__in=orgs)
    m.count("activities_total", "组织生活记录", acts, "主要做法和成效")
    rows = []
    by_kind = dict(
        acts.order_by()
        .values_list("kinds__key")
        .annotate(n=Count("id", distinct=True))
        .values_list("kinds__key", "n")
    )
    for kind in ActivityKind.objects.filter(is_active=True).order_by("sort"):
        n = by_kind.get(kind.key, 0)
        m.put(
            f"activities_{kind.key}",
            f"开展{kind.name}",
            n,
            f"{acts.filter(kinds__key=kind.key).values('id').distinct().query}",
            "主要做法和成效",
        )
        rows.append((kind.name, n))
    return rows


def study_facts(m: Metrics, year: int, root: Organization | None) -> None:
    from dangjian.study.services import hours_and_requirements

    end = date(year, 12, 31)
    members = members_at(scope_orgs(root, end), end).filter(status="正常")
    total = met = recorded = 0
    hours = Decimal(0)
    for member_hours, required in hours_and_requirements(year, members):
        total += 1
        met += member_hours >= required
        recorded += member_hours > 0
        hours += member_hours
    q = "study.services.yearly_progress：学习记录学时 + 参加学习类活动自动计入学时，按党员汇总"
    m.put("study_members", "参加学时统计的党员", total, q, "主要做法和成效")
    m.put("study_met", "学时达标党员", met, q, "主要做法和成效")
    m.put("study_recorded", "有学时记录的党员", recorded, q, "主要做法和成效")
    m.put("study_rate", "学时达标率（%）", round(met * 100 / total, 1) if total else 0, q, "主要做法和成效")
    m.put(
        "study_avg_hours",
        "人均学时",
        float((hours / total).quantize(Decimal("0.1"))) if total else 0,
        q,
        "主要做法和成效",
    )
    m.put("study_behind", "学时未达标党员", total - met, q, "存在的问题")


def honor_facts(m: Metrics, year: int, root: Organization | None) -> None:
    from dangjian.honors.models import Honor, ReviewRound

    end = date(year, 12, 31)
    orgs = scope_orgs(root, end)
    honors = Honor.objects.filter(awarded_on__year=year).filter(
        Q(organization__in=orgs) | Q(member__organization__in=orgs)
    )
    m.count("honors_total", "表彰", honors.distinct(), "主要做法和成效")
    for cat in ("优秀共产党员", "优秀党务工作者", "先进基层党组织"):
        m.count(
            f"honors_{cat}",
            f"表彰{cat}",
            honors.filter(category=cat, level="本局").distinct(),
            "主要做法和成效",
        )
    m.count("honors_higher", "受上级表彰", honors.exclude(level="本局").distinct(), "主要做法和成效")
    m.count("reviews_held", "述职评议（次）", ReviewRound.objects.filter(year=year), "主要做法和成效")
