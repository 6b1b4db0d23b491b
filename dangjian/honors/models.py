"""述职评议 (SecretaryReview), 民主评议党员 results, and 两优一先 (Honor) — design §2, rules.md §2, §6, §7."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from dangjian.members.models import Member
from dangjian.orgs.models import Organization

# ---------------------------------------------------------------------------------------------- 述职评议


class ReviewGrade(models.TextChoices):
    GOOD = "好", "好"
    FAIRLY_GOOD = "较好", "较好"
    AVERAGE = "一般", "一般"
    POOR = "差", "差"


class ReviewRound(models.Model):
    """An annual round of 述职评议 (述职办法; grades 好/较好/一般/差, rules.md §6)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    title = models.CharField("名称", max_length=100)
    meeting_on = models.DateField("述职评议会议日期", null=True, blank=True)
    is_open = models.BooleanField("测评进行中", default=False)
    is_closed = models.BooleanField("测评已结束", default=False)
    # Tallies stay hidden until the round is closed and then published: a tally seen while voting is open,
    # compared before and after one person votes, would show that person's grades.
    is_published = models.BooleanField("结果已公布", default=False)
    # The overall grade rule (configurable; defaults are a common local practice, rules.md §6 "S").
    good_share = models.PositiveSmallIntegerField("评为“好”需“好”票占比不低于（%）", default=60)
    fairly_good_share = models.PositiveSmallIntegerField("评为“较好”需“好+较好”票占比不低于（%）", default=60)
    poor_share = models.PositiveSmallIntegerField("“差”票占比达到（%）即评为“差”", default=34)
    evaluators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="测评人", blank=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "述职评议"
        verbose_name_plural = "述职评议"
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class ReviewReport(models.Model):
    """A secretary's 述职报告 in a round."""

    round = models.ForeignKey(
        ReviewRound, verbose_name="述职评议", on_delete=models.PROTECT, related_name="reports"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="review_reports"
    )
    secretary_name = models.CharField("书记姓名", max_length=40)
    secretary_id_number = models.CharField("书记身份证号", max_length=18, blank=True)
    text = models.TextField("述职报告", blank=True)
    file = models.FileField("报告文件", upload_to="honors/reports/%Y/", blank=True)
    file_name = models.CharField("原文件名", max_length=200, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "述职报告"
        verbose_name_plural = "述职报告"
        ordering = ["round", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["round", "organization"], name="one_report_per_org_round")
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.secretary_name}述职"


class Ballot(models.Model):
    """One anonymous vote: it records the grade and nothing of the voter (who voted is kept apart, in VoterRoll)."""

    # A random key: the row order says nothing about who voted when.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(
        ReviewReport, verbose_name="述职报告", on_delete=models.PROTECT, related_name="ballots"
    )
    grade = models.CharField("评价", max_length=2, choices=ReviewGrade.choices)

    class Meta:
        verbose_name = "测评票"
        verbose_name_plural = "测评票"

    def __str__(self) -> str:
        return self.grade


class VoterRoll(models.Model):
    """Who has voted in a round (never what): the unique constraint makes a second vote impossible."""

    round = models.ForeignKey(
        ReviewRound, verbose_name="述职评议", on_delete=models.PROTECT, related_name="voters"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="测评人", on_delete=models.PROTECT, related_name="+"
    )
    voted_on = models.DateField("投票日期", auto_now_add=True)

    class Meta:
        verbose_name = "测评人名单"
        verbose_name_plural = "测评人名单"
        constraints = [models.UniqueConstraint(fields=["round", "voter"], name="vote_once_per_round")]

    def __str__(self) -> str:
        return f"{self.round} {self.voter}"


# ---------------------------------------------------------------------------------------------- 民主评议党员


class AppraisalGrade(models.TextChoices):
    EXCELLENT = "优秀", "优秀"
    QUALIFIED = "合格", "合格"
    BASIC = "基本合格", "基本合格"
    UNQUALIFIED = "不合格", "不合格"


class MemberGrade(models.Model):
    """A member's 民主评议党员 result for a year (支部条例 第十八条; grades per 中组部, rules.md §2)."""

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="appraisal_grades"
    )
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    grade = models.CharField("评定等次", max_length=4, choices=AppraisalGrade.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name="评议党支部", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "民主评议结果"
        verbose_name_plural = "民主评议结果"
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="one_grade_per_member_year")]

    def __str__(self) -> str:
        return f"{self.member} {self.year} {self.grade}"


# ---------------------------------------------------------------------------------------------- 两优一先


class HonorCategory(models.TextChoices):
    MEMBER = "优秀共产党员", "优秀共产党员"
    WORKER = "优秀党务工作者", "优秀党务工作者"
    ORG = "先进基层党组织", "先进基层党组织"


class HonorRound(models.Model):
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("名称", max_length=100)
    opens_on = models.DateField("推荐开始日期")
    closes_on = models.DateField("推荐截止日期")
    publicity_days = models.PositiveSmallIntegerField("公示期（工作日）", default=5)
    quota_note = models.CharField("名额说明", max_length=200, blank=True)
    awarded_on = models.DateField("表彰日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "两优一先评选"
        verbose_name_plural = "两优一先评选"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title


class NominationStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "审核通过"
    PUBLICITY = "publicity", "公示中"
    AWARDED = "awarded", "已表彰"
    REJECTED = "rejected", "未通过"


class Nomination(models.Model):
    round = models.ForeignKey(
        HonorRound, verbose_name="评选", on_delete=models.PROTECT, related_name="nominations"
    )
    category = models.CharField("类别", max_length=8, choices=HonorCategory.choices)
    member = models.ForeignKey(
        Member, verbose_name="推荐党员", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="推荐（或被推荐）党组织",
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    deeds = models.TextField("主要事迹")
    status = models.CharField(
        "状态", max_length=10, choices=NominationStatus.choices, default=NominationStatus.SUBMITTED
    )
    review_comment = models.CharField("审核意见", max_length=300, blank=True)
    flags = models.JSONField("提示审核人的问题", default=list, blank=True)
    publicity_from = models.DateField("公示开始", null=True, blank=True)
    publicity_until = models.DateField("公示截止", null=True, blank=True)
    nominated_by = models.CharField("推荐人", max_length=150, blank=True)
    created_at = models.DateTimeField("推荐时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "推荐对象"
        verbose_name_plural = "推荐对象"
        ordering = ["round", "category", "id"]

    def __str__(self) -> str:
        return f"{self.category}：{self.member or self.organization}"

    @property
    def nominee_name(self) -> str:
        return self.member.name if self.member_id else self.organization.name


class Objection(models.Model):
    nomination = models.ForeignKey(
        Nomination, verbose_name="推荐对象", on_delete=models.PROTECT, related_name="objections"
    )
    received_on = models.DateField("收到日期")
    content = models.TextField("反映内容")
    handling = models.TextField("核查处理情况", blank=True)
    upheld = models.BooleanField("反映属实", null=True, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"

    def __str__(self) -> str:
        return f"{self.nomination} 异议"


class HonorLevel(models.TextChoices):
    BUREAU = "本局", "本局"
    COUNTY = "县级", "县（区）级"
    CITY = "市级", "市级"
    PROVINCE = "省级", "省级"
    NATIONAL = "全国", "全国"


class Honor(models.Model):
    """Every honour a member or organisation holds — awarded here or by a higher level."""

    category = models.CharField("类别", max_length=20)
    title = models.CharField("荣誉称号", max_length=100)
    level = models.CharField("级别", max_length=4, choices=HonorLevel.choices, default=HonorLevel.BUREAU)
    member = models.ForeignKey(
        Member, verbose_name="党员", null=True, blank=True, on_delete=models.PROTECT, related_name="honors"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honors",
    )
    awarded_on = models.DateField("表彰日期")
    awarded_by = models.CharField("表彰机关", max_length=100)
    nomination = models.OneToOneField(
        Nomination,
        verbose_name="来源推荐",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honor",
    )
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "表彰荣誉"
        verbose_name_plural = "表彰荣誉"
        ordering = ["-awarded_on", "id"]

    def __str__(self) -> str:
        return f"{self.awarded_on:%Y} {self.title}"
