"""制度库: the bureau's rules as versioned documents, and what cites them (a generic relation, so that duties
never imports the apps below it that cite a rule, e.g. supervision's checklist items)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from dangjian.orgs.models import Organization

from .common import Versioned


class RuleCategory(models.TextChoices):
    RESPONSIBILITY = "responsibility", "责任清单"
    SYSTEM = "system", "工作制度"
    PROCEDURE = "procedure", "工作规程"
    OTHER = "other", "其他"


class RuleDocument(Versioned):
    title = models.CharField("制度名称", max_length=150, help_text="随现行版本更新")
    category = models.CharField(
        "类别", max_length=20, choices=RuleCategory.choices, default=RuleCategory.SYSTEM
    )
    issuer = models.ForeignKey(
        Organization, verbose_name="制发党组织", on_delete=models.PROTECT, related_name="rule_documents"
    )
    is_repealed = models.BooleanField("已废止", default=False)
    repealed_on = models.DateField("废止日期", null=True, blank=True)

    class Meta:
        verbose_name = "制度"
        verbose_name_plural = "制度库"
        ordering = ["category", "title", "id"]

    def __str__(self) -> str:
        return self.title


class RuleVersion(models.Model):
    document = models.ForeignKey(
        RuleDocument, verbose_name="制度", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField("版本号")
    title = models.CharField("标题", max_length=150)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    issued_on = models.DateField("印发日期")
    effective_on = models.DateField("施行日期")
    body = models.TextField("正文")
    change_note = models.CharField("修订说明", max_length=300, blank=True)
    is_current = models.BooleanField("现行版本", default=True)
    superseded_on = models.DateField("被替代日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "制度版本"
        verbose_name_plural = "制度版本"
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="rule_version_number_unique"),
            models.UniqueConstraint(
                fields=["document"], condition=models.Q(is_current=True), name="one_current_rule_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.number}版）"


class RuleCitation(models.Model):
    """A requirement, checklist item, … that enforces a rule document."""

    document = models.ForeignKey(
        RuleDocument, verbose_name="制度", on_delete=models.PROTECT, related_name="citations"
    )
    content_type = models.ForeignKey(ContentType, verbose_name="引用对象类型", on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField("引用对象编号")
    target = GenericForeignKey("content_type", "object_id")
    clause = models.CharField("条款", max_length=100, blank=True, help_text="如：第三条")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="添加人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("添加时间", auto_now_add=True)
    is_deleted = models.BooleanField("已移除", default=False)

    class Meta:
        verbose_name = "制度引用"
        verbose_name_plural = "制度引用"
        ordering = ["document", "content_type", "object_id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="rule_citation_target_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "content_type", "object_id"],
                condition=models.Q(is_deleted=False),
                name="one_live_citation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} ← {self.content_type.model}#{self.object_id}"
