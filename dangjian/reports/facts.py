"""The facts of a year, counted from the database, each with its query (reports.metrics)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q

from dangjian.activities.models import Activity, ActivityKind
from dangjian.core.asof import year_as_of
from dangjian.members.asof import members_on_roll, probationary_q
from dangjian.orgs.asof import orgs_existing, posts_held, terms_missing, terms_overdue, units_by_kind
from dangjian.orgs.models import BRANCH_KINDS, Organization, OrgKind, UnitKind

from .metrics import Metrics

SUBORDINATE_UNIT_KINDS = [
    UnitKind.INSTITUTION,
    UnitKind.SOE,
    UnitKind.RESTRUCTURED,
    UnitKind.BANKRUPTING,
    UnitKind.BANKRUPT_ENDED,
]
TROUBLED_UNIT_KINDS = [UnitKind.RESTRUCTURED, UnitKind.BANKRUPTING, UnitKind.BANKRUPT_ENDED]


def report_day(year: int) -> date:
    """The day a year's figures are taken (core.asof, design §4 `report`): Y-12-31, also while Y is still
    running (a report drafted in December states the year's end: a term running out on 12-20 and not renewed by
    then counts as overdue)."""
    return year_as_of(year)


def scope_orgs(root: Organization | None, year_end: date):
    """The organisations that existed on the day (orgs.asof: founded by then, not yet dissolved)."""
    return orgs_existing(year_end, root)


def members_at(orgs, year_end: date):
    """Members on the roll at the day, where they were then (党内统计 counts at 12月31日; members.asof)."""
    return members_on_roll(year_end, orgs)


def basic_facts(m: Metrics, year: int, root: Organization | None) -> None:
    """基本情况, all as of Y-12-31 from the dated facts (core.asof): facts dated after the year never move them."""
    end = report_day(year)
    orgs = scope_orgs(root, end)
    by_unit_kind = units_by_kind(end, orgs)
    subordinate = [u for k in SUBORDINATE_UNIT_KINDS for u in by_unit_kind.get(k, [])]
    m.put(
        "units_total",
        "下属企事业单位",
        len(subordinate),
        "orgs.asof.units_by_kind：事业单位、国有企业、改制及破产企业",
    )
    for kind in UnitKind:
        m.put(
            f"units_{kind.value}",
            f"单位：{kind.label}",
            len(by_unit_kind.get(kind, [])),
            f"orgs.asof.units_by_kind（{end:%Y-%m-%d} 时的单位类别）",
        )
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
    m.count("members_probationary", "预备党员", members.filter(probationary_q(end)))
    m.count("members_female", "女党员", members.filter(gender="女"))
    troubled_units = [u for k in TROUBLED_UNIT_KINDS for u in by_unit_kind.get(k, [])]
    m.count(
        "members_troubled",
        "改制、破产企业中的党员",
        members.filter(org_then__in=troubled_orgs(orgs, troubled_units)),
    )
    m.count(
        "members_troubled_laid_off_retired",
        "改制、破产企业中的下岗失业和离退休党员",
        members.filter(org_then__in=troubled_orgs(orgs, troubled_units), category__in=["下岗失业", "离退休"]),
    )
    m.count("members_floating", "流动党员", members.filter(is_floating=True))
    m.count("members_lost", "失联党员", members.filter(is_lost=True))
    m.put(
        "terms_overdue",
        "已届满未换届的党组织",
        terms_overdue(end, orgs),
        f"orgs.asof.terms_overdue：{end:%Y-%m-%d} 在任的届次届满（含经批准延期）早于该日",
        "存在的问题",
    )
    m.put(
        "terms_missing",
        "未录入任期的党组织",
        terms_missing(end, orgs),
        f"orgs.asof.terms_missing：应选举产生委员会但 {end:%Y-%m-%d} 无在任届次记录",
        "存在的问题",
    )
    posts = posts_held(end, orgs)
    m.count("posts_total", "党组织班子成员", posts)
    m.count("posts_full_time", "专职党务干部", posts.filter(is_full_time=True))


def troubled_orgs(orgs, troubled_units: list[int]) -> list[int]:
    """The organisations (ids) covering a unit that was 改制 / 正在破产 / 破产终结 at the day."""
    return list(orgs.filter(units__in=troubled_units).order_by().values_list("pk", flat=True).distinct())


def activity_facts(m: Metrics, year: int, root: Organization | None) -> list[tuple[str, int]]:
    end = report_day(year)
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

    end = report_day(year)
    # Everyone on the roll at the year's end, including members who left afterwards (a later 转出 must not
    # change the year's figures).
    members = members_at(scope_orgs(root, end), end)
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

    end = report_day(year)
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


def recruitment_facts(m: Metrics, year: int, root: Organization | None) -> None:
    """发展党员 in the year (recruitment.stats: the steps dated in Y) and the pipeline at Y-12-31."""
    from dangjian.recruitment import stats

    end = report_day(year)
    ids = list(scope_orgs(root, end).values_list("pk", flat=True))
    total = stats.counts(year, ids).total
    q = "recruitment.stats.counts：步骤日期在本年度的人数（申请1、积极分子3、发展对象7、预备17、转正/延长/取消24）"
    labels = {"预备": "发展党员（接收预备党员）", "转正": "预备党员转正", "延长": "延长预备期", "取消": "取消预备党员资格",
              "申请人": "递交入党申请书", "积极分子": "确定入党积极分子", "发展对象": "确定发展对象"}  # fmt: skip
    for i, flow in enumerate(stats.FLOWS):
        m.put(f"recruitment_flow_{i}", labels[flow], total.flows[flow], q, "主要做法和成效")
    m.put("recruitment_youth", "发展党员中35岁及以下", total.admitted_youth, q, "主要做法和成效")
    m.put("recruitment_educated", "发展党员中大专及以上学历", total.admitted_educated, q, "主要做法和成效")
    m.put("recruitment_frontline", "发展党员中生产、工作一线", total.admitted_frontline, q, "主要做法和成效")
    q_stock = f"recruitment.stats.counts：{end:%Y-%m-%d} 时所处阶段（rules.stage_of）"
    for i, stage in enumerate(stats.STOCK):
        m.put(f"recruitment_stock_{i}", f"年末{stage}", total.stock[stage], q_stock, "主要做法和成效")
    plans = stats.plans(year, ids)
    m.put(
        "recruitment_quota",
        "年度发展党员计划名额",
        sum(p.quota for p in plans.values()),
        "recruitment.RecruitmentPlan：本年度各党组织计划名额之和",
        "主要做法和成效",
    )
