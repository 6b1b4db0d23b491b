"""Requirements as data (design §4.1) and exemptions."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models

from dangjian.activities.models import ActivityKind
from dangjian.orgs.models import Organization


class PeriodChoice(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    HALF = "half", "每半年"
    YEAR = "year", "每年"


class Applicability(models.TextChoices):
    """How a requirement decides whether it applies and how it counts (design §4.1)."""

    ORG = "org", "按组织计次"
    COMMITTEE_7 = "committee_7", "正式党员7名以上（须设支委会）的支部"
    EACH_GROUP = "each_group", "每个党小组（无党小组的不适用）"
    ALL_MEMBERS = "all_members", "每名党员（谈心谈话全覆盖）"


class Requirement(models.Model):
    key = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    kind = models.ForeignKey(
        ActivityKind, verbose_name="活动类型", on_delete=models.PROTECT, related_name="requirements"
    )
    org_kinds = models.JSONField("适用组织类别", default=list, help_text="OrgKind 的值列表")
    applicability = models.CharField(
        "适用规则", max_length=20, choices=Applicability.choices, default=Applicability.ORG
    )
    period = models.CharField("周期", max_length=10, choices=PeriodChoice.choices)
    minimum = models.PositiveSmallIntegerField("最少次数", default=1)
    citation = models.CharField("依据", max_length=200)
    citation_status = models.CharField(
        "依据核实状态",
        max_length=1,
        default="V",
        choices=[("V", "已核实原文"), ("S", "地方惯例/可配置"), ("M", "待核实")],
    )
    note = models.TextField("说明", blank=True)
    is_builtin = models.BooleanField("内置", default=False)
    is_core = models.BooleanField("核心要求", default=True, help_text="评先评优时未达标将提示审核人")
    is_active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=100)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "制度要求"
        verbose_name_plural = "制度要求"
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class RequirementRevision(models.Model):
    """One dated version of a requirement's rule (issue 13). It governs the periods that start on or after
    `valid_from` until the next revision's; the requirement row itself mirrors the latest revision's rule."""

    requirement = models.ForeignKey(
        Requirement, verbose_name="制度要求", on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveIntegerField("修订号")
    valid_from = models.DateField("生效起始日期", help_text="自该日开始的周期适用本修订")
    kind = models.ForeignKey(
        ActivityKind, verbose_name="活动类型", on_delete=models.PROTECT, related_name="+"
    )
    org_kinds = models.JSONField("适用组织类别", default=list)
    applicability = models.CharField(
        "适用规则", max_length=20, choices=Applicability.choices, default=Applicability.ORG
    )
    period = models.CharField("周期", max_length=10, choices=PeriodChoice.choices)
    minimum = models.PositiveSmallIntegerField("最少次数", default=1)
    citation = models.CharField("依据", max_length=200)
    citation_status = models.CharField("依据核实状态", max_length=1, default="V")
    reason = models.CharField("修订说明", max_length=300, blank=True)
    is_correction = models.BooleanField("更正既往", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修订人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("修订时间", auto_now_add=True)

    class Meta:
        verbose_name = "制度要求修订"
        verbose_name_plural = "制度要求修订"
        ordering = ["requirement", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["requirement", "number"], name="revision_number_unique"),
            models.UniqueConstraint(fields=["requirement", "valid_from"], name="revision_valid_from_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.requirement} 第{self.number}版（{self.valid_from:%Y-%m-%d}起）"


class Exemption(models.Model):
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="exemptions"
    )
    requirement = models.ForeignKey(
        Requirement, verbose_name="制度要求", on_delete=models.PROTECT, related_name="exemptions"
    )
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    reason = models.CharField("豁免理由", max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField("批准时间", auto_now_add=True)
    revoked = models.BooleanField("已撤销", default=False, db_index=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoke_reason = models.CharField("撤销理由", max_length=300, blank=True)
    revoked_from = models.DateField(
        "撤销生效日期", null=True, blank=True, help_text="自该日起不再豁免；此前已开始的期间仍按豁免统计"
    )
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "豁免"
        verbose_name_plural = "豁免"
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"{self.organization} {self.requirement} {self.starts_on}—{self.ends_on}"

    @property
    def effective_end(self) -> date | None:
        """The last day exempted (valid_to): the end, or the day before a dated revocation; None = nothing."""
        end = self.ends_on
        if self.revoked:
            if self.revoked_from is None:
                return None
            end = min(end, self.revoked_from - timedelta(days=1))
        return end if end >= self.starts_on else None
