"""Forms of the 督查考核 pages. They parse and check input; the services decide and write."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.core.periods import Period, PeriodKind
from dangjian.orgs.models import Organization, OrgKind

from .models import Half, RectificationStatus
from .services.common import ServiceError
from .services.inspections import parse_quarter, parse_ratio

RATER_ROLES = (Role.BUREAU_ADMIN, Role.INSPECTOR, Role.ORG_ADMIN)


class ChineseForm(forms.Form):
    """Labels end with the full-width colon used in Chinese forms."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                field.label_suffix = ""  # the box sits before its label


class DrawForm(ChineseForm):
    quarter = forms.CharField(label="抽查季度", max_length=20, help_text="如 2026Q4")
    method = forms.ChoiceField(
        label="抽取方式",
        choices=[("count", "按数量"), ("ratio", "按比例")],
        widget=forms.RadioSelect,
        initial="ratio",
    )
    count = forms.IntegerField(label="抽取数量（个）", min_value=1, required=False)
    ratio = forms.CharField(
        label="抽取比例", required=False, help_text="如 0.3 或 30%，向上取整", initial="0.3"
    )
    seed = forms.IntegerField(
        label="随机种子",
        min_value=0,
        max_value=2**63 - 1,
        required=False,
        help_text="留空则随机生成；种子与候选名单一并记录，任何人可据此复核抽取结果",
    )
    stratify = forms.BooleanField(label="按单位类别分层抽取（按比例分配，每类至少1个）", required=False)
    include_failing = forms.BooleanField(label="上季度制度落实未达标的党组织必查", required=False)
    replace = forms.BooleanField(
        label="本季度已有抽查轮次时，作废原轮次并重新抽取（已录入检查结果的不能作废）", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault(
                "quarter", str(Period.containing(timezone.localdate(), PeriodKind.QUARTER))
            )

    def clean_quarter(self) -> Period:
        try:
            return parse_quarter(self.cleaned_data["quarter"])
        except ServiceError as exc:
            raise forms.ValidationError(str(exc))

    def clean(self):
        data = super().clean()
        if data.get("method") == "count":
            if not data.get("count"):
                self.add_error("count", "按数量抽取时请填写抽取数量")
            data["ratio"] = None
        elif data.get("method") == "ratio":
            try:
                data["ratio"] = parse_ratio(data.get("ratio") or "")
            except ServiceError as exc:
                self.add_error("ratio", str(exc))
            data["count"] = None
        return data


class ChecklistItemForm(ChineseForm):
    name = forms.CharField(label="检查项目", max_length=40)
    guidance = forms.CharField(
        label="检查要点", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sort = forms.IntegerField(label="排序", min_value=0, max_value=32767, help_text="数字小的排在前面")
    is_active = forms.BooleanField(label="启用", required=False, initial=True)


class RectificationFilter(ChineseForm):
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), ("open", "未销号（全部在办）"), *RectificationStatus.choices],
    )
    overdue = forms.BooleanField(label="仅看逾期", required=False)
    q = forms.CharField(label="党组织或事项", required=False, max_length=40)


class SimilarForm(ChineseForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    threshold = forms.FloatField(
        label="相似度不低于", min_value=0.3, max_value=1.0, initial=0.8, help_text="0.3～1.0，越高越严格"
    )


class ObservationForm(ChineseForm):
    title = forms.CharField(label="观摩活动名称", max_length=100)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(label="半年", choices=Half.choices, coerce=int)
    held_on = forms.DateField(
        label="观摩日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    place = forms.CharField(label="地点", max_length=100, required=False)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    orgs = forms.ModelMultipleChoiceField(
        label="观摩对象",
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="可多选",
    )
    raters = forms.ModelMultipleChoiceField(
        label="评委",
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="5名及以上评委时，去掉一个最高分和一个最低分后取平均",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orgs"].queryset = (
            Organization.objects.filter(dissolved_on__isnull=True)
            .exclude(kind=OrgKind.DANGZU)
            .order_by("path")
        )
        self.fields["orgs"].label_from_instance = lambda o: f"{o.name}（{o.code}）"
        self.fields["raters"].queryset = (
            get_user_model().objects.filter(is_active=True, role__in=RATER_ROLES).order_by("role", "username")
        )
        self.fields["raters"].label_from_instance = lambda u: f"{u}（{u.role_label}）"
        if not self.is_bound and "year" not in self.initial:
            today = timezone.localdate()
            self.initial.update({"year": today.year, "half": 1 if today.month <= 6 else 2, "held_on": today})

    def clean(self):
        data = super().clean()
        held_on: date | None = data.get("held_on")
        if held_on and data.get("year") and held_on.year != data["year"]:
            self.add_error("held_on", f"观摩日期不在 {data['year']} 年内")
        return data
