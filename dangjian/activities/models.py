"""Organisational life: activity records, their kinds, attendance, attachments, review (design §2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from dangjian.core.files import StoredFile
from dangjian.members.models import Member
from dangjian.orgs.models import Organization, PartyGroup


class KindAudience(models.TextChoices):
    """Who is expected at a record of this kind: the attendance list is drawn from them."""

    ALL = "all", "全体党员"
    COMMITTEE = "committee", "支部委员"
    GROUP = "group", "党小组成员"
    TALK = "talk", "谈话双方"


class ActivityKind(models.Model):
    """支部党员大会, 支部委员会会议, … and kinds the bureau adds. `key` is stable; names may be edited."""

    key = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    synonyms = models.CharField(
        "同义写法", max_length=200, blank=True, help_text="用顿号分隔，导入台账时识别"
    )
    is_builtin = models.BooleanField("内置", default=False)
    needs_quorum = models.BooleanField(
        "须达法定人数", default=False, help_text="实到须超过有表决权党员的半数"
    )
    is_talk = models.BooleanField("谈心谈话", default=False, help_text="记录谈话双方")
    credits_study = models.BooleanField("计入学时", default=False, help_text="参加者自动计入学习记录")
    audience = models.CharField(
        "应到范围", max_length=10, choices=KindAudience.choices, default=KindAudience.ALL
    )
    needs_speaker = models.BooleanField("记录主讲人", default=False, help_text="如党课、专题辅导")
    needs_site = models.BooleanField("记录教学地点", default=False, help_text="如现场教学")
    sort = models.PositiveSmallIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "活动类型"
        verbose_name_plural = "活动类型"
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


BUILTIN_KINDS = [
    # key, name, synonyms, needs_quorum, is_talk, credits_study
    ("branch_assembly", "支部党员大会", "党员大会、支部大会", True, False, False),
    ("branch_committee", "支部委员会会议", "支委会、支委会议", False, False, False),
    ("group_meeting", "党小组会", "党小组会议", False, False, False),
    ("party_lecture", "党课", "讲党课", False, False, True),
    ("theme_day", "主题党日", "主题党日活动", False, False, False),
    ("org_life_meeting", "组织生活会", "", False, False, False),
    ("member_appraisal", "民主评议党员", "民主评议", False, False, False),
    ("heart_talk", "谈心谈话", "谈话", False, True, False),
    ("collective_study", "集体学习", "理论学习、中心组学习", False, False, True),
    ("site_teaching", "现场教学", "红色教育", False, False, True),
    ("tutorial", "专题辅导", "专题讲座、专家辅导", False, False, True),
]


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", "未提交"
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已通过"
    RETURNED = "returned", "已退回"


class Activity(models.Model):
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="activities"
    )
    party_group = models.ForeignKey(
        PartyGroup,
        verbose_name="党小组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    kinds = models.ManyToManyField(ActivityKind, verbose_name="活动类型", related_name="activities")
    date = models.DateField("日期", db_index=True)
    # Optional: the QR 签到 window runs from an hour before the start to the end (rules.checkin_window).
    start_time = models.TimeField("开始时间", null=True, blank=True)
    end_time = models.TimeField("结束时间", null=True, blank=True)
    place = models.CharField("地点", max_length=100, blank=True)
    topic = models.CharField("主题", max_length=200)
    host = models.CharField("主持人", max_length=40, blank=True)
    speaker = models.CharField("主讲人", max_length=40, blank=True)
    site = models.CharField("教学地点/基地", max_length=100, blank=True)
    expected = models.PositiveIntegerField("应到人数", default=0)
    present = models.PositiveIntegerField("实到人数", default=0)
    voting_expected = models.PositiveIntegerField("有表决权应到人数", default=0)
    voting_present = models.PositiveIntegerField("有表决权实到人数", default=0)
    quorum_met = models.BooleanField("达到法定人数", null=True, blank=True)
    minutes = models.TextField("会议记录/内容摘要", blank=True)
    resolutions = models.TextField("决议事项", blank=True)
    talk_a = models.ForeignKey(
        Member, verbose_name="谈话人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    talk_b = models.ForeignKey(
        Member, verbose_name="谈话对象", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1, null=True, blank=True)
    status = models.CharField(
        "审核状态", max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_comment = models.CharField("审核意见", max_length=300, blank=True)
    source = models.CharField(
        "来源", max_length=10, default="manual", choices=[("manual", "手工录入"), ("import", "台账导入")]
    )
    import_key = models.CharField("导入键", max_length=64, blank=True, db_index=True)
    absence_note = models.TextField("缺席人员及原因（台账原文）", blank=True)
    # Set when the secretary starts QR 签到: from then on whoever has not scanned is 未签到 (absent, no reason
    # yet) until they scan or the secretary records a reason by hand (services.open_checkin / check_in).
    checkin_opened_at = models.DateTimeField("扫码签到开始时间", null=True, blank=True)
    is_deleted = models.BooleanField("已作废", default=False, db_index=True)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "组织生活记录"
        verbose_name_plural = "组织生活记录"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organization", "date"], name="activity_org_date_idx")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.topic}"

    @property
    def is_locked(self) -> bool:
        return self.status == ActivityStatus.APPROVED

    @property
    def counts(self) -> bool:
        """Whether the record counts towards the requirements (a 党员大会 without a quorum does not)."""
        return not self.is_deleted and self.quorum_met is not False


class AbsenceReason(models.TextChoices):
    DUTY = "因公", "因公"
    ILLNESS = "因病", "因病"
    PERSONAL = "事假", "事假"
    OTHER = "其他", "其他"


class Attendance(models.Model):
    # No single-column indexes on the two keys: "attendance_unique" (activity, member) and
    # "attendance_member_idx" (member, present) lead with them and serve the same lookups, and every index is
    # written for each of the millions of rows a 台账 import inserts.
    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="attendance", db_index=False
    )
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="attendance", db_index=False
    )
    present = models.BooleanField("出席", default=True)
    absence_reason = models.CharField("缺席原因", max_length=4, choices=AbsenceReason.choices, blank=True)
    note = models.CharField("备注", max_length=100, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)

    class Meta:
        verbose_name = "出勤"
        verbose_name_plural = "出勤"
        constraints = [models.UniqueConstraint(fields=["activity", "member"], name="attendance_unique")]
        indexes = [models.Index(fields=["member", "present"], name="attendance_member_idx")]

    def __str__(self) -> str:
        return (
            f"{self.member} {'出席' if self.present else '缺席（' + (self.absence_reason or '未签到') + '）'}"
        )

    @property
    def not_checked_in(self) -> bool:
        """未签到: QR 签到 was started, the member has not scanned, and no reason has been recorded by hand."""
        return not self.present and not self.absence_reason


class Attachment(StoredFile):
    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.PROTECT, related_name="attachments"
    )

    class Meta(StoredFile.Meta):
        verbose_name = "附件"
        verbose_name_plural = "附件"


class ReviewAction(models.TextChoices):
    SUBMIT = "submit", "提交审核"
    WITHDRAW = "withdraw", "撤回"
    APPROVE = "approve", "审核通过"
    RETURN = "return", "退回"
    EDIT_LOCKED = "edit_locked", "修改已通过的记录"
    VOID = "void", "作废"
    REQUEST_CHANGE = "request_change", "申请修改或作废"
    REJECT_CHANGE = "reject_change", "驳回变更申请"


class ReviewStep(models.Model):
    """One step of a record's review history (submit, approve, return, …), shown on the record page."""

    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.PROTECT, related_name="review_steps"
    )
    action = models.CharField("操作", max_length=16, choices=ReviewAction.choices)
    from_status = models.CharField("原状态", max_length=10, choices=ActivityStatus.choices)
    to_status = models.CharField("新状态", max_length=10, choices=ActivityStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人名称", max_length=150, blank=True)
    comment = models.CharField("意见/原因", max_length=300, blank=True)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["activity", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.comment}"


# The bureau's own meetings (issue 13 part 6): kind key → the detail fields its record carries.
BUREAU_MEETING_FIELDS: dict[str, tuple[str, ...]] = {
    "annual_conference": ("attendees", "deployment"),
    "leadership_life_meeting": ("attendees", "opinions_solicited", "self_examination", "rectification_list"),
    "center_group_study": ("attendees", "study_subjects"),
}


class BureauMeeting(models.Model):
    """What a 年度党建工作会议, a 党组民主生活会 or a 党组理论学习中心组学习 records beyond an ordinary activity."""

    activity = models.OneToOneField(
        Activity, verbose_name="活动记录", on_delete=models.PROTECT, related_name="bureau_meeting"
    )
    attendees = models.TextField(
        "参会人员", blank=True, help_text="如：局党组书记、党组成员，局属各党组织书记"
    )
    deployment = models.TextField(
        "部署的重点工作", blank=True, help_text="会议安排的全年工作、印发的工作要点"
    )
    study_subjects = models.TextField("学习篇目/专题", blank=True, help_text="一行一项")
    opinions_solicited = models.TextField(
        "会前征求意见", blank=True, help_text="征求意见的范围、方式和收集到的意见建议"
    )
    self_examination = models.TextField(
        "对照检查", blank=True, help_text="对照检查材料的主要内容和查摆的问题"
    )
    rectification_list = models.TextField(
        "整改清单", blank=True, help_text="一行一项：问题、措施、责任人、时限"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "党组会议情况"
        verbose_name_plural = "党组会议情况"

    def __str__(self) -> str:
        return f"{self.activity}"

    @property
    def rectification_items(self) -> list[str]:
        return [line.strip() for line in self.rectification_list.splitlines() if line.strip()]


class ChangeKind(models.TextChoices):
    VOID = "void", "作废"
    EDIT = "edit", "修改"


class ChangeState(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    WITHDRAWN = "withdrawn", "已撤回"


class ChangeRequest(models.Model):
    """A request to void or edit an approved record (issue 13): the record stays as it is, and keeps counting,
    until a reviewer of its organisation approves; `payload` holds the proposed record for an edit."""

    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.PROTECT, related_name="change_requests"
    )
    kind = models.CharField("申请类别", max_length=10, choices=ChangeKind.choices)
    reason = models.CharField("申请理由", max_length=300)
    payload = models.JSONField("拟修改内容", default=dict, blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=ChangeState.choices, default=ChangeState.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_comment = models.CharField("审批意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "变更申请"
        verbose_name_plural = "变更申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity"],
                condition=models.Q(state="pending"),
                name="one_pending_change_per_activity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}申请 {self.activity}"
