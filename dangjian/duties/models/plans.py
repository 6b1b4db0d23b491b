"""工作要点: the bureau's annual plan, its items, progress during the year and the year-end status."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.orgs.models import Organization

from .common import Versioned
from .responsibility import ListStatus


class WorkPlan(Versioned):
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    title = models.CharField("标题", max_length=120)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    issued_on = models.DateField("印发日期", null=True, blank=True)
    preamble = models.TextField("总体要求", blank=True)
    status = models.CharField("状态", max_length=10, choices=ListStatus.choices, default=ListStatus.DRAFT)
    is_deleted = models.BooleanField("已删除", default=False)

    class Meta:
        verbose_name = "工作要点"
        verbose_name_plural = "工作要点"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title


class YearEndStatus(models.TextChoices):
    DONE = "done", "完成"
    MOSTLY = "mostly", "基本完成"
    NOT_DONE = "not_done", "未完成"


YEAR_END_TAGS = {"done": "tag-ok", "mostly": "tag-warn", "not_done": "tag-bad"}


class WorkPlanItem(Versioned):
    plan = models.ForeignKey(
        WorkPlan, verbose_name="工作要点", on_delete=models.PROTECT, related_name="items"
    )
    seq = models.PositiveSmallIntegerField("序号")
    category = models.CharField("类别", max_length=60, blank=True)
    content = models.TextField("工作内容")
    organization = models.ForeignKey(
        Organization, verbose_name="责任单位（党组织）", on_delete=models.PROTECT, related_name="plan_items"
    )
    lead = models.CharField("牵头领导/部门", max_length=100, blank=True)
    deadline = models.DateField("完成时限")
    target = models.CharField("量化目标", max_length=300, help_text="可衡量的目标，如：全年开展主题党日12次")
    year_end_status = models.CharField(
        "年终完成情况", max_length=10, choices=YearEndStatus.choices, blank=True
    )
    year_end_note = models.TextField("年终说明", blank=True)
    assessed_at = models.DateTimeField("评定时间", null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    measure_key = models.CharField(
        "自动取数",
        max_length=80,
        blank=True,
        help_text="选定后，完成情况按平台已有数据自动计算，不再手工填报",
    )
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "工作要点事项"
        verbose_name_plural = "工作要点事项"
        ordering = ["plan", "seq", "id"]

    def __str__(self) -> str:
        text = self.content.strip().splitlines()[0] if self.content.strip() else ""
        return f"{self.seq}. {text[:40]}"


class WorkPlanProgress(models.Model):
    item = models.ForeignKey(
        WorkPlanItem, verbose_name="事项", on_delete=models.PROTECT, related_name="progress"
    )
    reported_on = models.DateField("进展日期")
    text = models.TextField("进展情况")
    percent = models.PositiveSmallIntegerField("完成进度（%）", null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("填报时间", auto_now_add=True)

    class Meta:
        verbose_name = "工作要点进展"
        verbose_name_plural = "工作要点进展"
        ordering = ["item", "-reported_on", "-id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.reported_on}"
