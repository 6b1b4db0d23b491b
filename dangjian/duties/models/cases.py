"""党建品牌 and 典型经验 cases: submitted by organisations, reviewed, published and marked 典型 by the bureau."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.orgs.models import Organization

from ..workflow import CASE_ACTION_LABELS, CASE_STATUS_LABELS, CaseAction, CaseStatus
from .common import StoredFile, Versioned


class CaseKind(models.TextChoices):
    PRACTICE = "practice", "特色做法"
    BRAND = "brand", "党建品牌"


class BrandCase(Versioned):
    organization = models.ForeignKey(
        Organization, verbose_name="申报党组织", on_delete=models.PROTECT, related_name="brand_cases"
    )
    kind = models.CharField("类别", max_length=10, choices=CaseKind.choices, default=CaseKind.PRACTICE)
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    title = models.CharField("标题", max_length=120)
    brand_name = models.CharField("品牌名称", max_length=60, blank=True)
    story = models.TextField("主要做法")
    results = models.TextField("工作成效")
    status = models.CharField(
        "状态",
        max_length=10,
        choices=[(s.value, CASE_STATUS_LABELS[s]) for s in CaseStatus],
        default=CaseStatus.DRAFT,
        db_index=True,
    )
    review_comment = models.TextField("审核意见", blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    is_exemplary = models.BooleanField("典型", default=False)
    is_deleted = models.BooleanField("已删除", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "党建品牌案例"
        verbose_name_plural = "党建品牌案例"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def status_label(self) -> str:
        return CASE_STATUS_LABELS[CaseStatus(self.status)]


class CaseReview(models.Model):
    """Every step of the flow, with the comment given: the case's history."""

    case = models.ForeignKey(BrandCase, verbose_name="案例", on_delete=models.PROTECT, related_name="reviews")
    action = models.CharField(
        "操作", max_length=10, choices=[(a.value, CASE_ACTION_LABELS[a]) for a in CaseAction]
    )
    from_status = models.CharField("原状态", max_length=10)
    to_status = models.CharField("新状态", max_length=10)
    comment = models.TextField("意见", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "案例审核记录"
        verbose_name_plural = "案例审核记录"
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_action_display()}"


class CasePhoto(StoredFile):
    case = models.ForeignKey(BrandCase, verbose_name="案例", on_delete=models.PROTECT, related_name="photos")
    caption = models.CharField("说明", max_length=100, blank=True)

    class Meta(StoredFile.Meta):
        verbose_name = "案例照片"
        verbose_name_plural = "案例照片"
