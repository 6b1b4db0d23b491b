"""发展党员: the 25 steps of 《中国共产党发展党员工作细则》 (2014) as data, and every rule that decides whether a
step may be recorded on a day. Pure: no database, no Django — the services gather the facts (the candidate's
steps, the branch's 正式党员 on the day, the assembly record, the holiday calendar) and ask here.

Each rule carries its source (`Cite`). `verified=True` means the article number and its wording are given with
status V in the project's rules reference (shared/rules.md §5, §1, §3, §8); for the others the article number is
our reading of the 2014 text, not verified there, and a page shows only the document's title (rules.md: "M —
verify before showing it to users as a citation"). docs/rules/recruitment.md lists them all.

Three kinds of refusal (`Violation.kind`):
- ORDER: a step before the steps it needs, or dated before them, or not in the candidate's stage; never waived.
- PRECONDITION: what the step itself needs (age, two 正式党员 as 介绍人, the assembly's quorum and vote …);
  never waived.
- INTERVAL: a time the rules set between steps (one year as 积极分子, the 公示 length, the approval limit, the
  end of the 预备期 before the 转正 assembly). A user of a superior organisation may waive one for one step of
  one candidate, with a reason (services.grant_override; audited).
Lateness that the rules only want noticed (谈话 after a month, 审批 after three months) is a `Flag`: the step is
recorded and marked late.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from dangjian.core.dates import age_on
from dangjian.core.periods import add_months, add_years

# --- stages (models.Stage values, repeated here to keep this module pure) ------------------------------------
APPLICANT, ACTIVIST, TARGET = "申请人", "入党积极分子", "发展对象"
PROBATIONARY, FULL, ENDED = "预备党员", "正式党员", "终止"
STAGES = (APPLICANT, ACTIVIST, TARGET, PROBATIONARY, FULL)
BEFORE_MEMBERSHIP = (APPLICANT, ACTIVIST, TARGET)

# --- who records a step (issue 15 part 3) --------------------------------------------------------------------
BRANCH, SUPERIOR = "branch", "superior"
ACTOR_LABELS = {BRANCH: "党支部", SUPERIOR: "上级党委"}

# --- decisions ------------------------------------------------------------------------------------------------
COMMITTEE, ASSEMBLY = "支部委员会", "支部大会"
COMMITTEE_THRESHOLD = 7  # 支部条例 第二十条: 正式党员7人以上的党支部设立支部委员会
RECOMMEND_SOURCES = ("党员推荐", "群团组织推优")
PASS, FAIL = "合格", "不合格"
CONFIRM, EXTEND, CANCEL = "转正", "延长预备期", "取消预备党员资格"
FULL_DECISIONS = (CONFIRM, EXTEND, CANCEL)
ADULT_AGE = 18
EXTENSION_MONTHS = (6, 12)  # 细则 第三十二条: 延长预备期…不能少于半年，最长不超过一年
TRAINING_DAYS, TRAINING_HOURS = 3, 24
DEFAULT_PUBLICITY_WORKDAYS = 5  # local practice (rules.md §5.1 公示, status S): a setting
CONTACTS = (1, 2)  # 培养联系人: one or two 正式党员
INTRODUCERS = 2

DOSSIER = (
    "入党申请书",
    "党组织派人谈话记录",
    "推荐和确定入党积极分子的材料（含备案）",
    "培养教育考察登记材料",
    "确定发展对象的材料（含备案）",
    "政治审查材料",
    "集中培训结业证明",
    "支部委员会审查和上级党委预审意见",
    "入党志愿书",
    "支部大会决议和上级党委审批意见",
    "入党宣誓和继续教育考察材料",
    "转正申请书、支部大会转正决议和上级党委审批意见",
)


# --- sources --------------------------------------------------------------------------------------------------
DOC_TITLES = {
    "细则": "《中国共产党发展党员工作细则》",
    "党章": "《中国共产党章程》",
    "支部条例": "《中国共产党支部工作条例（试行）》",
    "教育管理条例": "《中国共产党党员教育管理工作条例》",
    "本局设置": "本局设置（地方惯例）",
}


@dataclass(frozen=True)
class Cite:
    doc: str  # a key of DOC_TITLES
    article: str = ""  # 第十三条 …
    verified: bool = False  # the article and its wording as rules.md gives them with status V

    def shown(self) -> str:
        """What a page says: the article only when verified."""
        title = DOC_TITLES[self.doc]
        return f"{title}{self.article}" if self.verified and self.article else title

    def __str__(self) -> str:  # for docs and code readers: the article, marked when not verified
        tail = self.article + ("" if self.verified else "（条号未核实）") if self.article else ""
        return f"{DOC_TITLES[self.doc]}{tail}"


def _v(doc: str, article: str) -> Cite:
    return Cite(doc, article, True)


def _m(doc: str, article: str = "") -> Cite:
    return Cite(doc, article, False)


# The rules, each with its source. (Status per rules.md §5: V = verified there with the article.)
AGE = _v("细则", "第五条")  # 年满十八岁 (also 党章 第一条)
WHERE_TO_APPLY = _m("细则", "第六条")  # rules.md: S, article unverified
TALK = _m("细则", "第七条")  # 一个月内派人谈话: wording V, article unverified
ACTIVIST_RULE = _m(
    "细则", "第八条"
)  # 党员推荐、群团组织推优; 支委会 (不设支委会的由支部大会); 报上级党委备案
NO_COMMITTEE = _v("支部条例", "第二十条")  # fewer than 7 正式党员: no committee
CONTACT_RULE = _m("细则", "第九条")  # 一至两名正式党员作培养联系人 (rules.md: S)
INSPECTION = _v("细则", "第十一条")  # 党支部每半年考察一次
TARGET_RULE = _v(
    "细则", "第十三条"
)  # 一年以上; 听取党小组、培养联系人、党员和群众意见; 支委会; 报上级党委备案
INTRODUCER_RULE = _v("细则", "第十四条")  # 两名正式党员作入党介绍人
POLITICAL_REVIEW = _m("细则", "第十六条、第十七条")  # 政治审查, 形成结论; rules.md: S
TRAINING = _m("细则", "第十八条")  # 不少于3天或24学时; rules.md: V wording, article "probably 第十八条"
PRE_REVIEW = _v("细则", "第十九条")  # 支委会审查 → 基层党委预审 → 发放入党志愿书
PUBLICITY = Cite("本局设置")  # 公示 ≥ 5 个工作日: local practice (rules.md S), a setting
ASSEMBLY_QUORUM = _v("细则", "第二十条")  # 有表决权的到会人数超过应到会有表决权人数的半数
ASSEMBLY_VOTE = _v("细则", "第二十一条")  # 赞成人数超过应到会有表决权的正式党员的半数
TALK_BEFORE_APPROVAL = _v("党章", "第五条")  # 上级党组织在批准申请人入党以前，要派专人同他谈话
APPROVAL = _m(
    "细则", "第二十五条"
)  # 三个月内审批, 特殊情况不超过六个月; 报上级组织部门备案 (rules.md: V, art. M)
NO_APPROVAL_BY_GENERAL_BRANCH = _m("细则", "第二十六条")  # 党总支…不能审批预备党员 (rules.md: V, art. M)
PLACEMENT = _v("教育管理条例", "第二十五条")  # every member belongs to a 支部 and 党小组
OATH = _m("党章", "第六条")  # 预备党员必须面向党旗进行入党宣誓 (not in rules.md)
CONTINUED = _m("细则", "第三十一条")  # 继续教育考察 (not in rules.md)
PROBATION = _v("细则", "第三十二条")  # 预备期一年, from the 支部大会; 延长一次, 半年至一年; or 取消
FULL_PROCEDURE = _v("细则", "第三十三条")  # 转正: 书面申请 → … → 支部大会 → 上级党委审批 (3 months, ≤ 6)
ARCHIVE = _m("细则", "第三十五条")  # 材料归档 (not in rules.md)


class Kind(StrEnum):
    ORDER = "order"
    PRECONDITION = "precondition"
    INTERVAL = "interval"


@dataclass(frozen=True)
class Violation:
    code: str  # a short English tag: "activist_year", "vote" …
    kind: Kind
    message: str  # Chinese, names the rule
    cite: Cite | None = None
    field: str | None = None

    @property
    def overridable(self) -> bool:
        return self.kind is Kind.INTERVAL

    @property
    def text(self) -> str:
        return f"{self.message}（{self.cite.shown()}）" if self.cite else self.message


@dataclass(frozen=True)
class Flag:
    code: str
    message: str


# --- the 25 steps ---------------------------------------------------------------------------------------------
PHASES = (
    "一、申请入党",
    "二、入党积极分子的确定和培养教育",
    "三、发展对象的确定和考察",
    "四、预备党员的接收",
    "五、预备党员的教育考察和转正",
)


@dataclass(frozen=True)
class StepDef:
    number: int
    phase: int  # index into PHASES
    label: str
    actor: str  # BRANCH | SUPERIOR
    requires: tuple[int, ...]
    cite: Cite
    stages: tuple[str, ...]  # the stages in which it may be recorded (step 1 creates the candidate)
    repeatable: bool = False
    decision: bool = False  # 3, 7, 12: the 支委会, or the 支部大会 in a branch without a committee
    stage_after: str = ""

    @property
    def title(self) -> str:
        return f"第{self.number}步 {self.label}"

    @property
    def ref(self) -> str:
        """As a message names it: 第3步“推荐和确定入党积极分子”."""
        return f"第{self.number}步“{self.label}”"

    @property
    def actor_label(self) -> str:
        return ACTOR_LABELS[self.actor]

    @property
    def phase_label(self) -> str:
        return PHASES[self.phase]


_B, _S = BRANCH, SUPERIOR
STEPS: dict[int, StepDef] = {
    s.number: s
    for s in (
        StepDef(1, 0, "递交入党申请书", _B, (), AGE, (), stage_after=APPLICANT),
        StepDef(2, 0, "党组织派人谈话", _B, (1,), TALK, (APPLICANT,)),
        StepDef(3, 1, "推荐和确定入党积极分子", _B, (2,), ACTIVIST_RULE, (APPLICANT,), decision=True,
                stage_after=ACTIVIST),
        StepDef(4, 1, "报上级党委备案", _S, (3,), ACTIVIST_RULE, (ACTIVIST,)),
        StepDef(5, 1, "指定培养联系人", _B, (3,), CONTACT_RULE, (ACTIVIST,)),
        StepDef(6, 1, "培养教育考察", _B, (5,), INSPECTION, (ACTIVIST,), repeatable=True),
        StepDef(7, 2, "确定发展对象", _B, (4, 6), TARGET_RULE, (ACTIVIST,), decision=True, stage_after=TARGET),
        StepDef(8, 2, "报上级党委备案", _S, (7,), TARGET_RULE, (TARGET,)),
        StepDef(9, 2, "确定入党介绍人", _B, (7,), INTRODUCER_RULE, (TARGET,)),
        StepDef(10, 2, "进行政治审查", _B, (7,), POLITICAL_REVIEW, (TARGET,)),
        StepDef(11, 2, "开展集中培训", _S, (7,), TRAINING, (TARGET,)),
        StepDef(12, 3, "支部委员会审查", _B, (8, 9, 10, 11), PRE_REVIEW, (TARGET,), decision=True),
        StepDef(13, 3, "上级党委预审", _S, (12,), PRE_REVIEW, (TARGET,)),
        StepDef(14, 3, "填写入党志愿书", _B, (13,), PRE_REVIEW, (TARGET,)),
        StepDef(15, 3, "支部大会讨论", _B, (14,), ASSEMBLY_VOTE, (TARGET,)),
        StepDef(16, 3, "上级党委派人谈话", _S, (15,), TALK_BEFORE_APPROVAL, (TARGET,)),
        StepDef(17, 3, "上级党委审批", _S, (16,), APPROVAL, (TARGET,), stage_after=PROBATIONARY),
        StepDef(18, 3, "报再上一级党委组织部门备案", _S, (17,), APPROVAL, (PROBATIONARY, FULL)),
        StepDef(19, 4, "编入党支部和党小组", _B, (17,), PLACEMENT, (PROBATIONARY,)),
        StepDef(20, 4, "入党宣誓", _B, (17,), OATH, (PROBATIONARY,)),
        StepDef(21, 4, "继续教育考察", _B, (17,), CONTINUED, (PROBATIONARY,), repeatable=True),
        StepDef(22, 4, "提出转正申请", _B, (19, 20, 21), FULL_PROCEDURE, (PROBATIONARY,)),
        StepDef(23, 4, "支部大会讨论", _B, (22,), FULL_PROCEDURE, (PROBATIONARY,)),
        StepDef(24, 4, "上级党委审批", _S, (23,), FULL_PROCEDURE, (PROBATIONARY,), stage_after=FULL),
        StepDef(25, 4, "材料归档", _S, (24,), ARCHIVE, (FULL,)),
    )
}  # fmt: skip
BRANCH_STEPS = tuple(n for n, s in STEPS.items() if s.actor == BRANCH)
SUPERIOR_STEPS = tuple(n for n, s in STEPS.items() if s.actor == SUPERIOR)
DECISION_STEPS = tuple(n for n, s in STEPS.items() if s.decision)
ASSEMBLY_STEPS = (15, 23)
# 转正 (22–24) repeats after an approved extension of the 预备期: a new round of application, assembly, approval.
ROUND_STEPS = (22, 23, 24)


# --- the pure time rules, one function each (tests/test_rules.py has a test per rule) ------------------------
def is_adult_on(birth: date, on: date) -> bool:
    """党章 第一条, 细则 第五条: 年满十八岁 on the day of the application."""
    return age_on(birth, on) >= ADULT_AGE


def talk_deadline(applied_on: date) -> date:
    """细则 (第七条): 党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话."""
    return add_months(applied_on, 1)


def inspection_due(last: date) -> date:
    """细则 第十一条: 党支部每半年对入党积极分子进行一次考察 — six months after the last (or the 确定)."""
    return add_months(last, 6)


def earliest_target_day(activist_on: date) -> date:
    """细则 第十三条: 经过一年以上培养教育和考察 ("以上" includes the year itself)."""
    return add_years(activist_on, 1)


def approval_deadline(assembly_on: date) -> date:
    """细则 (审批): 基层党委…应当在三个月内审批 — later is flagged."""
    return add_months(assembly_on, 3)


def approval_limit(assembly_on: date) -> date:
    """细则 (审批): 特殊情况可适当延长审批时间，但不得超过六个月 — later is refused (waivable)."""
    return add_months(assembly_on, 6)


def probation_end(admitted_on: date, extension_months: int = 0) -> date:
    """细则 第三十二条: 预备期为一年, from the day the 支部大会 passed the candidate; an approved extension adds to
    it. The day it ends is the 转正 date (党章 第七条: 党龄自预备期满转为正式党员之日算起)."""
    return add_months(add_years(admitted_on, 1), extension_months)


def quorum_met(voting_present: int, voting_expected: int) -> bool:
    """细则 第二十条: 有表决权的到会人数必须超过应到会有表决权人数的半数."""
    return voting_expected > 0 and voting_present * 2 > voting_expected


def vote_passes(votes_for: int, voting_expected: int) -> bool:
    """细则 第二十一条: 赞成人数超过应到会有表决权的正式党员的半数 (written opinions counted in the votes)."""
    return voting_expected > 0 and votes_for * 2 > voting_expected


def training_enough(days: Decimal | int | None, hours: Decimal | int | None) -> bool:
    """细则 (第十八条): 集中培训一般不少于三天（或不少于二十四个学时）."""
    return (days or 0) >= TRAINING_DAYS or (hours or 0) >= TRAINING_HOURS


def decision_body(full_members: int) -> str:
    """支部条例 第二十条: a branch of 7 or more 正式党员 has a committee, which decides steps 3, 7 and 12; a
    smaller branch has none, and its 支部大会 decides (细则 第八条: 不设支部委员会的由支部大会)."""
    return COMMITTEE if full_members >= COMMITTEE_THRESHOLD else ASSEMBLY


@dataclass(frozen=True)
class WorkCalendar:
    """Working days: Monday to Friday, less the public holidays, plus the weekend days worked instead (调休)."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()  # weekend days that are working days

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def count(self, start: date, end: date) -> int:
        """Working days from `start` to `end`, both included."""
        n, day = 0, start
        while day <= end:
            n += self.is_workday(day)
            day += timedelta(days=1)
        return n

    def end_of(self, start: date, workdays: int) -> date:
        """The last day of a period of `workdays` working days that starts on `start` (or the next working
        day)."""
        day, n = start, 0
        while True:
            if self.is_workday(day):
                n += 1
                if n >= workdays:
                    return day
            day += timedelta(days=1)


def publicity_long_enough(start: date, end: date, calendar: WorkCalendar, required: int) -> bool:
    """公示 of at least `required` working days (a setting; default 5, local practice)."""
    return end >= start and calendar.count(start, end) >= required


# --- a candidate's history -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Done:
    """A recorded step: its number, its date and, for 10 / 23 / 24, its outcome (23/24 延长: the months)."""

    number: int
    on: date
    outcome: str = ""
    months: int = 0


def current(history: Sequence[Done]) -> list[Done]:
    """The steps that count now: 22–24 only after the last approved extension (a new round)."""
    last_ext = max((i for i, d in enumerate(history) if d.number == 24 and d.outcome == EXTEND), default=-1)
    return [d for i, d in enumerate(history) if d.number not in ROUND_STEPS or i > last_ext]


def latest(history: Iterable[Done], number: int) -> Done | None:
    found = None
    for d in history:
        if d.number == number and (found is None or d.on >= found.on):
            found = d
    return found


def extension_months(history: Sequence[Done]) -> int:
    return sum(d.months for d in history if d.number == 24 and d.outcome == EXTEND)


def probation_end_of(history: Sequence[Done]) -> date | None:
    admitted = latest(history, 15)
    if admitted is None or latest(history, 17) is None:
        return None
    return probation_end(admitted.on, extension_months(history))


# An import (dangjian import_candidates) brings a candidate in at a stage: the steps up to the one that made the
# stage are taken as done, dated with the stage they belong to (they were done before the platform knew them).
IMPORTED_THROUGH = {APPLICANT: 1, ACTIVIST: 3, TARGET: 7, PROBATIONARY: 17}


def implied_steps(
    through: int,
    applied: date,
    activist: date | None,
    target: date | None,
    admitted: date | None,
    recorded: Iterable[int] = (),
) -> list[Done]:
    """The steps 1..`through` an import takes as done (those not recorded), each dated with its stage's day."""
    have = set(recorded)
    out = []
    for n in range(1, through + 1):
        if n in have:
            continue
        on = applied if n <= 2 else activist if n <= 6 else target if n <= 14 else admitted
        out.append(Done(n, on or applied, PASS if n == 10 else ""))
    return out


def stage_of(history: Sequence[Done]) -> str:
    """The stage the steps lead to (for a day in the past: the steps dated by then): 3 → 积极分子, 7 → 发展对象,
    17 → 预备党员, 24 → 正式党员 (转正) or 终止 (取消预备党员资格)."""
    stage = APPLICANT
    for d in history:
        if d.number == 3:
            stage = ACTIVIST
        elif d.number == 7:
            stage = TARGET
        elif d.number == 17:
            stage = PROBATIONARY
        elif d.number == 24 and d.outcome in (CONFIRM, CANCEL):
            stage = FULL if d.outcome == CONFIRM else ENDED
    return stage


# --- checking one step ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    """A 培养联系人 or 入党介绍人 as the service found them on the step's day."""

    name: str
    full: bool  # 正式党员 on the day
    in_branch: bool  # on the roll of the candidate's branch on the day


@dataclass(frozen=True)
class Assembly:
    """The recorded 支部党员大会 a step 15 / 23 reuses (activities.Activity)."""

    on: date
    same_org: bool
    voided: bool
    is_assembly: bool  # carries the kind 支部党员大会
    voting_expected: int
    voting_present: int


@dataclass
class Facts:
    """What the rules read of a candidate besides the entry."""

    stage: str
    birth_date: date
    history: Sequence[Done]
    today: date
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    publicity_required: int = DEFAULT_PUBLICITY_WORKDAYS
    publicity: tuple[date, date] | None = None  # 公示 of the 发展对象 (recorded with step 12)
    archived: bool = False


@dataclass
class Entry:
    """What the person enters for a step, with what the service looked up for it."""

    on: date
    outcome: str = ""  # 10: 合格/不合格; 23: 转正/延长预备期/取消预备党员资格
    body: str = ""  # 3, 7, 12: the deciding body as entered
    full_members: int | None = None  # 3, 7, 12: 正式党员 of the branch on the day
    source: str = ""  # 3: 党员推荐 / 群团组织推优
    opinions_heard: bool = False  # 7
    people: tuple[Person, ...] = ()  # 5, 9
    training_days: Decimal | None = None  # 11
    training_hours: Decimal | None = None
    publicity: tuple[date, date] | None = None  # 12
    assembly: Assembly | None = None  # 15, 23
    votes_for: int | None = None
    months: int = 0  # 23 延长
    dossier_missing: tuple[str, ...] = ()  # 25
    may_approve: bool = True  # 17, 24: a 党总支 may not approve


@dataclass
class Verdict:
    refusals: list[Violation] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    @property
    def blocking(self) -> list[Violation]:
        return [v for v in self.refusals if not v.overridable]

    @property
    def waivable(self) -> list[Violation]:
        return [v for v in self.refusals if v.overridable]

    def no(self, code: str, message: str, cite: Cite | None = None, field: str | None = None) -> None:
        """A precondition unmet (never waived)."""
        self.refusals.append(Violation(code, Kind.PRECONDITION, message, cite, field))

    def wait(self, code: str, message: str, cite: Cite, field: str | None = "date") -> None:
        """An interval not yet over (a superior may waive it)."""
        self.refusals.append(Violation(code, Kind.INTERVAL, message, cite, field))

    def flag(self, code: str, message: str) -> None:
        self.flags.append(Flag(code, message))


def _fmt(d: date) -> str:
    return d.strftime("%Y-%m-%d")


def check_order(number: int, on: date, facts: Facts) -> list[Violation]:
    """The order of the steps: the stage, the steps it needs (dated on or before it), no repeat."""
    step = STEPS[number]
    if facts.stage == ENDED:
        return [Violation("ended", Kind.ORDER, "该发展对象的发展程序已终止，不能再登记步骤")]
    if facts.archived:
        return [Violation("archived", Kind.ORDER, "材料已归档，发展程序已全部完成，不能再登记步骤")]
    if number == 1:
        return [Violation("first", Kind.ORDER, "第1步“递交入党申请书”在新建入党申请人时登记")]
    hist = current(facts.history)
    out: list[Violation] = []
    if facts.stage not in step.stages:
        allowed = "、".join(step.stages)
        message = f"当前阶段为“{facts.stage}”，{step.ref}只能在“{allowed}”阶段办理"
        out.append(Violation("stage", Kind.ORDER, message, step.cite))
    done = None if step.repeatable else latest(hist, number)
    if done is not None:
        out.append(Violation("repeat", Kind.ORDER, f"{step.ref}已于 {_fmt(done.on)} 登记，不能重复登记"))
    for need in step.requires:
        prior = [d.on for d in hist if d.number == need]
        label = STEPS[need].ref
        if not prior:
            message = f"{step.ref}须在{label}之后办理；请先登记{label}"
            out.append(Violation("order", Kind.ORDER, message, step.cite))
        elif min(prior) > on:
            message = f"{step.ref}的日期不能早于{label}的日期（{_fmt(min(prior))}）"
            out.append(Violation("order_date", Kind.ORDER, message, step.cite, "date"))
    return out


def check(number: int, entry: Entry, facts: Facts) -> Verdict:
    """Every rule of step `number` recorded with `entry`; the refusals (blocking or waivable) and the flags."""
    v = Verdict()
    if entry.on > facts.today:
        v.no("future", "日期不能晚于今天；请在办理之后登记", None, "date")
    v.refusals.extend(check_order(number, entry.on, facts))
    rule = _STEP_RULES.get(number)
    if rule is not None:
        rule(v, entry, facts, current(facts.history))
    return v


def _decision(v: Verdict, entry: Entry) -> None:
    """Steps 3, 7, 12: the 支委会 decides, or the 支部大会 where the branch has no committee."""
    if entry.full_members is None:
        return
    needed = decision_body(entry.full_members)
    if entry.body and entry.body != needed:
        which = (
            "设支部委员会，应由支部委员会研究决定"
            if needed == COMMITTEE
            else "不足7名、不设支部委员会，应由支部大会研究决定"
        )
        v.no(
            "body",
            f"本支部在 {_fmt(entry.on)} 有正式党员 {entry.full_members} 名，{which}",
            NO_COMMITTEE,
            "body",
        )


def _step2(v: Verdict, entry: Entry, facts: Facts, hist: list[Done]) -> None:
    applied = latest(hist, 1)
    if applied is not None and entry.on > talk_deadline(applied.on):
        v.flag("talk_late", f"谈话晚于收到入党申请书后一个月（应在 {_fmt(talk_deadline(applied.on))} 前）")


def _step3(v: Verdict, entry: Entry, facts: Facts, hist: list[Done]) -> None:
    if entry.source not in RECOMMEND_SOURCES:
        v.no("source", "入党积极分子应经党员推荐或群团组织推优产生；请选择推荐方式", ACTIVIST_RULE, "source")
    _decision(v, entry)


def _people(v: Verdict, entry: Entry, counts: tuple[int, int], what: str, cite: Cite, code: str) -> None:
    lo, hi = counts
    n = len(entry.people)
    if not lo <= n <= hi:
        want = f"{lo}名" if lo == hi else f"{lo}至{hi}名"
        v.no(code, f"{what}应为本支部{want}正式党员，这里是{n}名", cite, "people")
    for p in entry.people:
        if not p.in_branch:
            v.no(code, f"{p.name}不在本支部党员名册中，不能担任{what}", cite, "people")
        elif not p.full:
            v.no(code, f"{p.name}在 {_fmt(entry.on)} 不是正式党员，不能担任{what}", cite, "people")


def _step5(v: Verdict, entry: Entry, facts: Facts, hist: list[Done]) -> None:
    _people(v, entry, CONTACTS, "培养联系人", CONTACT_RULE, "contacts")


def _step6(v: Verdict, entry: Entry, facts: Facts, hist: list[Done]) -> None:
    last = latest([d for d in hist if d.on <= entry.on], 6) or latest(hist, 3)
    if last is not None and entry.on > inspection_due(last.on):
        due = _fmt(inspection_due(last.on))
        v.flag("inspection_late", f"距上次考察（或确定为积极分子）已超过半年（应在 {due} 前）")


def _step7(v: Verdict, entry: Entry, facts: Facts, hist: list[Done]) -> None:
    activist = latest(hist, 3)
    if activist is not None and entry.on < earliest_target_day(activist.on):
        first = _fmt(earliest_target_day(activist.on))
        v.wait(
            "activist_year",
            f"入党积极分子须经过一年以上培养教育和考察才能列为发展对象：{_fmt(activist.on)} 确定为积极分子，"
            f"最早 {first} 可确定为发展对象",
            TARGET_RULE,
        )
    if not entry.opinions_heard:
        message = "确定发展对象前应听取党小组、培养联系人、党员和群众的意见；请确认已听取"
        v.no("opinions", message, TARGET_RULE, "opinions_heard")
    _decision(v, entry)


def _step9(v: Verdict, entry: Entry, facts: Facts, hist: list[Done]) -> None:
    _people(v, entry, (INTRODUCERS, INTRODUCERS), "入党介绍人", INTRODUCER_RULE, "introducers")


def _step10(v: Verdict, entry: Entry, facts: Facts, hist: list[Done]) -> None:
    if entry.outcome not in (PASS, FAIL):
        v.no("review_conclusion", "政治审查应形成结论；请选择“合格”或“不合格”", POLITICAL_REVIEW, "outcome")


def _step11(v: Verdict, entry: Entry, facts: Facts, hist: list[Done]) -> None:
    if not training_enough(entry.training_days, entry.training_hours):
        message = (
            f"集中培训一般不少于{TRAINING_DAYS}天（或不少于{TRAINING_HOURS}个学时）；请填写培训天数或学时"
        )
        v.no("training", message, TRAINING, "training_days")


def _step12(v: Verdict, entry: Entry, facts: Facts, hist: list[Done]) -> None:
    review = latest(hist, 10)
    if review is not None and review.outcome != PASS:
        v.no("review_failed", "政治审查结论不合格的，不能发展入党", POLITICAL_REVIEW)
    if entry.publicity is None:
        v.no("publicity_missing", "请填写对发展对象进行公示的起止日期", PUBLICITY, "publicity_start")
    elif entry.publicity[1] < entry.publicity[0]:
        v.no("publicity_dates", "公示结束日期不能早于开始日期", None, "publicity_end")
    elif entry.publicity[0] < entry.on:
        v.no("publicity_dates", "公示应在支部委员会审查之后开始；请核对公示开始日期", None, "publicity_start")
    _decision(v, entry)


def _step13(v: Verdict, entry: Entry, facts: Facts, hist: list[Done]) -> None:
    if facts.publicity is None:
        v.no("publicity_missing", "第12步未登记公示起止日期", PUBLICITY)
        return
    start, end = facts.publicity
    days = facts.calendar.count(start, end)
    if days < facts.publicity_required:
        need = facts.publicity_required
        v.wait(
            "publicity",
            f"发展对象公示应不少于{need}个工作日，{_fmt(start)} 至 {_fmt(end)} 只有{days}个工作日",
            PUBLICITY,
        )
    if entry.on <= end:
        first = _fmt(end + timedelta(days=1))
        v.wait(
            "publicity_running",
            f"公示至 {_fmt(end)} 结束，预审应在公示期满之后进行（最早 {first}）",
            PUBLICITY,
        )


def _assembly(v: Verdict, entry: Entry) -> None:
    """Steps 15, 23: the recorded 支部党员大会, its quorum and the vote (细则 第二十条、第二十一条)."""
    a = entry.assembly
    if a is None:
        v.no("assembly_missing", "请选择已登记的支部党员大会记录", ASSEMBLY_QUORUM, "activity")
        return
    if not a.same_org or not a.is_assembly or a.voided:
        v.no("assembly_kind", "所选记录不是本支部有效的支部党员大会记录", ASSEMBLY_QUORUM, "activity")
        return
    if a.on != entry.on:
        v.no("assembly_date", f"步骤日期应为支部党员大会的日期（{_fmt(a.on)}）", None, "date")
    if not quorum_met(a.voting_present, a.voting_expected):
        v.no(
            "quorum",
            f"该次支部党员大会有表决权的到会 {a.voting_present} 人，未超过应到会有表决权的 {a.voting_expected} 人的半数，"
            "不能讨论接收或转正",
            ASSEMBLY_QUORUM,
            "activity",
        )
    votes = entry.votes_for
    if votes is None:
        v.no("vote", "请填写赞成票数", ASSEMBLY_VOTE, "votes_for")
    elif votes > a.voting_expected:
        v.no(
            "vote",
            f"赞成票数不能多于应到会有表决权的正式党员数（{a.voting_expected}）",
            ASSEMBLY_VOTE,
            "votes_for",
        )
    elif not vote_passes(votes, a.voting_expected):
        message = (
            f"赞成 {votes} 票，未超过应到会有表决权的正式党员（{a.voting_expected} 人）的半数，决议未通过"
        )
        v.no("vote", message, ASSEMBLY_VOTE, "votes_for")


def _step15(v: Verdict, entry: Entry, facts: Facts, hist: list[Done]) -> None:
    _assembly(v, entry)


def _approval(v: Verdict, entry: Entry, assembly_on: date | None, what: str) -> None:
    """Steps 17, 24: not by a 党总支; within three months (flagged after), never beyond six (waivable)."""
    if not entry.may_approve:
        message = "党总支不能审批预备党员的接收和转正，应由具有审批权限的基层党委审批"
        v.no("approver", message, NO_APPROVAL_BY_GENERAL_BRANCH)
    if assembly_on is None:
        return
    limit, deadline = approval_limit(assembly_on), approval_deadline(assembly_on)
    if entry.on > limit:
        cite = APPROVAL if what == "接收" else FULL_PROCEDURE
        v.wait(
            "approval_limit",
            f"{what}审批超过支部大会（{_fmt(assembly_on)}）后六个月的最长期限（{_fmt(limit)}）",
            cite,
        )
    elif entry.on > deadline:
        v.flag("approval_late", f"{what}审批晚于支部大会后三个月（应在 {_fmt(deadline)} 前）")


def _step17(v: Verdict, entry: Entry, facts: Facts, hist: list[Done]) -> None:
    assembly = latest(hist, 15)
    _approval(v, entry, assembly.on if assembly else None, "接收")


def _step23(v: Verdict, entry: Entry, facts: Facts, hist: list[Done]) -> None:
    end = probation_end_of(facts.history)
    if end is not None and entry.on < end:
        message = f"预备期至 {_fmt(end)} 届满，讨论转正的支部大会应在预备期满之后召开（转正申请可以提前提出）"
        v.wait("probation_running", message, PROBATION)
    if entry.outcome not in FULL_DECISIONS:
        v.no(
            "decision", "请选择支部大会的决议：转正、延长预备期或取消预备党员资格", FULL_PROCEDURE, "outcome"
        )
    if entry.outcome == EXTEND:
        if extension_months(facts.history):
            v.no("extension_once", "预备期只能延长一次，已经延长过", PROBATION, "outcome")
        lo, hi = EXTENSION_MONTHS
        if not lo <= entry.months <= hi:
            v.no(
                "extension_months", "延长预备期不能少于半年，最长不超过一年（6至12个月）", PROBATION, "months"
            )
    _assembly(v, entry)


def _step24(v: Verdict, entry: Entry, facts: Facts, hist: list[Done]) -> None:
    assembly = latest(hist, 23)
    _approval(v, entry, assembly.on if assembly else None, "转正")
    end = probation_end_of(facts.history)
    if assembly is not None and assembly.outcome == CONFIRM and end is not None and end > entry.on:
        v.no("probation_not_ended", f"预备期至 {_fmt(end)} 才届满，届满后才能批准转正", PROBATION, "date")


def _step25(v: Verdict, entry: Entry, facts: Facts, hist: list[Done]) -> None:
    last = latest(hist, 24)
    if last is not None and last.outcome != CONFIRM:
        v.refusals.append(Violation("not_full", Kind.ORDER, "只有批准转正后才能归档"))
    if entry.dossier_missing:
        v.no("dossier", f"发展党员档案材料不全，缺少：{'、'.join(entry.dossier_missing)}", ARCHIVE, "dossier")


_STEP_RULES = {
    2: _step2,
    3: _step3,
    5: _step5,
    6: _step6,
    7: _step7,
    9: _step9,
    10: _step10,
    11: _step11,
    12: _step12,
    13: _step13,
    15: _step15,
    17: _step17,
    23: _step23,
    24: _step24,
    25: _step25,
}


def check_application(birth: date, applied_on: date, today: date) -> list[Violation]:
    """Step 1: not in the future, and the applicant of age on the day (党章 第一条; 细则 第五条)."""
    out: list[Violation] = []
    if applied_on > today:
        out.append(Violation("future", Kind.PRECONDITION, "申请日期不能晚于今天", None, "applied_on"))
    if not is_adult_on(birth, applied_on):
        out.append(
            Violation(
                "age",
                Kind.PRECONDITION,
                f"递交入党申请书时应年满十八岁：出生于 {_fmt(birth)}，{_fmt(applied_on)} 时未满18周岁"
                f"（最早 {_fmt(add_years(birth, ADULT_AGE))} 可申请）",
                AGE,
                "applied_on",
            )
        )
    return out


# --- what is due next ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Due:
    step: StepDef
    due_on: date | None = None  # by when (None: no time set by the rules)
    earliest: date | None = None  # not before
    late: bool = False
    why: str = ""

    @property
    def number(self) -> int:
        return self.step.number

    def describe(self) -> str:
        parts = [self.step.title, f"（{self.step.actor_label}办理）"]
        if self.earliest is not None:
            parts.append(f"，最早 {_fmt(self.earliest)}")
        if self.due_on is not None:
            parts.append(f"，{'已逾期，应于' if self.late else '应于'} {_fmt(self.due_on)} 前完成")
        if self.why:
            parts.append(f"（{self.why}）")
        return "".join(parts)


def due_steps(facts: Facts) -> list[Due]:
    """The steps that may be recorded next, with their dates: the order holds (the steps they need are done),
    the candidate is in their stage; repeatable steps (考察) come after the others."""
    if facts.stage == ENDED or facts.archived:
        return []
    hist = current(facts.history)
    done = {d.number for d in hist}
    out: list[Due] = []
    for step in STEPS.values():
        if step.number == 1 or facts.stage not in step.stages:
            continue
        if not step.repeatable and step.number in done:
            continue
        if not all(n in done for n in step.requires):
            continue
        out.append(_due(step, facts, hist))
    out.sort(key=lambda d: (d.step.repeatable, d.step.number))
    return out


def _due(step: StepDef, facts: Facts, hist: list[Done]) -> Due:
    today = facts.today
    n = step.number

    def at(due: date | None, earliest: date | None = None, why: str = "") -> Due:
        return Due(step, due, earliest, due is not None and today > due, why)

    if n == 2 and (applied := latest(hist, 1)):
        return at(talk_deadline(applied.on), why="收到入党申请书后一个月内")
    if n == 6:
        last = latest(hist, 6) or latest(hist, 3)
        return at(inspection_due(last.on) if last else None, why="每半年考察一次")
    if n == 7 and (activist := latest(hist, 3)):
        return at(None, earliest_target_day(activist.on), "确定为积极分子满一年")
    if n == 13 and facts.publicity is not None:
        return at(None, facts.publicity[1] + timedelta(days=1), "公示期满之后")
    if n == 17 and (assembly := latest(hist, 15)):
        return at(approval_deadline(assembly.on), why="支部大会后三个月内")
    if n in (22, 23):
        end = probation_end_of(facts.history)
        if end is not None:
            return at(end, end if n == 23 else None, "预备期届满")
    if n == 24 and (assembly := latest(hist, 23)):
        return at(approval_deadline(assembly.on), why="支部大会后三个月内")
    return at(None)


def next_due(facts: Facts) -> Due | None:
    steps = due_steps(facts)
    return steps[0] if steps else None
