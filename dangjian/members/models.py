"""Members and their history. Nobody is ever hard-deleted: leaving is a status and an event."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from dangjian.core.dates import age_on
from dangjian.core.idnumber import mask_id_number, mask_phone
from dangjian.orgs.models import Organization, PartyGroup

from .choices import AGE_BANDS, Category, Education, EventKind, Gender, Status


class MemberQuerySet(models.QuerySet):
    def current(self) -> MemberQuerySet:
        """Members on the roll today (not transferred out, suspended, expelled or deceased)."""
        return self.filter(status=Status.NORMAL)


class Member(models.Model):
    # No index of its own: searched with icontains, ordered within member_org_status_name_idx.
    name = models.CharField("姓名", max_length=20)
    # No index: searched with `contains` (LIKE '%…%'), which no B-tree serves; every index slows the roster import.
    initials = models.CharField("拼音首字母", max_length=20, blank=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=12, blank=True)
    id_number = models.CharField("公民身份号码", max_length=18, unique=True)
    birth_date = models.DateField("出生日期")
    education = models.CharField("学历", max_length=10, choices=Education.choices, blank=True)
    join_date = models.DateField("入党日期")
    full_date = models.DateField("转正日期", null=True, blank=True, help_text="为空表示预备党员")
    # 转入本组织日期: the member counts here from this day; empty = from the join date (joined here).
    arrived_on = models.DateField(
        "转入本组织日期", null=True, blank=True, help_text="为空表示自入党起即在本组织"
    )
    # Indexed with status (member_status_cat_idx): lists always filter by status first.
    category = models.CharField("人员类别", max_length=6, choices=Category.choices, default=Category.SERVING)
    # Indexed as the first column of member_org_status_name_idx, which serves every look-up by organisation.
    organization = models.ForeignKey(
        Organization,
        verbose_name="所在党支部",
        on_delete=models.PROTECT,
        related_name="members",
        db_index=False,
    )
    party_group = models.ForeignKey(
        PartyGroup,
        verbose_name="党小组",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    workplace = models.CharField("工作单位及职务", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    is_floating = models.BooleanField("流动党员", default=False)
    floating_note = models.CharField("流动去向", max_length=100, blank=True)
    is_lost = models.BooleanField("失联党员", default=False)
    lost_since = models.DateField("失联日期", null=True, blank=True)
    # Indexed as the first column of member_status_cat_idx.
    status = models.CharField("党籍状态", max_length=6, choices=Status.choices, default=Status.NORMAL)
    left_on = models.DateField("离开日期", null=True, blank=True, help_text="转出、出党、死亡等的日期")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["organization_id", "name", "id"]
        indexes = [
            # The list's ORDER BY organization path, name, id walks organisations by path and reads each one's
            # members already ordered (no sort of the whole roster); its prefix serves per-organisation counts.
            models.Index(fields=["organization", "status", "name", "id"], name="member_org_status_name_idx"),
            models.Index(fields=["status", "category"], name="member_status_cat_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_probationary(self) -> bool:
        return self.full_date is None

    @property
    def standing_label(self) -> str:
        return "预备党员" if self.is_probationary else "正式党员"

    def age(self, today: date | None = None) -> int:
        return age_on(self.birth_date, today or timezone.localdate())

    @property
    def age_band(self) -> str:
        a = self.age()
        return next(label for lo, hi, label in AGE_BANDS if lo <= a <= hi)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class MembershipEvent(models.Model):
    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("变动类型", max_length=8, choices=EventKind.choices)  # a few values: no index
    date = models.DateField("日期", db_index=True)
    from_org = models.ForeignKey(
        Organization,
        verbose_name="原党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_org = models.ForeignKey(
        Organization,
        verbose_name="新党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    destination = models.CharField("转往/来自（系统外）", max_length=100, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "党员变动"
        verbose_name_plural = "党员变动"
        ordering = ["member", "date", "id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.kind}"
