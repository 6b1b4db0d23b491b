"""The yearly analysis report (design §1, §4 `report`): 基本情况 / 存在的问题 / 原因分析 / 主要做法和成效 / 思考和建议,
written from the data in the bureau's own phrasing (reports.prose), with every number and its query in a separate
appendix workbook for checking."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from dangjian.core import memo, stamps
from dangjian.core.official_docx import OfficialDocument
from dangjian.core.xlsx import Sheet, workbook_bytes
from dangjian.orgs.models import Organization, Unit, UnitKind

from . import facts, practice
from .metrics import Metrics
from .models import ReportRule
from .problems import Problem, detect
from .prose import cn, nonzero, ordinals

# Closes every 思考和建议, whatever was found.
SUGGESTION_DUTIES = (
    "持续夯实“两个责任”。坚持“抓好党建就是最大政绩”，推动党建工作“一岗双责”责任制落地落实，"
    "健全主要领导亲自抓、分管领导抓落实、一级抓一级、层层抓落实的责任体系。"
)


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
        unit_parts = nonzero(
            (UnitKind(k).label, m.get(f"units_{k}"), "个") for k in facts.SUBORDINATE_UNIT_KINDS
        )
        paras = []
        first = ""
        if m["units_total"]:
            first = f"{self.subject}下属企事业单位{m['units_total']}个" + (
                f"，其中{unit_parts}。" if unit_parts else "。"
            )
        guided = nonzero(
            (UnitKind(k).label, m.get(f"units_{k}"), "个") for k in (UnitKind.PRIVATE, UnitKind.SOCIAL)
        )
        if guided:
            first += f"另联系指导{guided}。"
        if first:
            paras.append(first)
        orgs = nonzero(
            (label, m.get(key), "个")
            for key, label in (
                ("org_committees", "党委"),
                ("org_general_branches", "党总支"),
                ("org_branches", "党支部"),
            )
        )
        second = f"目前下设{orgs}" if orgs else "目前尚未录入下设党组织"
        if m.get("org_joint_branches"):
            second += f"（党支部中联合党支部{m['org_joint_branches']}个）"
        if m["members_total"]:
            second += f"，共有党员{m['members_total']}名"
            serving, laid_off, retired = m["members_serving"], m["members_laid_off"], m["members_retired"]
            parts = []
            if serving:
                parts.append(f"在职党员{serving}名")
            if laid_off and retired:
                parts.append(
                    f"下岗失业和离退休党员{laid_off + retired}名（下岗失业{laid_off}名、离退休{retired}名）"
                )
            elif laid_off or retired:
                parts.append(f"{'下岗失业' if laid_off else '离退休'}党员{laid_off or retired}名")
            if parts:
                second += "，其中" + "，".join(parts)
        else:
            second += "，尚未录入党员"
        paras.append(second + "。")
        third = nonzero(
            (label, m.get(key), "名")
            for key, label in (
                ("members_probationary", "预备党员"),
                ("members_female", "女党员"),
                ("members_floating", "流动党员"),
            )
        )
        posts, full = m.get("posts_total"), m.get("posts_full_time")
        sentences = []
        if third:
            sentences.append(f"党员中有{third}")
        if posts:
            sentences.append(
                f"现任基层党组织班子成员{posts}人" + (f"，其中专职党务干部{full}人" if full else "，均为兼职")
            )
        if sentences:
            paras.append("；".join(sentences) + "。")
        return paras

    def problem_sections(self) -> list[tuple[str, list[str]]]:
        if not self.problems:
            return [("", ["经系统数据分析，本年度未发现突出问题。"])]
        return [
            (f"（{cn(i)}）{p.title}。", [p.summary]) for i, (p, _rule) in enumerate(self.problems, start=1)
        ]

    def cause_sections(self) -> list[tuple[str, list[str]]]:
        """原因分析 in the bureau's framing: the 主观 causes first, then the 客观 ones, each led by its numbers."""
        if not self.problems:
            return [("", ["各级党组织能够较好落实党建工作责任，制度执行总体规范。"])]
        out = []
        for objective, heading in ((False, "从主观方面讲"), (True, "从客观方面讲")):
            points = [
                f"{p.basis}，{rule.cause}" if p.basis else rule.cause
                for p, rule in self.problems
                if p.objective is objective
            ]
            if points:
                out.append((f"（{cn(len(out) + 1)}）{heading}。", ordinals(points)))
        return out

    def practice_sections(self) -> list[tuple[str, list[str]]]:
        return [(f"（{cn(i)}）{t}。", paras) for i, (t, paras) in enumerate(self.achievements, start=1)]

    def suggestion_sections(self) -> list[tuple[str, list[str]]]:
        suggestions = [r.suggestion for _p, r in self.problems] + [SUGGESTION_DUTIES]
        out = []
        for i, text in enumerate(dict.fromkeys(suggestions), start=1):
            head, _, rest = text.partition("。")
            out.append((f"（{cn(i)}）{head}。", [rest.strip()] if rest.strip() else []))
        return out

    def sections(self) -> list[tuple[str, list[tuple[str, list[str]]]]]:
        """The body, shared by the Word document and the web preview: (heading, [(sub-heading, paragraphs)])."""
        return [
            ("一、基本情况", [("", self.basic_paragraphs())]),
            ("二、存在的问题", self.problem_sections()),
            ("三、原因分析", self.cause_sections()),
            ("四、主要做法和成效", self.practice_sections() or [("", ["本年度尚未录入相关工作记录。"])]),
            ("五、思考和建议", self.suggestion_sections()),
        ]

    def title(self) -> str:
        return f"{self.subject}{self.year}年度党建工作情况分析报告"

    def signature_date(self) -> str:
        return f"{self.generated_on.year}年{self.generated_on.month}月{self.generated_on.day}日"

    def body_text(self) -> str:
        """The whole text as plain lines (title, headings, paragraphs; not the signature)."""
        lines = [self.title()]
        for heading, subs in self.sections():
            lines.append(heading)
            for sub, paras in subs:
                if sub:
                    lines.append(sub)
                lines.extend(paras)
        return "\n".join(lines)

    # ------------------------------------------------------------------------------------------ docx
    def to_document(self) -> OfficialDocument:
        doc = OfficialDocument()
        doc.title(self.title())
        for heading, subs in self.sections():
            doc.heading1(heading)
            for sub, paras in subs:
                if sub:
                    doc.heading2(sub)
                for p in paras:
                    doc.para(p)
        doc.signature(self.subject, self.signature_date())
        return doc

    def appendix_rows(self) -> list[list]:
        return [
            [i, mt.section, mt.label, display(mt.value), mt.query]
            for i, mt in enumerate(self.metrics.rows(), start=1)
        ]

    def appendix_workbook(self) -> bytes:
        """附表：数据及来源 — every figure with the query that produced it, for checking (not part of the text)."""
        return workbook_bytes(
            [
                Sheet(
                    "数据及来源",
                    ["序号", "部分", "指标", "数值", "查询"],
                    self.appendix_rows(),
                    widths=[6, 14, 30, 24, 120],
                )
            ]
        )


def display(value) -> str | int | float:
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "、".join(f"{k}{v}" for k, v in value.items())
    return value


def subject_name(root: Organization | None) -> str:
    if root is not None:
        name = root.name.removeprefix("中共")
        for suffix in ("党组", "委员会", "党委"):
            name = name.removesuffix(suffix)
        return name or root.name
    unit = Unit.objects.filter(kind=UnitKind.BUREAU).order_by("id").first()
    return unit.name if unit else "本局"


def report_topics(year: int) -> list[str]:
    """What the report reads (`core.stamps`): every counted table, and of the tables counted per month (the
    activities and their attendance) the months of the year and of the year before (the quarter before Q1)."""
    topics: list[str] = []
    for t in stamps.tracked():
        if t.topic != t.table:
            continue  # a many-to-many through table counts under its owner's topic
        if t.monthly:
            topics += [*stamps.months_topics(t.table, year - 1), *stamps.months_topics(t.table, year)]
        else:
            topics.append(t.topic)
    return topics


@dataclass
class _Content:
    metrics: Metrics
    rows: list[tuple[str, int]]
    achievements: list[tuple[str, list[str]]]
    problems: list[tuple[Problem, ReportRule]]


def _content(year: int, root: Organization | None, today: date) -> _Content:
    m = Metrics()
    facts.basic_facts(m, year, root)
    rows = facts.activity_facts(m, year, root)
    facts.study_facts(m, year, root)
    facts.honor_facts(m, year, root)
    facts.recruitment_facts(m, year, root)
    achievements = practice.sections(m, year, root, today)
    problems = detect(m, year, root, today, ReportRule.objects.all())
    return _Content(m, rows, achievements, problems)


def build(year: int, root: Organization | None = None, today: date | None = None) -> AnnualReport:
    """The report as of `today`. Its content is memoised (`core.memo`) under the versions of everything it reads:
    the preview, the Word document, the appendix and the JSON of one state are computed once, and a write to
    any table it reads makes the next one new."""
    today = today or timezone.localdate()
    params = (year, root.pk if root is not None else None, today)
    c = memo.memoized("reports.annual", params, report_topics(year), lambda: _content(year, root, today))
    return AnnualReport(year, root, subject_name(root), c.metrics, c.problems, c.rows, c.achievements, today)
