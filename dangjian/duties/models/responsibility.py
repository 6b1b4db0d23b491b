"""责任体系 and 责任清单: the leading group, first responsible persons, duty lists, items and completion reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.orgs.models import Organization, Unit

from ..cadence import CADENCE_LABELS, Cadence, time_limit_text
from .common import StoredFile, Versioned


class LeadingGroup(Versioned):
    """党建工作领导小组 (the bureau's; an organisation may set up its own)."""

    organization = models.ForeignKey(
        Organization, verbose_name="所属党组织", on_delete=models.PROTECT, related_name="leading_groups"
    )
    name = models.CharField("名称", max_length=100)
    doc_number = models.CharField("成立文号", max_length=60, blank=True)
    established_on = models.DateField("成立日期", null=True, blank=True)
    office_location = models.CharField(
        "办公室设在", max_length=100, blank=True, help_text="如：领导小组办公室设在局机关党委"
    )
    responsibilities = models.TextField("主要职责", blank=True)
    is_active = models.BooleanField("存续", default=True)

    class Meta:
        verbose_name = "党建工作领导小组"
        verbose_name_plural = "党建工作领导小组"
        ordering = ["organization__path", "id"]

    def __str__(self) -> str:
        return self.name


class GroupRole(models.TextChoices):
    LEADER = "leader", "组长"
    DEPUTY = "deputy", "副组长"
    MEMBER = "member", "成员"
    OFFICE_HEAD = "office_head", "办公室主任"
    OFFICE_STAFF = "office_staff", "办公室工作人员"


GROUP_ROLE_ORDER = {r.value: i for i, r in enumerate(GroupRole)}
OFFICE_GROUP_ROLES = frozenset({GroupRole.OFFICE_HEAD, GroupRole.OFFICE_STAFF})


class LeadingGroupMember(Versioned):
    group = models.ForeignKey(
        LeadingGroup, verbose_name="领导小组", on_delete=models.PROTECT, related_name="members"
    )
    role = models.CharField("小组职务", max_length=20, choices=GroupRole.choices)
    person_name = models.CharField("姓名", max_length=40)
    post = models.CharField("现任职务", max_length=100, help_text="如：局党组书记、局长")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sort = models.PositiveSmallIntegerField("排序", default=100)
    is_active = models.BooleanField("在任", default=True)
    ended_on = models.DateField("调整日期", null=True, blank=True)

    class Meta:
        verbose_name = "领导小组成员"
        verbose_name_plural = "领导小组成员"
        ordering = ["group", "sort", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.person_name}"

    @property
    def is_office(self) -> bool:
        """Of the group's office (办公室主任, 工作人员) rather than its leadership."""
        return self.role in OFFICE_GROUP_ROLES


class FirstResponsible(Versioned):
    """第一责任人 of an organisation: its 书记 (党组书记 for the 党组) unless recorded otherwise."""

    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="first_responsibles"
    )
    person_name = models.CharField("姓名", max_length=40)
    post = models.CharField("职务", max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    since = models.DateField("确定日期", null=True, blank=True)
    is_current = models.BooleanField("现任", default=True)

    class Meta:
        verbose_name = "第一责任人"
        verbose_name_plural = "第一责任人"
        ordering = ["organization__path", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(is_current=True),
                name="one_current_first_responsible",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} 第一责任人 {self.person_name}"


class DutyListKind(models.TextChoices):
    MAIN = "main", "全面从严治党主体责任清单"
    DUAL = "dual", "“一岗双责”责任清单"
    BRANCH = "branch", "基层党组织责任清单"
    OTHER = "other", "其他责任清单"


class ListStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ISSUED = "issued", "已印发"
    REPEALED = "repealed", "已废止"


class DutyList(Versioned):
    organization = models.ForeignKey(
        Organization, verbose_name="责任主体（党组织）", on_delete=models.PROTECT, related_name="duty_lists"
    )
    kind = models.CharField("清单类别", max_length=10, choices=DutyListKind.choices)
    title = models.CharField("清单名称", max_length=120)
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    issued_on = models.DateField("印发日期", null=True, blank=True)
    preamble = models.TextField("前言", blank=True, help_text="印在表格之前的说明文字，可分段")
    holder_name = models.CharField(
        "责任人姓名", max_length=40, blank=True, help_text="“一岗双责”清单的班子成员"
    )
    holder_post = models.CharField("责任人职务", max_length=100, blank=True)
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="held_duty_lists",
    )
    in_charge_units = models.ManyToManyField(
        Unit, verbose_name="分管单位", blank=True, related_name="duty_lists_in_charge"
    )
    status = models.CharField("状态", max_length=10, choices=ListStatus.choices, default=ListStatus.DRAFT)
    is_deleted = models.BooleanField("已删除", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "责任清单"
        verbose_name_plural = "责任清单"
        ordering = ["-year", "organization__path", "kind", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def holder_label(self) -> str:
        return "".join(
            p for p in (self.holder_name, f"（{self.holder_post}）" if self.holder_post else "") if p
        )


class Duty(Versioned):
    """An item of a list. Who answers for it: `responsible_user` and/or a name and post; for a 一岗双责 list the
    list's holder when the item names nobody else."""

    duty_list = models.ForeignKey(
        DutyList, verbose_name="责任清单", on_delete=models.PROTECT, related_name="items"
    )
    seq = models.PositiveSmallIntegerField("序号")
    category = models.CharField(
        "类别", max_length=60, blank=True, help_text="如：一、政治建设（同类条目合并显示）"
    )
    content = models.TextField("责任内容")
    responsible_name = models.CharField("责任人", max_length=60, blank=True)
    responsible_post = models.CharField("责任岗位", max_length=100, blank=True)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duties",
    )
    cadence = models.CharField(
        "完成周期", max_length=10, choices=[(c.value, CADENCE_LABELS[c]) for c in Cadence]
    )
    deadline = models.DateField("完成时限", null=True, blank=True, help_text="一次性事项必填")
    starts_on = models.DateField(
        "起始日期", null=True, blank=True, help_text="年中新增的事项从此日起计；为空则从清单年度开始"
    )
    work_requirement = models.TextField("工作要求", blank=True)
    evidence_required = models.CharField("佐证材料", max_length=300, blank=True)
    measure_key = models.CharField(
        "自动取数",
        max_length=80,
        blank=True,
        help_text="选定后，完成情况按平台已有数据自动计算，不再手工填报",
    )
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "责任事项"
        verbose_name_plural = "责任事项"
        ordering = ["duty_list", "seq", "id"]

    def __str__(self) -> str:
        return f"{self.seq}. {self.short_title}"

    @property
    def short_title(self) -> str:
        first = self.content.strip().splitlines()[0] if self.content.strip() else ""
        return first if len(first) <= 40 else first[:39] + "…"

    @property
    def time_limit(self) -> str:
        return time_limit_text(self.cadence, self.deadline)

    @property
    def responsible_label(self) -> str:
        name = self.responsible_name or (self.responsible_user and str(self.responsible_user)) or ""
        if self.responsible_post and name:
            return f"{name}（{self.responsible_post}）"
        if name or self.responsible_post:
            return name or self.responsible_post
        return self.duty_list.holder_label


class DutyReport(Versioned):
    """Completion of one occurrence of an item (`period_key`: 2026-03, 2026Q1, 2026 or once)."""

    duty = models.ForeignKey(Duty, verbose_name="责任事项", on_delete=models.PROTECT, related_name="reports")
    period_key = models.CharField("期间", max_length=10)
    due_on = models.DateField("应完成日期")
    text = models.TextField("完成情况")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报告人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_at = models.DateTimeField("报告时间")

    class Meta:
        verbose_name = "责任落实情况"
        verbose_name_plural = "责任落实情况"
        ordering = ["duty", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["duty", "period_key"], name="one_report_per_occurrence")
        ]

    def __str__(self) -> str:
        return f"{self.duty} {self.period_key}"


class DutyEvidence(StoredFile):
    report = models.ForeignKey(
        DutyReport, verbose_name="落实情况", on_delete=models.PROTECT, related_name="files"
    )

    class Meta(StoredFile.Meta):
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
