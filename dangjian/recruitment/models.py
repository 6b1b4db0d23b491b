"""发展党员 (design §2 glossary): the person on the way (`Candidate`), the steps recorded for them
(`RecruitmentStep`, the 25 steps of rules.STEPS), a superior's waiver of an interval rule (`IntervalOverride`),
the documents of a step, and the 公示 setting with its holiday calendar. Nothing here is ever deleted: a
candidate who leaves the pipeline is 终止 with a reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.activities.models import Activity
from dangjian.core.files import StoredFile
from dangjian.core.idnumber import mask_id_number, mask_phone
from dangjian.members.choices import Category, Education, Gender
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import rules


class Stage(models.TextChoices):
    APPLICANT = rules.APPLICANT, rules.APPLICANT
    ACTIVIST = rules.ACTIVIST, rules.ACTIVIST
    TARGET = rules.TARGET, rules.TARGET
    PROBATIONARY = rules.PROBATIONARY, rules.PROBATIONARY
    FULL = rules.FULL, rules.FULL
    ENDED = rules.ENDED, rules.ENDED


STEP_CHOICES = [(n, s.title) for n, s in rules.STEPS.items()]


class Candidate(models.Model):
    """A person in the 发展党员 pipeline, handled by one branch. From step 17 on, `member` is the roster record
    created from these facts (入党 dated the day of step 15)."""

    name = models.CharField("姓名", max_length=20)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=12, blank=True)
    id_number = models.CharField("公民身份号码", max_length=18)
    birth_date = models.DateField("出生日期")
    education = models.CharField("学历", max_length=10, choices=Education.choices, blank=True)
    category = models.CharField("人员类别", max_length=6, choices=Category.choices, default=Category.SERVING)
    workplace = models.CharField("工作单位及职务", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    frontline = models.BooleanField("生产、工作一线", default=False)
    organization = models.ForeignKey(
        Organization, verbose_name="所在党支部", on_delete=models.PROTECT, related_name="candidates"
    )
    stage = models.CharField("阶段", max_length=8, choices=Stage.choices, default=Stage.APPLICANT)
    # The dates of the stages (copies of their steps' dates, for lists, reminders and counts).
    applied_on = models.DateField("申请日期")
    activist_on = models.DateField("确定积极分子日期", null=True, blank=True)
    target_on = models.DateField("确定发展对象日期", null=True, blank=True)
    admitted_on = models.DateField("接收预备党员日期", null=True, blank=True, help_text="支部大会通过之日")
    approved_on = models.DateField("上级党委审批日期", null=True, blank=True)
    probation_ends_on = models.DateField("预备期届满日期", null=True, blank=True)
    extension_months = models.PositiveSmallIntegerField("延长预备期（月）", default=0)
    full_on = models.DateField("转正日期", null=True, blank=True)
    archived_on = models.DateField("材料归档日期", null=True, blank=True)
    ended_on = models.DateField("终止日期", null=True, blank=True)
    ended_reason = models.CharField("终止原因", max_length=300, blank=True)
    publicity_start = models.DateField("公示开始日期", null=True, blank=True)
    publicity_end = models.DateField("公示结束日期", null=True, blank=True)
    contacts = models.ManyToManyField(
        Member, verbose_name="培养联系人", blank=True, related_name="mentored_candidates"
    )
    introducers = models.ManyToManyField(
        Member, verbose_name="入党介绍人", blank=True, related_name="introduced_candidates"
    )
    member = models.OneToOneField(
        Member,
        verbose_name="党员名册记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="candidate",
    )
    source = models.CharField(
        "来源", max_length=10, default="manual", choices=[("manual", "逐步登记"), ("import", "导入")]
    )
    imported_through = models.PositiveSmallIntegerField(
        "导入时已办至第几步",
        default=0,
        help_text="导入的对象：此前的步骤视为已办理（rules.IMPORTED_THROUGH）",
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "发展党员对象"
        verbose_name_plural = "发展党员对象"
        ordering = ["organization_id", "applied_on", "id"]
        indexes = [models.Index(fields=["organization", "stage"], name="candidate_org_stage_idx")]
        constraints = [
            # One open pipeline per person; a 终止 one stays, and the person may apply again.
            models.UniqueConstraint(
                fields=["id_number"], condition=~models.Q(stage="终止"), name="candidate_open_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.ENDED and self.archived_on is None


class RecruitmentStep(models.Model):
    """One of the 25 steps recorded for a candidate: its day, who recorded it, the document (a number or an
    upload) and what the step carries (the deciding body, the votes, the training hours …)."""

    candidate = models.ForeignKey(
        Candidate, verbose_name="发展党员对象", on_delete=models.PROTECT, related_name="steps"
    )
    number = models.PositiveSmallIntegerField("步骤", choices=STEP_CHOICES)
    date = models.DateField("日期")
    outcome = models.CharField("结论/决议", max_length=12, blank=True)
    body = models.CharField("决定机构", max_length=8, blank=True, help_text="支部委员会或支部大会")
    activity = models.ForeignKey(
        Activity,
        verbose_name="会议记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recruitment_steps",
    )
    votes_for = models.PositiveIntegerField("赞成票", null=True, blank=True)
    details = models.JSONField("其他情况", default=dict, blank=True)
    document_no = models.CharField("文件编号", max_length=100, blank=True)
    notes = models.TextField("说明", blank=True)
    late = models.BooleanField("逾期办理", default=False)
    late_note = models.CharField("逾期情况", max_length=200, blank=True)
    override = models.OneToOneField(
        "IntervalOverride",
        verbose_name="例外批准",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="step",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by_name = models.CharField("登记人名称", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "发展党员步骤"
        verbose_name_plural = "发展党员步骤"
        ordering = ["candidate", "date", "number", "id"]
        indexes = [models.Index(fields=["candidate", "number"], name="recruitment_step_cand_idx")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.step.title}"

    @property
    def step(self) -> rules.StepDef:
        return rules.STEPS[self.number]


class StepDocument(StoredFile):
    step = models.ForeignKey(
        RecruitmentStep, verbose_name="步骤", on_delete=models.PROTECT, related_name="documents"
    )

    class Meta(StoredFile.Meta):
        verbose_name = "发展党员材料"
        verbose_name_plural = "发展党员材料"


class IntervalOverride(models.Model):
    """A superior's waiver of one interval rule (rules.Kind.INTERVAL) for one step of one candidate, with its
    reason; used by the step recorded under it (`step`)."""

    candidate = models.ForeignKey(
        Candidate, verbose_name="发展党员对象", on_delete=models.PROTECT, related_name="overrides"
    )
    number = models.PositiveSmallIntegerField("步骤", choices=STEP_CHOICES)
    reason = models.CharField("理由", max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_by_name = models.CharField("批准人名称", max_length=150, blank=True)
    granted_at = models.DateTimeField("批准时间", auto_now_add=True)

    class Meta:
        verbose_name = "时限例外"
        verbose_name_plural = "时限例外"
        ordering = ["candidate", "granted_at", "id"]

    def __str__(self) -> str:
        return f"{rules.STEPS[self.number].title}：{self.reason}"


class RecruitmentSettings(models.Model):
    """The bureau's settings of the pipeline (one row)."""

    publicity_workdays = models.PositiveSmallIntegerField(
        "发展对象公示（工作日）",
        default=rules.DEFAULT_PUBLICITY_WORKDAYS,
        help_text="预审前对发展对象公示的最少工作日数（地方惯例，默认5个工作日）",
    )
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "发展党员设置"
        verbose_name_plural = "发展党员设置"

    def __str__(self) -> str:
        return f"公示 {self.publicity_workdays} 个工作日"

    @classmethod
    def current(cls) -> RecruitmentSettings:
        row = cls.objects.filter(pk=1).first()
        return row if row is not None else cls(pk=1)


class Holiday(models.Model):
    """A day of the holiday calendar: a public holiday (no work), or a weekend day worked instead (调休)."""

    date = models.DateField("日期", unique=True)
    name = models.CharField("名称", max_length=40)
    is_workday = models.BooleanField("调休上班", default=False, help_text="勾选表示该周末日为工作日")

    class Meta:
        verbose_name = "节假日"
        verbose_name_plural = "节假日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class RecruitmentPlan(models.Model):
    """The yearly 发展党员计划 of an organisation: its 名额 and the share it means to find among 生产工作一线, 青年
    (35 and under) and 高知识群体 (大专及以上)."""

    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="recruitment_plans"
    )
    year = models.PositiveSmallIntegerField("年度")
    quota = models.PositiveSmallIntegerField("发展名额")
    frontline = models.PositiveSmallIntegerField("其中：生产、工作一线", default=0)
    youth = models.PositiveSmallIntegerField("其中：35岁及以下青年", default=0)
    educated = models.PositiveSmallIntegerField("其中：大专及以上学历", default=0)
    note = models.CharField("说明", max_length=300, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "发展党员计划"
        verbose_name_plural = "发展党员计划"
        ordering = ["year", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="recruitment_plan_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.organization} 发展名额 {self.quota}"
