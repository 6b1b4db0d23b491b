"""存在的问题, detected from the data. Each detector is switched on, tuned and given its 原因分析 / 思考和建议
paragraphs by a ReportRule the bureau edits.

A problem is written only where it exists (a detector returns None when its count is nothing), names at most
five organisations by short name, and carries `basis`: the numbers behind its cause, which 原因分析 leads with.
`objective` sorts the cause into the bureau's 主观 / 客观 framing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef

from dangjian.activities.models import Activity
from dangjian.orgs import asof as orgs_asof

from .facts import TROUBLED_UNIT_KINDS, members_at, report_day, scope_orgs, troubled_orgs
from .metrics import Metrics
from .prose import names, pct


@dataclass
class Problem:
    key: str
    title: str
    summary: str
    basis: str = ""
    objective: bool = False


Detector = Callable[[Metrics, int, object, float, date], Problem | None]
DETECTORS: dict[str, Detector] = {}


def detector(key: str):
    def register(fn: Detector) -> Detector:
        DETECTORS[key] = fn
        return fn

    return register


def short_names(root, year: int) -> dict[int, str]:
    """{org id: short name} of the organisations in scope at the year's end."""
    return {
        pk: short or name
        for pk, short, name in scope_orgs(root, report_day(year)).values_list("pk", "short_name", "name")
    }


def _by_path(root, year: int, ids) -> list[str]:
    short = short_names(root, year)
    ordered = scope_orgs(root, report_day(year)).filter(pk__in=list(ids)).values_list("pk", flat=True)
    return [short[pk] for pk in ordered]


@detector("requirements_missed")
def requirements_missed(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    from dangjian.compliance import services as compliance
    from dangjian.core.periods import Period

    end = report_day(year)
    orgs = scope_orgs(root, end)
    results = compliance.evaluate(Period.whole_year(year), orgs=orgs, today=today)
    missed: dict[str, set[int]] = {}
    for r in results:
        if str(r.status) == "未达标":
            missed.setdefault(r.kind_name, set()).add(r.org_id)
    failing = set().union(*missed.values()) if missed else set()
    recorded = set(
        Activity.objects.filter(is_deleted=False, date__year=year, organization_id__in=failing)
        .order_by()
        .values_list("organization_id", flat=True)
        .distinct()
    )
    silent = failing - recorded  # no record at all: say so, rather than listing every kind as missed
    codes = dict(orgs.values_list("pk", "code"))
    q = "compliance.services.evaluate(全年)，状态为“未达标”的党组织"
    m.put(
        "compliance_orgs_missed", "制度落实未达标的党组织", sorted(codes[i] for i in failing), q, "存在的问题"
    )
    m.put(
        "compliance_orgs_silent",
        "全年未录入组织生活记录的党组织",
        sorted(codes[i] for i in silent),
        q + "，且全年没有任何组织生活记录",
        "存在的问题",
    )
    m.put(
        "compliance_missed_pairs",
        "未达标的党组织×活动类型",
        sum(len(v) for v in missed.values()),
        q,
        "存在的问题",
    )
    if len(failing) <= threshold or not failing:
        return None
    parts = []
    if silent:
        parts.append(f"{names(_by_path(root, year, silent))}全年未录入组织生活记录")
    for kind, ids in sorted(missed.items(), key=lambda kv: (-len(kv[1] - silent), kv[0])):
        rest = ids - silent
        if rest:
            parts.append(f"{kind}未达到规定次数的有{names(_by_path(root, year, rest))}")
    basis = f"全年有{len(failing)}个党组织未完全落实规定的组织生活次数"
    if silent:
        basis += f"，其中{len(silent)}个全年未录入组织生活记录"
    return Problem(
        "requirements_missed",
        "组织生活制度落实不够规范",
        f"{'个别' if len(failing) <= 3 else '部分'}基层党组织落实“三会一课”等基本制度还不够规范。"
        + "；".join(parts)
        + "。",
        basis=basis,
    )


@detector("terms_overdue")
def terms_overdue(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    overdue, missing = m.get("terms_overdue", []), m.get("terms_missing", [])
    if len(overdue) + len(missing) <= threshold or not (overdue or missing):
        return None
    by_code = {
        code: short or name
        for code, short, name in scope_orgs(root, report_day(year))
        .filter(code__in=[*overdue, *missing])
        .values_list("code", "short_name", "name")
    }
    parts, basis = [], []
    if overdue:
        parts.append(f"{names([by_code[c] for c in overdue])}任期已满尚未换届")
        basis.append(f"{len(overdue)}个党组织任期已满尚未换届")
    if missing:
        parts.append(f"{names([by_code[c] for c in missing])}未录入任期信息")
        basis.append(f"{len(missing)}个党组织未录入任期信息")
    return Problem(
        "terms_overdue",
        "个别党组织未按期换届" if overdue else "个别党组织任期信息不完整",
        "截至年底，" + "；".join(parts) + "。",
        basis="截至年底有" + "、".join(basis),
    )


@detector("part_time_workers")
def part_time_workers(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    total, full = m.get("posts_total"), m.get("posts_full_time")
    part = total - full
    m.put(
        "posts_part_time",
        "兼职党务干部",
        part,
        "现任班子成员中 专职=否 的人数",
        "存在的问题",
    )
    if total == 0 or part == 0 or part / total < threshold:
        return None
    if full:
        summary = f"全系统现任党组织班子成员{total}人，其中兼职{part}人，占{pct(part, total)}，专职党务干部仅{full}人。"
    else:
        summary = f"全系统现任党组织班子成员{total}人，均为兼职，没有专职党务干部。"
    return Problem(
        "part_time_workers",
        "专职党务干部力量薄弱",
        summary,
        basis=f"现任党组织班子成员{total}人中兼职{part}人（占{pct(part, total)}）",
    )


@detector("troubled_concentration")
def troubled_concentration(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    total, troubled = m.get("members_total"), m.get("members_troubled")
    if total == 0 or troubled == 0 or troubled / total < threshold:
        return None
    end = report_day(year)
    orgs = scope_orgs(root, end)
    by_kind = orgs_asof.units_by_kind(end, orgs)
    troubled_ids = troubled_orgs(orgs, [u for k in TROUBLED_UNIT_KINDS for u in by_kind.get(k, [])])
    per_org = Counter(
        members_at(orgs, end).filter(org_then__in=troubled_ids).values_list("org_then", flat=True)
    )
    rows = [{"organization_id": pk} for pk, _n in sorted(per_org.items(), key=lambda kv: (-kv[1], kv[0]))]
    short = short_names(root, year)
    where = names([short[r["organization_id"]] for r in rows])
    inside = m.get("members_troubled_laid_off_retired")  # of the troubled members, never of all members
    summary = (
        f"全系统{total}名党员中，有{troubled}名（占{pct(troubled, total)}）集中在改制企业、正在破产企业和"
        f"破产终结企业"
    )
    if inside:
        summary += f"，其中下岗失业和离退休党员{inside}名"
    summary += f"，主要分布在{where}。"
    return Problem(
        "troubled_concentration",
        "党员较多集中在生产经营困难和破产改制企业",
        summary,
        basis=f"全系统{troubled}名党员（占{pct(troubled, total)}）在改制、破产企业",
        objective=True,
    )


@detector("study_shortfall")
def study_shortfall(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    total, behind = m.get("study_members"), m.get("study_behind")
    if total == 0:
        return None
    if m.get("study_recorded") == 0:  # nothing recorded is not "everyone failed": say what is missing
        return Problem(
            "study_shortfall",
            "党员学习教育记录不健全",
            "全年未录入学习记录，党员参加集体学习和个人自学的情况在系统中无从反映。",
            basis="全年未录入学习记录",
        )
    if behind == 0 or behind / total < threshold:
        return None
    return Problem(
        "study_shortfall",
        "党员教育培训学时落实不够",
        f"参加学时统计的{total}名党员中，有{behind}名年度学时未达到规定要求，占{pct(behind, total)}；"
        f"人均学时{m.get('study_avg_hours')}。",
        basis=f"{total}名党员中有{behind}名学时未达标（占{pct(behind, total)}）",
    )


@detector("rectifications_overdue")
def rectifications_overdue(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    end = report_day(year)
    short = short_names(root, year)
    rows = list(rectifications_overdue_on(end, scope_orgs(root, end)))
    m.put(
        "rectifications_overdue",
        "逾期未整改到位的问题",
        len(rows),
        f"截至 {end:%Y-%m-%d}：已下达、整改期限早于该日、该日尚未销号或撤销的整改事项",
        "存在的问题",
    )
    if len(rows) <= threshold or not rows:
        return None
    orgs = list(dict.fromkeys(short[r.organization_id] for r in rows))
    return Problem(
        "rectifications_overdue",
        "督查发现问题整改不够及时",
        f"季度抽查发现的问题中，有{len(rows)}项超过整改期限仍未销号，涉及{names(orgs)}。",
        basis=f"{len(rows)}项督查问题逾期未销号",
    )


def rectifications_overdue_on(as_of: date, orgs):
    """Rectifications overdue on `as_of`: issued by then, deadline before it, not closed or cancelled by then
    (a later 销号 does not clear an earlier year; a deadline after the day is not overdue on it)."""
    from dangjian.supervision.flow import FINAL_STATES
    from dangjian.supervision.models import Rectification, RectificationEvent

    ended = RectificationEvent.objects.filter(
        rectification=OuterRef("pk"), to_status__in=[s.value for s in FINAL_STATES], at__date__lte=as_of
    )
    return (
        Rectification.objects.filter(organization__in=orgs, deadline__lt=as_of, created_at__date__lte=as_of)
        .exclude(closed_at__date__lte=as_of)
        .exclude(Exists(ended))
        .select_related("organization")
        .order_by("deadline", "id")
    )


@detector("similar_records")
def similar_records(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    from dangjian.supervision.services.similar import pairs_json

    pairs = pairs_json(year, 0.8, cached=True)["pairs"]
    scoped = scope_orgs(root, report_day(year))
    by_code = {code: short or name for code, short, name in scoped.values_list("code", "short_name", "name")}
    pairs = [p for p in pairs if p["a_org"] in by_code or p["b_org"] in by_code]
    m.put(
        "similar_pairs",
        "疑似雷同的会议记录（对）",
        len(pairs),
        "supervision.similarity：会议记录字符 3-gram MinHash/LSH，Jaccard ≥ 0.8",
        "存在的问题",
    )
    if len(pairs) <= threshold or not pairs:
        return None
    orgs = list(dict.fromkeys(by_code[c] for p in pairs for c in (p["a_org"], p["b_org"]) if c in by_code))
    return Problem(
        "similar_records",
        "个别组织生活记录存在照搬照抄现象",
        f"系统比对发现{len(pairs)}对会议记录内容高度雷同，涉及{names(orgs)}，组织生活质量有待提升。",
        basis=f"{len(pairs)}对会议记录高度雷同",
    )


@detector("no_recruitment")
def no_recruitment(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    """Branches (existing for the three years) where nobody joined in Y-2..Y (the roster's 入党 events)."""
    from dangjian.recruitment import stats

    end = report_day(year)
    orgs = list(scope_orgs(root, end))
    idle = stats.branches_without_recruits(orgs, year)
    branches = [o for o in orgs if o.is_branch]
    m.put(
        "no_recruitment_orgs",
        f"{year - 2}—{year}年未发展党员的党支部",
        [o.code for o in idle],
        "members.MembershipEvent：三年内无“入党”变动（转入本支部）的党支部（成立不足三年的除外）",
        "存在的问题",
    )
    if not idle or len(idle) <= threshold:
        return None
    where = names(_by_path(root, year, [o.pk for o in idle]))
    return Problem(
        "no_recruitment",
        "部分党支部发展党员工作停滞",
        f"{year - 2}年以来，{len(branches)}个党支部中有{len(idle)}个没有发展党员，包括{where}。",
        basis=f"{len(idle)}个党支部连续三年未发展党员",
    )


@detector("ageing_membership")
def ageing_membership(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    """An ageing membership: the share of members aged 61 and over at the year's end reaches the threshold."""
    from dangjian.recruitment import stats

    profile = stats.age_profile(scope_orgs(root, report_day(year)), year)
    m.put(
        "members_by_age",
        "年末党员年龄结构",
        profile,
        "members.asof.members_on_roll 按年末年龄分段",
        "存在的问题",
    )
    total = profile["total"]
    old = profile.get("61岁及以上", 0)
    young = profile.get("30岁及以下", 0)
    if not total or not old or old / total < threshold:
        return None
    return Problem(
        "ageing_membership",
        "党员队伍老龄化问题突出",
        f"年末{total}名党员中，61岁及以上的{old}名，占{pct(old, total)}；30岁及以下的仅{young}名，占{pct(young, total)}，"
        "党员队伍结构亟待优化。",
        basis=f"61岁及以上党员占{pct(old, total)}",
        objective=True,
    )


def detect(m: Metrics, year: int, root, today: date, rules) -> list[tuple[Problem, object]]:
    found = []
    for rule in rules:
        fn = DETECTORS.get(rule.key)
        if fn is None or not rule.enabled:
            continue
        problem = fn(m, year, root, rule.threshold, today)
        if problem is not None:
            found.append((problem, rule))
    return found


__all__ = ["DETECTORS", "Problem", "detect"]
