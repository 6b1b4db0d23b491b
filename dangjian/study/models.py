"""学习记录 and the yearly thresholds (rules.md §9: 32 学时 for members, 56 for secretaries and committee members)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from dangjian.activities.models import Activity
from dangjian.members.models import Member


class StudyForm(models.TextChoices):
    COLLECTIVE = "集体学习", "集体学习"
    SELF = "个人自学", "个人自学"
    TUTORIAL = "专题辅导", "专题辅导"
    SITE = "现场教学", "现场教学"
    ONLINE = "网络平台", "网络平台"


FORM_SYNONYMS = {
    "集体学习": StudyForm.COLLECTIVE,
    "集中学习": StudyForm.COLLECTIVE,
    "个人自学": StudyForm.SELF,
    "自学": StudyForm.SELF,
    "专题辅导": StudyForm.TUTORIAL,
    "专题讲座": StudyForm.TUTORIAL,
    "现场教学": StudyForm.SITE,
    "红色教育": StudyForm.SITE,
    "网络平台": StudyForm.ONLINE,
    "学习强国": StudyForm.ONLINE,
    "网络学习": StudyForm.ONLINE,
    "网上学习": StudyForm.ONLINE,
    "干部网络学院": StudyForm.ONLINE,
    "共产党员网": StudyForm.ONLINE,
}


class StudyRecord(models.Model):
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="study_records"
    )
    date = models.DateField("日期", db_index=True)
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    content = models.CharField("学习内容", max_length=200)
    form = models.CharField("学习形式", max_length=6, choices=StudyForm.choices)
    source = models.CharField(
        "来源",
        max_length=10,
        default="manual",
        choices=[("manual", "手工录入"), ("import", "平台导入"), ("self", "本人填报")],
    )
    is_deleted = models.BooleanField("已作废", default=False)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "学习记录"
        verbose_name_plural = "学习记录"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["member", "date"], name="study_member_date_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "date", "content", "form"],
                condition=models.Q(is_deleted=False),
                name="study_record_natural_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.date:%Y-%m-%d} {self.content}（{self.hours}学时）"


class StudyConfig(models.Model):
    """One row: the thresholds and reminder settings the bureau may change (defaults from rules.md §9)."""

    member_hours = models.DecimalField(
        "党员年度学时要求", max_digits=5, decimal_places=1, default=Decimal("32")
    )
    leader_hours = models.DecimalField(
        "书记和班子成员年度学时要求", max_digits=5, decimal_places=1, default=Decimal("56")
    )
    activity_hours = models.DecimalField(
        "每次学习类活动默认学时",
        max_digits=4,
        decimal_places=1,
        default=Decimal("2"),
        help_text="活动记录未填学时时，参加者按此计入",
    )
    remind_from_month = models.PositiveSmallIntegerField(
        "从几月起提醒学时不足", default=10, help_text="默认第四季度（10月）起提醒"
    )
    citation = models.CharField(
        "依据", max_length=200, default="《2019—2023年全国党员教育培训工作规划》（地方可调整，S）"
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
        verbose_name = "学时设置"
        verbose_name_plural = "学时设置"

    def __str__(self) -> str:
        return f"党员 {self.member_hours} 学时，书记和班子成员 {self.leader_hours} 学时"

    @classmethod
    def current(cls) -> StudyConfig:
        """The saved settings, or the defaults (unsaved: reading never writes, so that a page or a memoised
        figure that reads the settings does not change the data versions it is keyed on)."""
        obj = cls.objects.order_by("id").first()
        return obj if obj is not None else cls()


__all__ = ["Activity", "StudyConfig", "StudyForm", "StudyRecord"]
