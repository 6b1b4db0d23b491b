"""Rules the bureau edits: for each problem the report can detect, whether it is on, its threshold, and the
paragraphs of 原因分析 and 思考和建议 it contributes when found."""

from __future__ import annotations

from django.db import models


class ReportRule(models.Model):
    key = models.SlugField("问题代码", max_length=40, unique=True)
    title = models.CharField("问题名称", max_length=60)
    enabled = models.BooleanField("启用", default=True)
    threshold = models.FloatField("阈值", default=0, help_text="含义见说明，如比例（0–1）或件数")
    threshold_help = models.CharField("阈值说明", max_length=100, blank=True)
    cause = models.TextField("原因分析", help_text="发现该问题时写入“原因分析”的段落")
    suggestion = models.TextField("思考和建议", help_text="发现该问题时写入“思考和建议”的段落")
    sort = models.PositiveSmallIntegerField("排序", default=100)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "报告分析规则"
        verbose_name_plural = "报告分析规则"
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.title
