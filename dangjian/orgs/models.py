"""Units, the organisation tree, party groups, committees, terms and posts (glossary: design §2)."""

from __future__ import annotations

from datetime import date

from django.db import models
from treebeard.mp_tree import MP_Node

from dangjian.core.periods import add_years


class UnitKind(models.TextChoices):
    BUREAU = "bureau", "局机关"
    INSTITUTION = "institution", "事业单位"
    SOE = "soe", "国有企业"
    RESTRUCTURED = "restructured", "改制企业"
    BANKRUPTING = "bankrupting", "正在破产企业"
    BANKRUPT_ENDED = "bankrupt_ended", "破产终结企业"
    PRIVATE = "private", "非公企业"
    SOCIAL = "social", "社会组织"


class OrgKind(models.TextChoices):
    DANGZU = "dangzu", "党组"
    ORGAN_COMMITTEE = "organ_committee", "机关党委"
    COMMITTEE = "committee", "党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"
    TEMP_BRANCH = "temp_branch", "临时党支部"


BRANCH_KINDS = frozenset({OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.TEMP_BRANCH})
# 任期意见 一; 机关条例 第五、六、七条: 党委 and 机关党委 5 years, 党总支 and 党支部 3; 党组 is not elected.
DEFAULT_TERM_YEARS = {
    OrgKind.ORGAN_COMMITTEE: 5,
    OrgKind.COMMITTEE: 5,
    OrgKind.GENERAL_BRANCH: 3,
    OrgKind.BRANCH: 3,
    OrgKind.JOINT_BRANCH: 3,
    OrgKind.TEMP_BRANCH: 3,
}


class Unit(models.Model):
    name = models.CharField("单位名称", max_length=100, unique=True)
    kind = models.CharField("单位类别", max_length=20, choices=UnitKind.choices, db_index=True)
    note = models.CharField("备注", max_length=200, blank=True)
    is_active = models.BooleanField("在册", default=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class UnitKindChange(models.Model):
    """A unit's kind from a day on (国有企业 → 改制企业 → 正在破产企业 → 破产终结企业). The history is kept, never
    rewritten: a figure as of a day reads the row in force then. `valid_from` empty = the kind since the unit
    was first registered (the value it had before its first recorded change)."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="kind_changes")
    kind = models.CharField("单位类别", max_length=20, choices=UnitKind.choices)
    valid_from = models.DateField("变更日期", null=True, blank=True, help_text="为空表示登记时的类别")
    note = models.CharField("变更依据", max_length=200, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "单位类别变更"
        verbose_name_plural = "单位类别变更"
        ordering = ["unit", models.F("valid_from").asc(nulls_first=True), "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "valid_from"], name="unit_kind_change_once_a_day"),
        ]

    def __str__(self) -> str:
        since = f"{self.valid_from:%Y-%m-%d}起" if self.valid_from else "登记时"
        return f"{self.unit}：{since}{self.get_kind_display()}"


class Organization(MP_Node):
    name = models.CharField("组织名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=40, blank=True)
    code = models.CharField("组织代码", max_length=32, unique=True)
    kind = models.CharField("组织类别", max_length=20, choices=OrgKind.choices, db_index=True)
    units = models.ManyToManyField(Unit, verbose_name="所在单位", blank=True, related_name="organizations")
    founded_on = models.DateField("成立日期", null=True, blank=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    dissolved_reason = models.CharField("撤销原因及批复文号", max_length=300, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    note = models.TextField("备注", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"

    def __str__(self) -> str:
        return self.name

    @property
    def is_branch(self) -> bool:
        return self.kind in BRANCH_KINDS

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    @property
    def has_elected_term(self) -> bool:
        return self.kind in DEFAULT_TERM_YEARS

    @property
    def default_term_years(self) -> int | None:
        return DEFAULT_TERM_YEARS.get(self.kind)

    def subtree(self) -> models.QuerySet[Organization]:
        """This organisation and everything under it."""
        return Organization.objects.filter(path__startswith=self.path)

    def ancestors_and_self(self) -> models.QuerySet[Organization]:
        paths = [self.path[: i * self.steplen] for i in range(1, self.depth + 1)]
        return Organization.objects.filter(path__in=paths).order_by("depth")


class PartyGroup(models.Model):
    organization = models.ForeignKey(
        Organization, verbose_name="所属党支部", on_delete=models.PROTECT, related_name="party_groups"
    )
    name = models.CharField("党小组名称", max_length=60)
    leader_name = models.CharField("组长", max_length=40, blank=True)
    is_active = models.BooleanField("存续", default=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "党小组"
        verbose_name_plural = "党小组"
        ordering = ["organization", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="party_group_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.organization.short_name or self.organization.name}·{self.name}"


class CommitteeKind(models.TextChoices):
    COMMITTEE = "committee", "设委员会"
    SECRETARY_ONLY = "secretary_only", "不设委员会，只设书记（副书记）"


class Committee(models.Model):
    """The standing elected body of an organisation; its 届次 are `Term`s."""

    organization = models.OneToOneField(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="committee"
    )
    kind = models.CharField(
        "设置方式", max_length=20, choices=CommitteeKind.choices, default=CommitteeKind.COMMITTEE
    )
    name = models.CharField("委员会名称", max_length=100, blank=True)

    class Meta:
        verbose_name = "委员会"
        verbose_name_plural = "委员会"

    def __str__(self) -> str:
        return self.name or f"{self.organization.name}委员会"


class Term(models.Model):
    committee = models.ForeignKey(
        Committee, verbose_name="委员会", on_delete=models.PROTECT, related_name="terms"
    )
    number = models.PositiveSmallIntegerField("届次", default=1)
    elected_on = models.DateField("选举日期")
    years = models.PositiveSmallIntegerField("任期（年）")
    expires_on = models.DateField("届满日期", db_index=True)
    is_current = models.BooleanField("现任", default=True, db_index=True)
    ended_on = models.DateField("换届日期", null=True, blank=True)
    extended_to = models.DateField("经批准延期至", null=True, blank=True)
    extension_reason = models.CharField("延期理由及批复", max_length=300, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    previous = models.OneToOneField(
        "self",
        verbose_name="上一届",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successor",
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "届次"
        verbose_name_plural = "届次"
        ordering = ["committee", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee"], condition=models.Q(is_current=True), name="one_current_term"
            ),
        ]

    def __str__(self) -> str:
        return f"第{self.number}届（{self.elected_on:%Y-%m-%d} 至 {self.expires_on:%Y-%m-%d}）"

    def save(self, *args, **kwargs):
        if self.elected_on and self.years:
            self.expires_on = add_years(self.elected_on, self.years)
        super().save(*args, **kwargs)

    @property
    def effective_expiry(self) -> date:
        """The expiry as approved (a delay granted by the superior moves it, 选举条例 第三条)."""
        return self.extended_to or self.expires_on


class PostTitle(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY = "deputy", "副书记"
    ORGANIZATION = "organization", "组织委员"
    PROPAGANDA = "propaganda", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    YOUTH = "youth", "青年委员"
    MEMBER = "member", "委员"
    DANGZU_SECRETARY = "dangzu_secretary", "党组书记"
    DANGZU_MEMBER = "dangzu_member", "党组成员"


class Post(models.Model):
    """A seat in a term. The holder is named and identified by ID number (the member record lives below)."""

    term = models.ForeignKey(Term, verbose_name="届次", on_delete=models.PROTECT, related_name="posts")
    title = models.CharField("职务", max_length=20, choices=PostTitle.choices)
    person_name = models.CharField("姓名", max_length=40)
    id_number = models.CharField("公民身份号码", max_length=18, blank=True, db_index=True)
    is_full_time = models.BooleanField("专职", default=False)
    started_on = models.DateField("任职日期", null=True, blank=True)
    ended_on = models.DateField("离任日期", null=True, blank=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "职务"
        verbose_name_plural = "职务"
        ordering = ["term", "sort", "id"]

    def __str__(self) -> str:
        return f"{self.get_title_display()} {self.person_name}（{'专职' if self.is_full_time else '兼职'}）"


class RenewalStepKind(models.TextChoices):
    """换届 in order (选举条例 第十三、十四条; 支部条例 第二十一条; rules.md §3.3)."""

    REQUEST = "request", "换届请示"
    APPROVAL = "approval", "上级批复"
    CANDIDATES = "candidates", "候选人审查"
    ELECTION = "election", "选举大会"
    REPORT = "report", "结果报批/备案"
    NEW_TERM = "new_term", "新一届"


RENEWAL_ORDER: tuple[str, ...] = tuple(RenewalStepKind.values)


class RenewalStep(models.Model):
    """One step of renewing an expiring term. The election step names the term it started."""

    term = models.ForeignKey(
        Term, verbose_name="换届的届次", on_delete=models.PROTECT, related_name="renewal_steps"
    )
    kind = models.CharField("步骤", max_length=12, choices=RenewalStepKind.choices)
    done_on = models.DateField("完成日期")
    doc_number = models.CharField("文号", max_length=60, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    new_term = models.OneToOneField(
        Term,
        verbose_name="新一届",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="elected_by_step",
    )
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "换届步骤"
        verbose_name_plural = "换届步骤"
        ordering = ["term", "done_on", "id"]
        constraints = [models.UniqueConstraint(fields=["term", "kind"], name="renewal_step_once_per_term")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.done_on:%Y-%m-%d}）"

    @property
    def position(self) -> int:
        return RENEWAL_ORDER.index(self.kind)
