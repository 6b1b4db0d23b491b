"""存在的问题, detected from the data with their evidence. Each detector is switched on, tuned and given its
原因分析 / 思考和建议 paragraphs by a ReportRule the bureau edits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from dangjian.orgs.models import DEFAULT_TERM_YEARS, Organization
from dangjian.orgs.services import current_expiries
from dangjian.orgs.terms import TermStatus, term_status

from .facts import TROUBLED_UNIT_KINDS, members_at, scope_orgs
from .metrics import Metrics


@dataclass
class Problem:
    key: str
    title: str
    summary: str
    evidence: list[str] = field(default_factory=list)


Detector = Callable[[Metrics, int, Organization | None, float, date], Problem | None]
DETECTORS: dict[str, Detector] = {}


def detector(key: str):
    def register(fn: Detector) -> Detector:
        DETECTORS[key] = fn
        return fn

    return register


def share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def pct(x: float) -> str:
    return f"{x * 100:.1f}%"


@detector("requirements_missed")
def requirements_missed(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    from dangjian.compliance import services as compliance
    from dangjian.core.periods import Period

    orgs = scope_orgs(root, date(year, 12, 31))
    results = compliance.evaluate(Period.whole_year(year), orgs=orgs, today=today)
    missed: dict[str, set[str]] = {}
    names = dict(orgs.values_list("id", "name"))
    for r in results:
        if r.status == "未达标":
            missed.setdefault(r.kind_name, set()).add(names.get(r.org_id, str(r.org_id)))
    total = sum(len(v) for v in missed.values())
    m.put(
        "requirements_missed",
        "未达标的组织×制度要求（组织数累计）",
        total,
        "compliance.services.evaluate(全年)，状态为“未达标”的结果按活动类型汇总",
        "存在的问题",
    )
    if total <= threshold:
        return None
    evidence = [
        f"{kind}：{'、'.join(sorted(orgs_)[:8])}{'等' if len(orgs_) > 8 else ''}（{len(orgs_)}个党组织）"
        for kind, orgs_ in sorted(missed.items(), key=lambda kv: -len(kv[1]))
    ]
    return Problem(
        "requirements_missed",
        "组织生活制度落实不够规范",
        f"部分基层党组织“三会一课”等制度落实不到位，共有 {total} 项（组织×制度）未达到规定次数。",
        evidence,
    )


EVIDENCE_LINES = 30


@detector("terms_overdue")
def terms_overdue(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    orgs = scope_orgs(root, date(year, 12, 31)).filter(dissolved_on__isnull=True)
    expiries = current_expiries(orgs)
    as_of = min(today, date(year, 12, 31))
    overdue, missing = [], []
    for org_id, name, kind in orgs.order_by("path").values_list("pk", "name", "kind"):
        expiry = expiries.get(org_id)
        status = term_status(expiry, as_of, elected=kind in DEFAULT_TERM_YEARS)
        if status == TermStatus.OVERDUE:
            overdue.append(f"{name}（{expiry:%Y年%m月%d日}届满）")
        elif status == TermStatus.MISSING:
            missing.append(name)
    m.put(
        "terms_overdue",
        "已届满未换届的党组织",
        len(overdue),
        "orgs.terms.term_status：现任届次届满日期早于统计日",
        "存在的问题",
    )
    m.put(
        "terms_missing",
        "未录入任期的党组织",
        len(missing),
        "应选举产生委员会但无现任届次记录的党组织",
        "存在的问题",
    )
    if len(overdue) + len(missing) <= threshold:
        return None
    evidence = overdue + [f"{name}（未录入任期信息）" for name in missing]
    if len(evidence) > EVIDENCE_LINES:  # a city's report names the first ones, not thousands of lines
        rest = len(evidence) - EVIDENCE_LINES
        evidence = [*evidence[:EVIDENCE_LINES], f"另有 {rest} 个党组织，完整名单见系统“换届管理”。"]
    return Problem(
        "terms_overdue",
        "个别党组织未按期换届",
        f"有 {len(overdue)} 个党组织任期已满尚未换届，{len(missing)} 个党组织未录入任期信息。",
        evidence,
    )


@detector("part_time_workers")
def part_time_workers(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    total, full = m.get("posts_total"), m.get("posts_full_time")
    part = total - full
    ratio = share(part, total)
    m.put(
        "posts_part_time_share",
        "兼职党务干部占比",
        pct(ratio),
        "现任班子成员中 专职=否 的人数 ÷ 现任班子成员总数",
        "存在的问题",
    )
    if total == 0 or ratio < threshold:
        return None
    return Problem(
        "part_time_workers",
        "专职党务干部力量薄弱",
        f"全系统现任党组织班子成员 {total} 人，其中兼职 {part} 人，占 {pct(ratio)}，专职党务干部仅 {full} 人。",
    )


@detector("troubled_concentration")
def troubled_concentration(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    total, troubled = m.get("members_total"), m.get("members_troubled")
    ratio = share(troubled, total)
    if total == 0 or ratio < threshold:
        return None
    end = date(year, 12, 31)
    orgs = scope_orgs(root, end)
    rows = (
        members_at(orgs, end)
        .filter(organization__units__kind__in=TROUBLED_UNIT_KINDS)
        .values("organization__name")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n")[:10]
    )
    evidence = [f"{r['organization__name']}：{r['n']} 名" for r in rows]
    return Problem(
        "troubled_concentration",
        "党员较多集中在生产经营困难和破产改制企业",
        f"共有 {troubled} 名党员（占 {pct(ratio)}）集中在改制企业、正在破产企业和破产终结企业，"
        f"其中下岗失业和离退休党员 {m.get('members_laid_off_retired')} 名。",
        evidence,
    )


@detector("study_shortfall")
def study_shortfall(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    total, behind = m.get("study_members"), m.get("study_behind")
    ratio = share(behind, total)
    if total == 0 or ratio < threshold:
        return None
    return Problem(
        "study_shortfall",
        "党员教育培训学时落实不够",
        f"{behind} 名党员年度学时未达到规定要求，占 {pct(ratio)}；人均学时 {m.get('study_avg_hours')}。",
    )


@detector("rectifications_overdue")
def rectifications_overdue(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    from dangjian.supervision.services.rectifications import overdue_rectifications

    orgs = scope_orgs(root, date(year, 12, 31))
    allowed = set(orgs.values_list("id", flat=True))
    rows = [r for r in overdue_rectifications(today) if r.organization_id in allowed]
    m.put(
        "rectifications_overdue",
        "逾期未整改到位的问题",
        len(rows),
        "supervision.reminders.overdue_rectifications：整改期限已过且未销号",
        "存在的问题",
    )
    if len(rows) <= threshold:
        return None
    evidence = [f"{r.organization.name}：{r.title}（期限 {r.deadline:%Y-%m-%d}）" for r in rows[:10]]
    return Problem(
        "rectifications_overdue",
        "督查发现问题整改不够及时",
        f"季度抽查发现的问题中，有 {len(rows)} 项超过整改期限仍未销号。",
        evidence,
    )


@detector("similar_records")
def similar_records(m: Metrics, year: int, root, threshold: float, today: date) -> Problem | None:
    from dangjian.supervision.services.similar import pairs_json

    pairs = pairs_json(year, 0.8, cached=True)["pairs"]
    if root is not None:
        allowed = set(scope_orgs(root, date(year, 12, 31)).values_list("code", flat=True))
        pairs = [p for p in pairs if p["a_org"] in allowed or p["b_org"] in allowed]
    m.put(
        "similar_pairs",
        "疑似雷同的会议记录（对）",
        len(pairs),
        "supervision.similarity：会议记录字符 3-gram MinHash/LSH，Jaccard ≥ 0.8",
        "存在的问题",
    )
    if len(pairs) <= threshold:
        return None
    evidence = [
        f"记录 {p['a']}（{p['a_org']}）与记录 {p['b']}（{p['b_org']}）相似度 {p['similarity']:.0%}"
        for p in pairs[:10]
    ]
    return Problem(
        "similar_records",
        "个别组织生活记录存在照搬照抄现象",
        f"系统比对发现 {len(pairs)} 对会议记录内容高度雷同，组织生活质量有待提升。",
        evidence,
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


__all__ = ["DETECTORS", "Problem", "Q", "detect"]
