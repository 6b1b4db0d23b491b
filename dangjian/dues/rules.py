"""党费 rules, pure (no database, no Django): the bands, the special cases, rounding, the start month, the kinds of
payment and the arrears thresholds. Each rule carries its source beside it; docs/rules/dues.md lists them all.

Source abbreviation: 党费规定 = 中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号，
2008-04-01 施行）. Status as in rules.md: V = the regulation's own wording seen in a published text; S = local
practice or secondary source (a configurable default); M = not confirmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

# 人员类别 values (members.choices.Category; design §5). Spelled out here so that this module stays pure.
SERVING, RETIRED, LAID_OFF, STUDENT, FARMER, OTHER = "在职", "离退休", "下岗失业", "学生", "农牧渔民", "其他"
CATEGORIES = (SERVING, RETIRED, LAID_OFF, STUDENT, FARMER, OTHER)


def round_fen(amount: Decimal) -> Decimal:
    """Half up to the fen: 0.005 → 0.01 (design §5)."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Citation:
    source: str
    status: str  # V / S / M (rules.md)

    def __str__(self) -> str:
        return f"{self.source}（{self.status}）"


@dataclass(frozen=True)
class Band:
    """A rate on the whole monthly base up to and including `upper` (None: no upper bound). The rate applies to
    the whole income, not marginally (党费规定 第二条)."""

    upper: Decimal | None
    rate: Decimal
    label: str

    @property
    def percent(self) -> str:
        return f"{(self.rate * 100).normalize():f}%"


# --- the bands -------------------------------------------------------------------------------------------------
# 党费规定 第二条 (V): 在职党员以每月工资总额中相对固定的、经常性的工资收入（税后）为计算基数：3000元以下（含
# 3000元）者交纳0.5%；3000元以上至5000元（含5000元）者交纳1%；5000元以上至10000元（含10000元）者交纳1.5%；
# 10000元以上者交纳2%. "以下/以上" as the text states it: each upper bound inclusive (rules.md gotcha 2).
SERVING_BANDS: tuple[Band, ...] = (
    Band(Decimal(3000), Decimal("0.005"), "3000元以下（含3000元）"),
    Band(Decimal(5000), Decimal("0.01"), "3000元以上至5000元（含5000元）"),
    Band(Decimal(10000), Decimal("0.015"), "5000元以上至10000元（含10000元）"),
    Band(None, Decimal("0.02"), "10000元以上"),
)
SERVING_CITATION = Citation("党费规定 第二条", "V")
# 党费规定 第三条 (V): 实行年薪制人员中的党员，以实际领取的当月工资收入为基数，按上述比例交纳 — the same bands.
ANNUAL_SALARY_CITATION = Citation("党费规定 第三条", "V")
# 党费规定 第五条 (V): 离退休干部、职工中的党员，以实际领取的离退休费总额或养老金总额为计算基数：5000元以下
# （含5000元）的按0.5%交纳，5000元以上的按1%交纳.
RETIRED_BANDS: tuple[Band, ...] = (
    Band(Decimal(5000), Decimal("0.005"), "5000元以下（含5000元）"),
    Band(None, Decimal("0.01"), "5000元以上"),
)
RETIRED_CITATION = Citation("党费规定 第五条", "V")

# 党费规定 第六条 (V): 学生党员、下岗失业的党员、依靠抚恤或救济生活的党员、领取当地最低生活保障金的党员，每月
# 交纳党费0.2元. 人员类别 其他 stands for 依靠抚恤或救济生活 (design §5).
LOW_FIXED_AMOUNT = Decimal("0.20")
LOW_FIXED_CITATION = Citation("党费规定 第六条", "V")
LOW_FIXED_CATEGORIES = frozenset({STUDENT, LAID_OFF, OTHER})
# 党费规定 第六条 (V): 农民党员每月交纳党费0.2元至1元 — the amount is set by each 省级党委; the bureau enters it
# (DuesConfig.farmer_amount, default 0.20).
FARMER_MIN, FARMER_MAX = Decimal("0.20"), Decimal("1.00")
FARMER_CITATION = Citation("党费规定 第六条（具体数额由省级党委确定）", "V")
FIXED_CATEGORIES = LOW_FIXED_CATEGORIES | {FARMER}
# Categories whose due is a rate on a base (a monthly income or pension must be 核定).
BASE_CATEGORIES = frozenset({SERVING, RETIRED})

# 交纳党费确有困难的 (incl. 领取最低生活保障金): 本人申请 → 党支部研究 → 报上一级党委批准 → 少交或免交
# (党费规定, article number M; rules.md §4 "Hardship", V). The platform records the approval, it grants nothing.
RELIEF_CITATION = Citation("党费规定（交纳确有困难的，经上一级党委批准可少交或免交；条款号待核）", "V")
# 党费规定 第十条 (V): 党员工资收入发生变化后，从按新工资标准领取工资的当月起，按新的工资收入交纳党费 —
# a second base row with its 生效月份.
INCOME_CHANGE_CITATION = Citation("党费规定 第十条", "V")
# 每年初核定党员当年月交纳党费数额，年内一般不变动 (旗帜网 guidance for 中央和国家机关, S): bases are per 年度.
YEARLY_BASE_CITATION = Citation("旗帜网《党费收缴工作指引》（中央和国家机关）", "S")


def bands_for(category: str) -> tuple[tuple[Band, ...], Citation] | None:
    if category == SERVING:
        return SERVING_BANDS, SERVING_CITATION
    if category == RETIRED:
        return RETIRED_BANDS, RETIRED_CITATION
    return None


def band_of(bands: Sequence[Band], income: Decimal) -> Band:
    for band in bands:
        if band.upper is None or income <= band.upper:
            return band
    return bands[-1]


@dataclass(frozen=True)
class Due:
    """A month's due: `amount` None when it cannot be computed (a base is needed and none is recorded)."""

    amount: Decimal | None
    basis: str  # how it was reached, in Chinese
    citation: Citation | None = None
    relief: bool = False
    normal: Decimal | None = None  # the amount before 减免

    @property
    def missing_base(self) -> bool:
        return self.amount is None


@dataclass(frozen=True)
class Relief:
    """减免 approved by the superior committee: `amount` is what is still paid each month (少交); None = 免交."""

    amount: Decimal | None = None


def normal_due(category: str, income: Decimal | None, farmer_amount: Decimal = FARMER_MIN) -> Due:
    """The due by the bands and the fixed amounts, before any 减免."""
    if category in LOW_FIXED_CATEGORIES:
        return Due(LOW_FIXED_AMOUNT, f"{category}：每月 0.20 元", LOW_FIXED_CITATION, normal=LOW_FIXED_AMOUNT)
    if category == FARMER:
        amount = round_fen(min(max(farmer_amount, FARMER_MIN), FARMER_MAX))
        return Due(amount, f"农牧渔民：每月 {amount} 元（省级党委确定）", FARMER_CITATION, normal=amount)
    found = bands_for(category)
    if found is None:
        return Due(None, f"人员类别“{category}”无对应标准")
    bands, citation = found
    if income is None:
        return Due(None, f"{category}：尚未核定月收入基数", citation)
    band = band_of(bands, income)
    amount = round_fen(income * band.rate)
    return Due(
        amount,
        f"{category}：月收入 {income:,.2f} 元，{band.label}，按 {band.percent}",
        citation,
        normal=amount,
    )


def monthly_due(
    category: str,
    income: Decimal | None,
    relief: Relief | None = None,
    farmer_amount: Decimal = FARMER_MIN,
) -> Due:
    """The month's due for the member's 人员类别 (which decides the band, design §4) and base; an approved 减免
    replaces it by the reduced amount (少交) or by nothing (免交) — never by more than the normal due."""
    due = normal_due(category, income, farmer_amount)
    if relief is None:
        return due
    if relief.amount is None or relief.amount <= 0:
        return Due(ZERO, "经上一级党委批准免交", RELIEF_CITATION, relief=True, normal=due.amount)
    amount = round_fen(relief.amount)
    if due.amount is not None and amount > due.amount:
        amount = due.amount
    return Due(
        amount, f"经上一级党委批准少交，每月 {amount} 元", RELIEF_CITATION, relief=True, normal=due.amount
    )


# --- when dues are owed ------------------------------------------------------------------------------------------
class StartRule(StrEnum):
    """From which month a new 预备党员 pays. 党费规定 (art.# M, probably 第七条; V): from the day the 支部大会 passes
    them as 预备党员; 共产党员网 adds that in practice payment starts from the month the 上级党委 approves. The bureau
    chooses (rules.md §4: a configurable rule)."""

    MEETING = "meeting"
    APPROVAL = "approval"


START_RULE_LABELS = {
    StartRule.MEETING: "支部大会通过接收为预备党员的当月起",
    StartRule.APPROVAL: "上级党委批准的当月起（以首次核定基数的生效月份为准）",
}
START_RULE_CITATION = Citation(
    "党费规定（预备党员自支部大会通过之日起交纳党费；条款号待核）；共产党员网（批准当月起）", "V"
)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(earlier: date, later: date) -> int:
    """Whole months from the month of `earlier` to the month of `later` (same month: 0)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def first_due_month(join_date: date, rule: str, first_base_month: date | None = None) -> date:
    """The first month a member owes dues, by the start rule. Under APPROVAL the branch enters the approval month
    as the 生效月份 of the member's first base; it counts when it lies within the year after the 支部大会 (the
    approval comes within 3, at most 6 months: 细则); otherwise the 支部大会 month."""
    joined = month_start(join_date)
    if rule == StartRule.APPROVAL and first_base_month is not None:
        ahead = months_between(joined, first_base_month)
        if 0 < ahead <= 12:
            return month_start(first_base_month)
    return joined


# --- payments ------------------------------------------------------------------------------------------------
class PaymentKind(StrEnum):
    MONTHLY = "按月交纳"
    ADVANCE = "预交"
    ARREARS = "补交"
    VOLUNTARY = "自愿多交"


# 党费规定 第十二条 (V): 党员应当按月交纳党费。特殊情况下，经党支部同意，可以按季度交纳，也可以委托他人代为交纳；
# 补交党费的时间一般不超过6个月.
PAYMENT_CYCLE_CITATION = Citation("党费规定 第十二条", "V")
ADVANCE_MAX_MONTHS = 3  # 按季度交纳: a quarter ahead at most
ARREARS_USUAL_LIMIT = 6  # 补交 一般不超过6个月 (flagged beyond it, not refused: "一般")
# 党费规定 第十一条 (V): 自愿多交党费不限; 一次多交1000元以上的，全部上缴中央.
VOLUNTARY_TO_CENTRE = Decimal(1000)
VOLUNTARY_CITATION = Citation("党费规定 第十一条", "V")
# 党费规定 第十四条 (V): 不得垫交或扣缴 — the platform records what the member paid and never deducts.
NO_DEDUCTION_CITATION = Citation("党费规定 第十四条", "V")


def payment_kind(month: date, paid_on: date, voluntary: bool = False) -> PaymentKind:
    """按月交纳 in its own month, 预交 before it, 补交 after it; 自愿多交 when the member pays it on top."""
    if voluntary:
        return PaymentKind.VOLUNTARY
    gap = months_between(month, paid_on)
    if gap < 0:
        return PaymentKind.ADVANCE
    if gap > 0:
        return PaymentKind.ARREARS
    return PaymentKind.MONTHLY


def advance_months(month: date, paid_on: date) -> int:
    """How many months ahead of the payment day's month the paid month lies (0 when not ahead)."""
    return max(0, months_between(paid_on, month))


def late_beyond_usual(month: date, paid_on: date) -> bool:
    """补交 later than the usual six months (第十二条: 一般不超过6个月): shown, not refused."""
    return months_between(month, paid_on) > ARREARS_USUAL_LIMIT


def goes_to_centre(amount: Decimal, voluntary: bool) -> bool:
    return voluntary and amount >= VOLUNTARY_TO_CENTRE


def month_settled(due: Decimal | None, paid: Decimal) -> bool:
    """A month is paid when what was paid for it (自愿多交 aside) covers its due; 免交 (due 0) is settled; a month
    whose due is unknown (no base yet) counts as paid once anything was paid for it."""
    if due is None:
        return paid > 0
    return paid >= due


def shortfall(due: Decimal | None, paid: Decimal) -> Decimal:
    if due is None:
        return ZERO
    return max(ZERO, due - paid)


# --- arrears ---------------------------------------------------------------------------------------------------
# 3 months: the reminder threshold (local practice, S; DuesConfig.remind_months).
REMIND_MONTHS = 3
REMIND_CITATION = Citation("本地做法：欠交满3个月列入月提醒", "S")
# 党章 第九条 (V): 党员如果没有正当理由，连续六个月不参加党的组织生活，或不交纳党费，或不做党所分配的工作，就被
# 认为是自行脱党。支部大会应当决定把这样的党员除名，并报上级党组织批准. The platform flags and records; the 支部
# 大会 decides.
FLAG_MONTHS = 6
FLAG_CITATION = Citation("党章 第九条", "V")


def trailing_unpaid(settled: Sequence[bool | None]) -> int:
    """Consecutive unpaid months at the end of a run of months (oldest first): True = settled, False = unpaid,
    None = not owed that month (before joining, away): a month not owed ends the run."""
    n = 0
    for state in reversed(settled):
        if state is False:
            n += 1
        else:
            break
    return n
