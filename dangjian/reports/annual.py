"""The yearly analysis report (design §1, §4 `report`): 基本情况 / 存在的问题 / 原因分析 / 主要做法和成效 / 思考和建议,
written from live data in the bureau's own phrasing, with an appendix of every number and its query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from docx.shared import Pt

from dangjian.orgs.models import Organization, Unit, UnitKind

from . import facts
from .metrics import Metrics
from .models import ReportRule
from .official_docx import OfficialDocument
from .problems import Problem, detect

CN_NUM = "一二三四五六七八九十"


def cn(i: int) -> str:
    return CN_NUM[i - 1] if 1 <= i <= 10 else str(i)


@dataclass
class AnnualReport:
    year: int
    root: Organization | None
    subject: str
    metrics: Metrics
    problems: list[tuple[Problem, ReportRule]]
    activity_rows: list[tuple[str, int]]
    achievements: list[tuple[str, list[str]]] = field(default_factory=list)
    generated_on: date = field(default_factory=date.today)

    # ------------------------------------------------------------------------------------------ text
    def basic_paragraphs(self) -> list[str]:
        m = self.metrics
        unit_parts = [
            f"{label}{m.get(key)}个"
            for key, label in (
                ("units_institution", "事业单位"),
                ("units_soe", "国有企业"),
                ("units_restructured", "改制企业"),
                ("units_bankrupting", "正在破产企业"),
                ("units_bankrupt_ended", "破产终结企业"),
            )
            if m.get(key)
        ]
        first = f"{self.subject}下属企事业单位{m['units_total']}个"
        first += f"，其中{'、'.join(unit_parts)}。" if unit_parts else "。"
        guided = [
            f"{label}{m.get(key)}个"
            for key, label in (("units_private", "非公企业"), ("units_social", "社会组织"))
            if m.get(key)
        ]
        if guided:
            first += f"另联系指导{'、'.join(guided)}。"
        second = (
            f"目前下设党委{m['org_committees']}个、党总支{m['org_general_branches']}个、党支部{m['org_branches']}个"
            f"（其中联合党支部{m['org_joint_branches']}个），共有党员{m['members_total']}名，其中在职党员"
            f"{m['members_serving']}名，下岗失业和离退休党员{m['members_laid_off_retired']}名"
            f"（下岗失业{m['members_laid_off']}名、离退休{m['members_retired']}名）。"
        )
        third = (
            f"党员中预备党员{m['members_probationary']}名，女党员{m['members_female']}名，流动党员{m['members_floating']}名；"
            f"现任基层党组织班子成员{m['posts_total']}人，其中专职党务干部{m['posts_full_time']}人。"
        )
        return [first, second, third]

    def practice_sections(self) -> list[tuple[str, list[str]]]:
        m = self.metrics
        kinds = "，".join(f"{name}{n}次" for name, n in self.activity_rows if n)
        sections = [
            (
                "严格落实组织生活制度",
                [
                    f"{self.year}年，局属各级党组织共记录组织生活{m['activities_total']}次"
                    + (f"，其中{kinds}" if kinds else "")
                    + "。",
                ],
            )
        ]
        study = [
            f"以集体学习为基础，依托“学习强国”等网络平台开展个人自学，{m.get('study_members')}名党员人均学时"
            f"{m.get('study_avg_hours')}，{m.get('study_met')}名党员达到年度学时要求，达标率{m.get('study_rate')}%。"
        ]
        site = m.get("activities_site_teaching")
        tutorial = m.get("activities_tutorial")
        if site or tutorial:
            study.append(f"组织现场教学{site}次、专题辅导{tutorial}次，推动学习教育走深走实。")
        sections.append(("持续加强学习教育", study))
        honors = [
            f"坚持每年召开述职评议会议，{self.year}年开展述职评议{m.get('reviews_held')}次。"
            if m.get("reviews_held")
            else "",
        ]
        total_local = sum(m.get(f"honors_{c}") for c in ("优秀共产党员", "优秀党务工作者", "先进基层党组织"))
        if total_local:
            honors.append(
                f"“七一”前后表彰优秀共产党员{m.get('honors_优秀共产党员')}名、优秀党务工作者"
                f"{m.get('honors_优秀党务工作者')}名、先进基层党组织{m.get('honors_先进基层党组织')}个。"
            )
        if m.get("honors_higher"):
            honors.append(f"获上级表彰{m.get('honors_higher')}项。")
        honors = [h for h in honors if h]
        if honors:
            sections.append(("强化考核激励", honors))
        sections.extend(self.achievements)
        return sections

    # ------------------------------------------------------------------------------------------ docx
    def to_document(self) -> OfficialDocument:
        doc = OfficialDocument()
        doc.title(f"{self.subject}{self.year}年度党建工作情况分析报告")
        doc.heading1("一、基本情况")
        for p in self.basic_paragraphs():
            doc.para(p)
        doc.heading1("二、存在的问题")
        if not self.problems:
            doc.para("经系统数据分析，本年度未发现突出问题。")
        for i, (problem, _rule) in enumerate(self.problems, start=1):
            doc.heading2(f"（{cn(i)}）{problem.title}。")
            doc.para(problem.summary)
            for line in problem.evidence:
                doc.para(line)
        doc.heading1("三、原因分析")
        if not self.problems:
            doc.para("各级党组织能够较好落实党建工作责任，制度执行总体规范。")
        for i, (problem, rule) in enumerate(self.problems, start=1):
            doc.heading2(f"（{cn(i)}）关于“{problem.title}”。")
            doc.para(rule.cause)
        doc.heading1("四、主要做法和成效")
        for i, (title, paras) in enumerate(self.practice_sections(), start=1):
            doc.heading2(f"（{cn(i)}）{title}。")
            for p in paras:
                doc.para(p)
        doc.heading1("五、思考和建议")
        suggestions = [(p.title, r.suggestion) for p, r in self.problems]
        suggestions.append(
            (
                "持续夯实“两个责任”",
                "坚持“抓好党建就是最大政绩”，推动党建工作“一岗双责”责任制落地落实，"
                "健全主要领导亲自抓、分管领导抓落实、一级抓一级、层层抓落实的责任体系。",
            )
        )
        for i, (_title, text) in enumerate(suggestions, start=1):
            doc.heading2(f"（{cn(i)}）{text.split('。')[0]}。")
            rest = "。".join(text.split("。")[1:]).strip()
            if rest:
                doc.para(rest)
        doc.signature(
            self.subject, f"{self.generated_on.year}年{self.generated_on.month}月{self.generated_on.day}日"
        )
        doc.landscape_section()
        doc.heading1("附表：数据及来源")
        doc.para("本报告中的数据均由党建工作管理平台按下列查询自动统计，可据此核对后在 Word 中修改定稿。")
        rows = [
            (i, mt.section, mt.label, mt.value, mt.query[:400] + ("……" if len(mt.query) > 400 else ""))
            for i, mt in enumerate(self.metrics.rows(), start=1)
        ]
        doc.table(
            ["序号", "部分", "指标", "数值", "查询"], rows, widths_mm=[12, 26, 44, 18, 125], size=Pt(7.5)
        )
        return doc


def subject_name(root: Organization | None) -> str:
    if root is not None:
        name = root.name.removeprefix("中共")
        for suffix in ("党组", "委员会", "党委"):
            name = name.removesuffix(suffix)
        return name or root.name
    unit = Unit.objects.filter(kind=UnitKind.BUREAU).order_by("id").first()
    return unit.name if unit else "本局"


def build(year: int, root: Organization | None = None, today: date | None = None) -> AnnualReport:
    today = today or timezone.localdate()
    m = Metrics()
    facts.basic_facts(m, year, root)
    rows = facts.activity_facts(m, year, root)
    facts.study_facts(m, year, root)
    facts.honor_facts(m, year, root)
    achievements = []
    for fn in ACHIEVEMENT_SOURCES:
        section = fn(m, year, root)
        if section:
            achievements.append(section)
    problems = detect(m, year, root, today, ReportRule.objects.all())
    return AnnualReport(year, root, subject_name(root), m, problems, rows, achievements, today)


def _supervision_section(m: Metrics, year: int, root) -> tuple[str, list[str]] | None:
    from dangjian.supervision.models import (
        Finding,
        InspectionRound,
        InspectionTarget,
        Observation,
        Rectification,
        RectificationStatus,
        ResultChoice,
        RoundStatus,
    )

    orgs = facts.scope_orgs(root, date(year, 12, 31))
    rounds = InspectionRound.objects.filter(quarter__startswith=f"{year}Q", status=RoundStatus.ACTIVE)
    targets = InspectionTarget.objects.filter(round__in=rounds, organization__in=orgs)
    findings = Finding.objects.filter(target__in=targets, result=ResultChoice.FAIL)
    rects = Rectification.objects.filter(finding__in=findings)
    section = "主要做法和成效"
    n_rounds = m.count("inspection_rounds", "季度抽查（轮）", rounds, section)
    n_targets = m.count("inspection_targets", "抽查党组织（个次）", targets, section)
    n_findings = m.count("inspection_findings", "抽查发现问题（不符合项）", findings, section)
    n_closed = m.count(
        "rectifications_closed", "整改销号", rects.filter(status=RectificationStatus.CLOSED), section
    )
    n_obs = m.count(
        "observations", "半年观摩（次）", Observation.objects.filter(year=year, is_cancelled=False), section
    )
    if not (n_rounds or n_obs):
        return None
    return (
        "常态化开展督查考核",
        [
            f"落实“月提醒、季抽查、半年观摩、年终总评”制度，全年开展季度抽查{n_rounds}轮、抽查党组织{n_targets}个次，"
            f"发现问题{n_findings}个，已整改销号{n_closed}个；组织半年观摩{n_obs}次。"
        ],
    )


def _duties_section(m: Metrics, year: int, root) -> tuple[str, list[str]] | None:
    from dangjian.duties import services as duties

    org_ids = (
        list(facts.scope_orgs(root, date(year, 12, 31)).values_list("id", flat=True))
        if root is not None
        else None
    )
    stats = duties.notice_stats(year, org_ids)
    section = "主要做法和成效"
    q = "duties.services.notice_stats：本年已发出通知的签收与反馈（签收时限内为按时）"
    m.put("notices_issued", "通知下发（份次）", stats.issued, q, section)
    m.put("notices_ack_on_time", "按时签收（份次）", stats.acknowledged_on_time, q, section)
    m.put("notices_feedback_on_time", "按时反馈（份次）", stats.fed_back_on_time, q, section)
    cases = duties.published_case_count(year, org_ids)
    m.put("brand_cases", "发布党建品牌案例", cases, "duties.services.published_case_count", section)
    if not (stats.notices or cases):
        return None
    return (
        "层层压实党建责任",
        [
            f"坚持每月初统一拟定重点工作通知，全年印发通知{stats.notices}份、下发{stats.issued}份次，"
            f"按时签收{stats.acknowledged_on_time}份次、按时反馈{stats.fed_back_on_time}份次；总结推广党建品牌和典型经验案例{cases}个。"
        ],
    )


ACHIEVEMENT_SOURCES = [_supervision_section, _duties_section]
