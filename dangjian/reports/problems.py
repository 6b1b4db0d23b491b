"""存在的问题, detected from the data with their evidence. Each detector is switched on, tuned and given its
原因分析 / 思考和建议 paragraphs by a ReportRule the bureau edits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q

from dangjian.orgs import asof as orgs_asof
from dangjian.orgs.models import Organization

from .facts import TROUBLED_UNIT_KINDS, members_at, report_day, scope_orgs, troubled_orgs
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

    orgs = scope_orgs(root, report_day(year))
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
    """As of Y-12-31 (orgs.asof via basic_facts): a re-election or a branch founded after the year changes
    nothing here."""
    end = report_day(year)
    if "terms_overdue" not in m.items:  # basic_facts puts both lists; a detector run alone computes them
        orgs = scope_orgs(root, end)
        m.put(
            "terms_overdue",
            "已届满未换届的党组织",
            orgs_asof.terms_overdue(end, orgs),
            "orgs.asof.terms_overdue",
        )
        m.put(
            "terms_missing",
            "未录入任期的党组织",
            orgs_asof.terms_missing(end, orgs),
            "orgs.asof.terms_missing",
        )
    overdue_codes, missing_codes = m["terms_overdue"], m["terms_missing"]
    if len(overdue_codes) + len(missing_codes) <= threshold:
        return None
    orgs = scope_orgs(root, end).filter(code__in=[*overdue_codes, *missing_codes]).order_by("path")
    terms = orgs_asof.terms_in_office(end, orgs)
    overdue, missing = [], []
    for org in orgs:
        if org.code in overdue_codes:
            overdue.append(f"{org.name}（{terms[org.pk].effective_expiry:%Y年%m月%d日}届满）")
        else:
            missing.append(org.name)
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
    end = report_day(year)
    orgs = scope_orgs(root, end)
    by_kind = orgs_asof.units_by_kind(end, orgs)
    troubled = troubled_orgs(orgs, [u for k in TROUBLED_UNIT_KINDS for u in by_kind.get(k, [])])
    per_org = Counter(members_at(orgs, end).filter(org_then__in=troubled).values_list("org_then", flat=True))
    names = dict(Organization.objects.filter(pk__in=list(per_org)).values_list("pk", "name"))
    evidence = [
        f"{names[pk]}：{n} 名" for pk, n in sorted(per_org.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    ]
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
    end = report_day(year)
    rows = list(rectifications_overdue_on(end, scope_orgs(root, end)))
    m.put(
        "rectifications_overdue",
        "逾期未整改到位的问题",
        len(rows),
        f"截至 {end:%Y-%m-%d}：已下达、整改期限早于该日、该日尚未销号或撤销的整改事项",
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
    if root is not None:
        allowed = set(scope_orgs(root, report_day(year)).values_list("code", flat=True))
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
