"""月度重点工作通知 and other notices: issue → 签收 → 反馈, tracked per target organisation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from dangjian.orgs.models import Organization

from ..tracking import DEFAULT_ACK_DAYS, TargetStatus, target_status
from .common import StoredFile, Versioned


class NoticeKind(models.TextChoices):
    MONTHLY = "monthly", "月度重点工作通知"
    GENERAL = "general", "其他通知"


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ISSUED = "issued", "已下发"
    WITHDRAWN = "withdrawn", "已撤销"


class TargetMode(models.TextChoices):
    ALL = "all", "全部党组织"
    KINDS = "kinds", "按组织类别"
    CHOSEN = "chosen", "指定党组织"


class Notice(Versioned):
    kind = models.CharField("通知类别", max_length=10, choices=NoticeKind.choices, default=NoticeKind.MONTHLY)
    title = models.CharField("标题", max_length=150)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    body = models.TextField("正文")
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    month = models.PositiveSmallIntegerField("月份", null=True, blank=True, help_text="月度通知所属月份")
    issuer = models.ForeignKey(
        Organization, verbose_name="发文党组织", on_delete=models.PROTECT, related_name="issued_notices"
    )
    target_mode = models.CharField(
        "下发范围", max_length=10, choices=TargetMode.choices, default=TargetMode.KINDS
    )
    target_kinds = models.JSONField("组织类别", default=list, blank=True, help_text="OrgKind 的值列表")
    chosen_orgs = models.ManyToManyField(
        Organization, verbose_name="指定党组织", blank=True, related_name="+"
    )
    deadline = models.DateField("反馈截止日期")
    requires_feedback = models.BooleanField("需要反馈", default=True)
    ack_days = models.PositiveSmallIntegerField(
        "签收时限（天）", default=DEFAULT_ACK_DAYS, help_text="下发后几日内签收"
    )
    status = models.CharField("状态", max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    issued_at = models.DateTimeField("下发时间", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="下发人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="拟稿人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-year", "-month", "-id"]
        indexes = [models.Index(fields=["status", "year", "month"], name="notice_status_ym_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def issued_on(self):
        return timezone.localdate(self.issued_at) if self.issued_at else None


class NoticeTarget(Versioned):
    """One organisation a notice was delivered to, materialised when the notice was issued."""

    notice = models.ForeignKey(Notice, verbose_name="通知", on_delete=models.PROTECT, related_name="targets")
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="notice_targets"
    )
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签收人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ack_proxy_note = models.CharField(
        "代签收方式及理由",
        max_length=200,
        blank=True,
        help_text="由上级代为签收时填写（如：电话确认）；空表示本组织自行签收",
    )
    feedback_text = models.TextField("反馈内容", blank=True)
    feedback_proxy_note = models.CharField("代反馈方式及理由", max_length=200, blank=True)
    fed_back_at = models.DateTimeField("反馈时间", null=True, blank=True)
    fed_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="反馈人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "通知签收反馈"
        verbose_name_plural = "通知签收反馈"
        ordering = ["notice", "organization__path"]
        constraints = [models.UniqueConstraint(fields=["notice", "organization"], name="one_target_per_org")]

    def __str__(self) -> str:
        return f"{self.notice} → {self.organization}"

    @property
    def acknowledged_on(self):
        return timezone.localdate(self.acknowledged_at) if self.acknowledged_at else None

    @property
    def fed_back_on(self):
        return timezone.localdate(self.fed_back_at) if self.fed_back_at else None

    def status_on(self, as_of) -> TargetStatus:
        return target_status(
            deadline=self.notice.deadline,
            acknowledged_on=self.acknowledged_on,
            fed_back_on=self.fed_back_on,
            as_of=as_of,
            requires_feedback=self.notice.requires_feedback,
        )


class NoticeAttachment(StoredFile):
    notice = models.ForeignKey(
        Notice, verbose_name="通知", on_delete=models.PROTECT, related_name="attachments"
    )

    class Meta(StoredFile.Meta):
        verbose_name = "通知附件"
        verbose_name_plural = "通知附件"


class FeedbackFile(StoredFile):
    target = models.ForeignKey(
        NoticeTarget, verbose_name="签收反馈", on_delete=models.PROTECT, related_name="files"
    )

    class Meta(StoredFile.Meta):
        verbose_name = "反馈佐证材料"
        verbose_name_plural = "反馈佐证材料"


class NoticeTemplate(Versioned):
    """Prefills the start-of-month notice. Placeholders: {year} {month} {deadline} (反馈截止日期)."""

    name = models.CharField("模板名称", max_length=60)
    title_template = models.CharField(
        "标题模板", max_length=150, default="关于做好{year}年{month}月份党建重点工作的通知"
    )
    body_template = models.TextField("正文模板")
    deadline_day = models.PositiveSmallIntegerField(
        "反馈截止日", default=25, help_text="当月几日前反馈（1—28）"
    )
    doc_number_template = models.CharField(
        "文号模板", max_length=60, blank=True, help_text="如：商党〔{year}〕{month}号"
    )
    is_default = models.BooleanField("默认模板", default=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "通知模板"
        verbose_name_plural = "通知模板"
        ordering = ["-is_default", "id"]

    def __str__(self) -> str:
        return self.name
