"""督查考核: 季抽查 (Inspection), 整改 (Rectification), 半年观摩 (Observation) — design §2."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.core.files import StoredFile
from dangjian.core.periods import Period
from dangjian.orgs.models import Organization

from .flow import FINAL_STATES, STATE_LABELS, State


# --- 季抽查 -----------------------------------------------------------------------------------------------
class ChecklistItem(models.Model):
    """One line of the checklist template the bureau edits; a round's findings are recorded against it."""

    name = models.CharField("检查项目", max_length=40, unique=True)
    guidance = models.CharField("检查要点", max_length=300, blank=True)
    sort = models.PositiveSmallIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "检查项目"
        verbose_name_plural = "检查清单"
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class RoundStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    VOID = "void", "已作废"


class InspectionRound(models.Model):
    """One quarter's draw. The candidate snapshot and the seed let anyone replay the draw."""

    quarter = models.CharField("季度", max_length=7, db_index=True, help_text="如 2026Q4")
    seed = models.BigIntegerField("随机种子")
    count = models.PositiveIntegerField("抽取数量", null=True, blank=True)
    ratio = models.DecimalField("抽取比例", max_digits=5, decimal_places=4, null=True, blank=True)
    stratified = models.BooleanField("按单位类别分层", default=False)
    include_failing = models.BooleanField("上季度未达标的必查", default=False)
    candidates = models.JSONField(
        "候选名单", default=list, help_text="[{code, stratum, failing}]，按组织代码排序"
    )
    status = models.CharField("状态", max_length=10, choices=RoundStatus.choices, default=RoundStatus.ACTIVE)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="抽取人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    drawn_by_name = models.CharField("抽取人名称", max_length=150, blank=True)
    drawn_at = models.DateTimeField("抽取时间", auto_now_add=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "抽查轮次"
        verbose_name_plural = "抽查轮次"
        ordering = ["-quarter", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quarter"], condition=models.Q(status="active"), name="one_active_round_per_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period.label}抽查"

    @property
    def period(self) -> Period:
        return Period.parse(self.quarter)

    @property
    def method_label(self) -> str:
        if self.count is not None:
            return f"抽取 {self.count} 个"
        if self.ratio is None:
            return "—"
        return f"按 {(self.ratio * 100).normalize():f}% 抽取"


class ResultChoice(models.TextChoices):
    PASS = "pass", "符合"
    PARTIAL = "partial", "基本符合"
    FAIL = "fail", "不符合"


class InspectionTarget(models.Model):
    """An organisation drawn in a round (抽查对象)."""

    round = models.ForeignKey(
        InspectionRound, verbose_name="抽查轮次", on_delete=models.PROTECT, related_name="targets"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="inspection_targets"
    )
    org_code = models.CharField(
        "组织代码（抽取时）",
        max_length=32,
        help_text="抽取时的组织代码；复核抽取结果以此为准，组织改代码不影响复核",
    )
    stratum = models.CharField("单位类别（分层）", max_length=20, blank=True)
    must_inspect = models.BooleanField("上季度未达标必查", default=False)
    inspected_on = models.DateField("检查日期", null=True, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="检查人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField("检查意见", blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "抽查对象"
        verbose_name_plural = "抽查对象"
        ordering = ["round", "organization__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "organization"], name="inspection_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.organization}"


class Finding(models.Model):
    """The result of one checklist item for one drawn organisation."""

    target = models.ForeignKey(
        InspectionTarget, verbose_name="抽查对象", on_delete=models.PROTECT, related_name="findings"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name="检查项目", on_delete=models.PROTECT, related_name="+"
    )
    item_name = models.CharField("检查项目名称", max_length=40, help_text="录入时的名称，清单改名不影响历史")
    result = models.CharField("检查结论", max_length=10, choices=ResultChoice.choices)
    note = models.TextField("情况说明", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField("录入时间", auto_now=True)

    class Meta:
        verbose_name = "检查结果"
        verbose_name_plural = "检查结果"
        ordering = ["target", "item__sort", "item_id"]
        constraints = [models.UniqueConstraint(fields=["target", "item"], name="finding_unique_item")]

    def __str__(self) -> str:
        return f"{self.item_name}：{self.get_result_display()}"


class FindingPhoto(StoredFile):
    finding = models.ForeignKey(
        Finding, verbose_name="检查结果", on_delete=models.PROTECT, related_name="photos"
    )

    class Meta(StoredFile.Meta):
        verbose_name = "检查照片"
        verbose_name_plural = "检查照片"
        ordering = ["finding", "id"]


# --- 整改 ------------------------------------------------------------------------------------------------
class RectificationStatus(models.TextChoices):
    PENDING = State.PENDING.value, STATE_LABELS[State.PENDING]
    IN_PROGRESS = State.IN_PROGRESS.value, STATE_LABELS[State.IN_PROGRESS]
    SUBMITTED = State.SUBMITTED.value, STATE_LABELS[State.SUBMITTED]
    CLOSED = State.CLOSED.value, STATE_LABELS[State.CLOSED]
    CANCELLED = State.CANCELLED.value, STATE_LABELS[State.CANCELLED]


OPEN_STATUS_VALUES = [s.value for s in State if s not in FINAL_STATES]


class Rectification(models.Model):
    organization = models.ForeignKey(
        Organization, verbose_name="整改责任党组织", on_delete=models.PROTECT, related_name="rectifications"
    )
    finding = models.OneToOneField(
        Finding,
        verbose_name="检查结果",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectification",
    )
    title = models.CharField("整改事项", max_length=200)
    problem = models.TextField("存在问题", blank=True)
    deadline = models.DateField("整改期限", db_index=True)
    status = models.CharField(
        "状态", max_length=12, choices=RectificationStatus.choices, default=RectificationStatus.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="下达人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("下达时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交验收时间", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="验收人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verification = models.TextField("验收意见", blank=True)
    return_count = models.PositiveSmallIntegerField("退回次数", default=0)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["organization", "status"], name="rect_org_status_idx"),
            models.Index(fields=["status", "deadline"], name="rect_status_deadline_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, as_of) -> bool:
        from .flow import is_overdue

        return is_overdue(self.status, self.deadline, as_of)


class EventKind(models.TextChoices):
    CREATED = "created", "下达整改"
    START = "start", "开始整改"
    EVIDENCE = "evidence", "提交整改材料"
    SUBMIT = "submit", "提交验收"
    RETURN = "return", "退回重改"
    CLOSE = "close", "验收销号"
    CANCEL = "cancel", "撤销"
    DEADLINE = "deadline", "调整整改期限"


class RectificationEvent(models.Model):
    """The history of a rectification; evidence is an event with text and files."""

    rectification = models.ForeignKey(
        Rectification, verbose_name="整改事项", on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField("类型", max_length=10, choices=EventKind.choices)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    text = models.TextField("内容", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人名称", max_length=150, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改记录"
        verbose_name_plural = "整改记录"
        ordering = ["rectification", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.actor_name}"


class EvidenceFile(StoredFile):
    event = models.ForeignKey(
        RectificationEvent, verbose_name="整改记录", on_delete=models.PROTECT, related_name="files"
    )

    class Meta(StoredFile.Meta):
        verbose_name = "整改佐证材料"
        verbose_name_plural = "整改佐证材料"
        ordering = ["event", "id"]


# --- 半年观摩 --------------------------------------------------------------------------------------------
class Half(models.IntegerChoices):
    FIRST = 1, "上半年"
    SECOND = 2, "下半年"


class Observation(models.Model):
    title = models.CharField("观摩活动名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    half = models.PositiveSmallIntegerField("半年", choices=Half.choices)
    held_on = models.DateField("观摩日期")
    place = models.CharField("地点", max_length=100, blank=True)
    note = models.TextField("说明", blank=True)
    is_final = models.BooleanField("评分已定稿", default=False, help_text="定稿后不能再修改评分")
    is_cancelled = models.BooleanField("已取消", default=False)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "观摩活动"
        verbose_name_plural = "观摩活动"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def period_label(self) -> str:
        return f"{self.year}年{Half(self.half).label}"


class ObservationTarget(models.Model):
    observation = models.ForeignKey(
        Observation, verbose_name="观摩活动", on_delete=models.PROTECT, related_name="targets"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="observation_targets"
    )
    sort = models.PositiveSmallIntegerField("观摩顺序", default=0)

    class Meta:
        verbose_name = "观摩对象"
        verbose_name_plural = "观摩对象"
        ordering = ["observation", "sort", "organization__code"]
        constraints = [
            models.UniqueConstraint(fields=["observation", "organization"], name="observation_target_unique")
        ]

    def __str__(self) -> str:
        return str(self.organization)


class RubricItem(models.Model):
    observation = models.ForeignKey(
        Observation, verbose_name="观摩活动", on_delete=models.PROTECT, related_name="rubric"
    )
    name = models.CharField("评分项目", max_length=60)
    guidance = models.CharField("评分标准", max_length=300, blank=True)
    max_points = models.DecimalField("满分", max_digits=5, decimal_places=1)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "评分项目"
        verbose_name_plural = "评分项目"
        ordering = ["observation", "sort", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_points}分）"


class ObservationRater(models.Model):
    observation = models.ForeignKey(
        Observation, verbose_name="观摩活动", on_delete=models.PROTECT, related_name="raters"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评委",
        on_delete=models.PROTECT,
        related_name="observation_seats",
    )
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "评委"
        verbose_name_plural = "评委"
        ordering = ["observation", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["observation", "user"], name="observation_rater_unique")
        ]

    def __str__(self) -> str:
        return str(self.user)


class ObservationScore(models.Model):
    target = models.ForeignKey(
        ObservationTarget, verbose_name="观摩对象", on_delete=models.PROTECT, related_name="scores"
    )
    item = models.ForeignKey(
        RubricItem, verbose_name="评分项目", on_delete=models.PROTECT, related_name="scores"
    )
    rater = models.ForeignKey(
        ObservationRater, verbose_name="评委", on_delete=models.PROTECT, related_name="scores"
    )
    points = models.DecimalField("得分", max_digits=5, decimal_places=1)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("录入时间", auto_now=True)

    class Meta:
        verbose_name = "观摩评分"
        verbose_name_plural = "观摩评分"
        constraints = [
            models.UniqueConstraint(fields=["target", "item", "rater"], name="observation_score_unique"),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="observation_score_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.item.name} {self.points}"


# --- 年终总评 --------------------------------------------------------------------------------------------
class Appraisal(models.Model):
    """One year's 年终总评: its indicator tree, hand scores and adjustments; results live in versions."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    title = models.CharField("名称", max_length=100)
    good_from = models.DecimalField("“好”分数线", max_digits=6, decimal_places=2, default=90)
    fairly_good_from = models.DecimalField("“较好”分数线", max_digits=6, decimal_places=2, default=80)
    average_from = models.DecimalField("“一般”分数线", max_digits=6, decimal_places=2, default=60)
    note = models.TextField("说明", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "年终总评"
        verbose_name_plural = "年终总评"
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class IndicatorSource(models.TextChoices):
    MANUAL = "manual", "手工评分"
    COMPLIANCE = "compliance", "组织生活达标率"
    TERM = "term", "按期换届"
    RECTIFICATION = "rectification", "整改按时销号率"
    STUDY = "study", "人均学习学时"
    NOTICE = "notice", "通知按时签收率"
    OBSERVATION = "observation", "半年观摩得分"
    CASES = "cases", "发布品牌案例数"


class Indicator(models.Model):
    """一级 (parent empty) or 二级 indicator. Points of 二级 indicators are relative within their 一级."""

    # Set by appraisal.services.active_tree on 一级 indicators (not a column).
    active_children: list[Indicator]

    appraisal = models.ForeignKey(
        Appraisal, verbose_name="年终总评", on_delete=models.PROTECT, related_name="indicators"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField("指标名称", max_length=60)
    max_points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    source = models.CharField(
        "评分方式", max_length=16, choices=IndicatorSource.choices, default=IndicatorSource.MANUAL
    )
    requirement_key = models.CharField(
        "组织生活要求", max_length=40, blank=True, help_text="达标率指标：要求代码；留空为全部核心要求"
    )
    target = models.DecimalField(
        "满分标准",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="人均学时、案例数：达到此数得满分；留空时学时取年度学时要求、案例数取 1",
    )
    missing_full = models.BooleanField(
        "无数据时得满分", default=True, help_text="不勾选则无数据（如未参加观摩、未收到通知）时得 0 分"
    )
    guidance = models.CharField("评分标准", max_length=300, blank=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["appraisal", "sort", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_points}分）"


class ManualScore(models.Model):
    indicator = models.ForeignKey(
        Indicator, verbose_name="考核指标", on_delete=models.PROTECT, related_name="manual_scores"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="appraisal_scores"
    )
    points = models.DecimalField(
        "得分",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="为空表示评分已清除（未评分）",
    )
    note = models.CharField("评分说明", max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评分人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("评分时间", auto_now=True)

    class Meta:
        verbose_name = "手工评分"
        verbose_name_plural = "手工评分"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "organization"], name="manual_score_unique"),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="manual_score_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.indicator.name} {self.points}"


class AdjustmentKind(models.TextChoices):
    BONUS = "bonus", "加分"
    DEDUCTION = "deduction", "扣分"
    VETO = "veto", "一票否决"


class Adjustment(models.Model):
    appraisal = models.ForeignKey(
        Appraisal, verbose_name="年终总评", on_delete=models.PROTECT, related_name="adjustments"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="appraisal_adjustments"
    )
    kind = models.CharField("类型", max_length=10, choices=AdjustmentKind.choices)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2, default=0)
    reason = models.CharField("事由", max_length=300)
    is_revoked = models.BooleanField("已撤销", default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "加减分及否决事项"
        verbose_name_plural = "加减分及否决事项"
        ordering = ["appraisal", "organization__code", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(points__gte=0), name="adjustment_points_non_negative")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.reason}"


class AppraisalVersion(models.Model):
    """A published result, frozen: every raw value, score, total, grade and rank is stored in `data`."""

    appraisal = models.ForeignKey(
        Appraisal, verbose_name="年终总评", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField("版本号")
    data = models.JSONField("结果快照")
    note = models.CharField("发布说明", max_length=200, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_by_name = models.CharField("发布人名称", max_length=150, blank=True)
    published_at = models.DateTimeField("发布时间")

    class Meta:
        verbose_name = "总评结果版本"
        verbose_name_plural = "总评结果版本"
        ordering = ["appraisal", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "number"], name="appraisal_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.appraisal} 第{self.number}版"
