"""党费 (design §2: DuesBase, DuesPayment): the yearly 核定 of each member's base, payments by month, the branch's
上缴 to its superior, the handling of long arrears, and the bureau's settings. The amounts due are never stored:
they follow from the base and the member's 人员类别 by the rules in `rules.py`."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import rules


class DuesConfig(models.Model):
    """One row: the rules a locality sets (rules.md §4: the start month is configurable; 农民党员 0.2–1 元 by the
    省级党委; the reminder thresholds). `current()` reads it without writing (defaults unsaved)."""

    start_rule = models.CharField(
        "预备党员起交月份",
        max_length=10,
        choices=[(k.value, v) for k, v in rules.START_RULE_LABELS.items()],
        default=rules.StartRule.MEETING,
        help_text="党费规定：自支部大会通过之日起交纳；部分地方自上级党委批准当月起",
    )
    farmer_amount = models.DecimalField(
        "农牧渔民党员每月交纳（元）",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.20"),
        help_text="党费规定第六条：0.2元至1元，具体数额由省级党委确定",
    )
    remind_months = models.PositiveSmallIntegerField(
        "欠交几个月列入月提醒", default=rules.REMIND_MONTHS, help_text="默认连续欠交满3个月"
    )
    flag_months = models.PositiveSmallIntegerField(
        "欠交几个月提请支部处置",
        default=rules.FLAG_MONTHS,
        help_text="党章第九条：无正当理由连续6个月不交纳党费的，按自行脱党处理",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "党费设置"
        verbose_name_plural = "党费设置"

    def __str__(self) -> str:
        return "党费设置"

    @classmethod
    def current(cls) -> DuesConfig:
        obj = cls.objects.order_by("id").first()
        return obj if obj is not None else cls()


class PaymentMethod(models.Model):
    """收缴方式: an extensible list (现金, 转账, 代交 … seeded; the bureau adds others). No online gateway."""

    name = models.CharField("方式", max_length=20, unique=True)
    needs_proxy = models.BooleanField(
        "须登记代交人", default=False, help_text="委托他人代为交纳，须经党支部同意（党费规定第十二条）"
    )
    is_active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=100)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "收缴方式"
        verbose_name_plural = "收缴方式"
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class DuesBase(models.Model):
    """党费基数: a member's monthly after-tax wage or pension as 核定 for a 年度, from its 生效月份 (a mid-year change
    of income is a second row: 党费规定 第十条), and an approved 减免."""

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="dues_bases"
    )
    year = models.PositiveSmallIntegerField("年度")
    effective_month = models.PositiveSmallIntegerField("生效月份", default=1, help_text="1–12，默认1月")
    income = models.DecimalField(
        "月收入（元）",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="税后工资收入或离退休费、养老金；学生、下岗失业等按固定数额交纳的可不填",
    )
    relief = models.BooleanField("减免", default=False)
    relief_amount = models.DecimalField(
        "减免后每月交纳（元）",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="少交的填每月交纳数额；留空表示免交",
    )
    relief_reason = models.CharField("减免原因", max_length=200, blank=True)
    approved_by = models.CharField("批准机关", max_length=100, blank=True, help_text="上一级党委")
    approved_on = models.DateField("批准日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    source = models.CharField(
        "来源", max_length=10, default="manual", choices=[("manual", "手工录入"), ("import", "表格导入")]
    )
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "党费基数"
        verbose_name_plural = "党费基数"
        ordering = ["member", "year", "effective_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year", "effective_month"], name="dues_base_natural_key"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_month__gte=1, effective_month__lte=12),
                name="dues_base_month_1_12",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.year}年{self.effective_month}月起党费基数"

    @property
    def relief_rule(self) -> rules.Relief | None:
        return rules.Relief(self.relief_amount) if self.relief else None

    @property
    def key(self) -> tuple[int, int]:
        return (self.year, self.effective_month)


class DuesPayment(models.Model):
    """A payment for one 所属月份 (several may belong to one month): when, how much, how and who collected it."""

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="dues_payments"
    )
    # The branch that collected it (the member's branch when it was recorded): it keeps reading its own records
    # after the member moves on.
    organization = models.ForeignKey(
        Organization, verbose_name="收缴党组织", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("所属月份", help_text="该月1日")
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    paid_on = models.DateField("缴纳日期")
    method = models.ForeignKey(PaymentMethod, verbose_name="方式", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(
        "类型", max_length=6, choices=[(k.value, k.value) for k in rules.PaymentKind], default="按月交纳"
    )
    collected_by = models.CharField("收缴人", max_length=40, blank=True)
    proxy_name = models.CharField("代交人", max_length=40, blank=True)
    consent = models.BooleanField(
        "经党支部同意", default=False, help_text="按季度预交或委托他人代交须经党支部同意"
    )
    note = models.CharField("备注", max_length=200, blank=True)
    source = models.CharField(
        "来源", max_length=10, default="manual", choices=[("manual", "手工登记"), ("import", "表格导入")]
    )
    is_voided = models.BooleanField("已作废", default=False)
    void_reason = models.CharField("作废原因", max_length=100, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "党费缴纳记录"
        verbose_name_plural = "党费缴纳记录"
        ordering = ["member", "month", "paid_on", "id"]
        indexes = [
            models.Index(fields=["member", "month"], name="dues_payment_member_month"),
            models.Index(fields=["organization", "month"], name="dues_payment_org_month"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m} 党费 {self.amount} 元"

    @property
    def voluntary(self) -> bool:
        return self.kind == rules.PaymentKind.VOLUNTARY

    @property
    def late_beyond_usual(self) -> bool:
        return self.kind == rules.PaymentKind.ARREARS and rules.late_beyond_usual(self.month, self.paid_on)

    @property
    def goes_to_centre(self) -> bool:
        return rules.goes_to_centre(self.amount, self.voluntary)


class DuesRemittance(models.Model):
    """上缴: what a branch handed to its superior for a month (a quarter's remittance is entered under its last
    month)."""

    organization = models.ForeignKey(
        Organization, verbose_name="上缴党组织", on_delete=models.PROTECT, related_name="+"
    )
    to_org = models.ForeignKey(
        Organization,
        verbose_name="接收党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField("所属月份", help_text="该月1日；按季度上缴的记在季末月份")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    remitted_on = models.DateField("上缴日期")
    receipt_no = models.CharField("收据编号", max_length=40, blank=True)
    handled_by = models.CharField("经办人", max_length=40, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    is_voided = models.BooleanField("已作废", default=False)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "党费上缴记录"
        verbose_name_plural = "党费上缴记录"
        ordering = ["organization", "month", "id"]
        indexes = [models.Index(fields=["organization", "month"], name="dues_remit_org_month")]

    def __str__(self) -> str:
        return f"{self.organization} {self.month:%Y-%m} 上缴党费 {self.amount} 元"


class CaseOutcome(models.TextChoices):
    PAID = "已补交", "已补交"
    VALID_REASON = "有正当理由", "经支部认定有正当理由"
    STRUCK_OFF = "按自行脱党处理", "支部大会决定按自行脱党除名（报上级党组织批准）"
    OTHER = "其他", "其他"


class ArrearsCase(models.Model):
    """欠交党费的处置: a member flagged for long arrears and what the branch did — 谈话, then the 自行脱党 procedure
    (党章 第九条). The platform records the branch's decisions; it changes no one's membership by itself."""

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, verbose_name="处置党组织", on_delete=models.PROTECT, related_name="+"
    )
    opened_on = models.DateField("登记日期")
    arrears_months = models.PositiveSmallIntegerField("登记时连续欠交月数")
    since_month = models.DateField("欠交起始月份")
    valid_reason = models.BooleanField(
        "有正当理由", null=True, blank=True, help_text="由党支部认定；未认定的留空"
    )
    reason_note = models.CharField("理由说明", max_length=300, blank=True)
    is_closed = models.BooleanField("已结案", default=False)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    outcome = models.CharField("处置结果", max_length=10, choices=CaseOutcome.choices, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "欠交党费处置"
        verbose_name_plural = "欠交党费处置"
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member} 欠交党费处置（{self.opened_on:%Y-%m-%d}）"


class StepKind(models.TextChoices):
    TALK = "谈话", "谈话提醒"
    NOTICE = "限期补交", "书面通知限期补交"
    REASON = "认定理由", "支委会认定是否有正当理由"
    ASSEMBLY = "支部大会", "提交支部大会讨论"
    REPORT = "报上级", "报上级党组织批准"
    REPLY = "上级批复", "上级党组织批复"
    PAID = "补交", "党员补交党费"
    OTHER = "其他", "其他"


class ArrearsStep(models.Model):
    case = models.ForeignKey(ArrearsCase, verbose_name="处置", on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField("环节", max_length=6, choices=StepKind.choices)
    date = models.DateField("日期")
    people = models.CharField("参加人 / 经办人", max_length=100, blank=True)
    note = models.CharField("情况记录", max_length=500, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "欠交党费处置环节"
        verbose_name_plural = "欠交党费处置环节"
        ordering = ["case", "date", "id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.kind}"
