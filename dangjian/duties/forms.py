"""Forms: they parse and validate input; the writes happen in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from dangjian.accounts import scope
from dangjian.accounts.models import User
from dangjian.accounts.roles import BUSINESS_ROLES
from dangjian.accounts.typing import Actor
from dangjian.core import measures, uploads
from dangjian.orgs.models import Organization, OrgKind, Unit

from . import files as filekinds
from .models import (
    BrandCase,
    Duty,
    DutyList,
    FirstResponsible,
    LeadingGroup,
    LeadingGroupMember,
    Notice,
    NoticeTemplate,
    RuleDocument,
    RuleVersion,
    TargetMode,
    WorkPlan,
    WorkPlanItem,
    YearEndStatus,
)
from .workflow import CASE_ACTION_LABELS, CaseAction

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content (dangjian.duties.files) in `clean`."""

    def __init__(self, *args: Any, accepted: str = filekinds.EVIDENCE, **kwargs: Any):
        self.accepted = accepted
        policy = uploads.POLICIES[accepted]
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": policy.accept}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", f"可多选；{policy.help_text}")
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[filekinds.CheckedFile]:
        uploads = [d for d in (data if isinstance(data, (list, tuple)) else [data]) if d]
        if not uploads:
            if self.required:
                raise ValidationError("请选择要上传的文件")
            return []
        return filekinds.check_uploads(uploads, self.accepted)


class ChineseLabels:
    """Chinese forms put no colon after a label (the layout sets labels above their fields)."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class VersionedForm(ChineseLabels, forms.ModelForm):
    """Carries the version the user started from, so a concurrent save is refused (core.actions: Stale)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def data_for_service(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k in self._meta.fields and not isinstance(self.fields[k], forms.ModelMultipleChoiceField)
        }


def user_choices(actor: Actor = None):
    """Accounts that may be named as responsible. A branch admin chooses among the accounts of their own
    organisations (admins and members there); the bureau among everyone's."""
    qs = User.objects.filter(is_active=True, role__in=BUSINESS_ROLES).order_by("display_name", "username")
    if actor is None or scope.is_bureau_admin(actor):
        return qs
    orgs = scope.editable_orgs(actor)
    return qs.filter(Q(organization__in=orgs) | Q(member__organization__in=orgs))


class ScopedUsers:
    """Forms built with `actor=request.user` offer only the accounts that user may name (see user_choices)."""

    user_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, actor: Actor = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in self.user_fields:
            if name in self.fields:
                self.fields[name].queryset = user_choices(actor)


class MeasureChoice:
    """A `measure_key` select offering the platform's measures (core.measures) — 自动取数 — or none (手工填报)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        current = getattr(self.instance, "measure_key", "")
        options = [("", "不绑定（手工填报完成情况）"), *measures.choices()]
        if current and current not in dict(options):
            options.append((current, measures.label(current)))
        self.fields["measure_key"] = forms.ChoiceField(
            label="自动取数",
            choices=options,
            required=False,
            help_text="选定后，完成情况与进度由平台数据自动得出，不能手工填报",
        )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name or obj.username}（{obj.username}）"


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return "　" * max(obj.depth - 1, 0) + obj.name


class OrgMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


# --- 责任体系 --------------------------------------------------------------------------------------------------


class GroupForm(VersionedForm):
    organization = OrgChoiceField(label="所属党组织", queryset=Organization.objects.order_by("path"))

    class Meta:
        model = LeadingGroup
        fields = [
            "organization",
            "name",
            "doc_number",
            "established_on",
            "office_location",
            "responsibilities",
        ]
        widgets = {"established_on": DATE, "responsibilities": forms.Textarea(attrs={"rows": 4})}


class GroupMemberForm(VersionedForm):
    user = UserChoiceField(
        label="登录账号",
        queryset=user_choices(),
        required=False,
        help_text="可选；关联后本人可在“我的责任”中看到",
    )

    class Meta:
        model = LeadingGroupMember
        fields = ["role", "person_name", "post", "user", "sort"]


class FirstResponsibleForm(ScopedUsers, ChineseLabels, forms.ModelForm):
    user_fields = ("user",)
    user = UserChoiceField(label="登录账号", queryset=user_choices(), required=False)

    class Meta:
        model = FirstResponsible
        fields = ["person_name", "post", "user", "since"]
        widgets = {"since": DATE}


# --- 责任清单 --------------------------------------------------------------------------------------------------


class DutyListForm(ScopedUsers, VersionedForm):
    user_fields = ("holder_user",)
    organization = OrgChoiceField(label="责任主体（党组织）", queryset=Organization.objects.none())
    holder_user = UserChoiceField(label="责任人账号", queryset=user_choices(), required=False)
    in_charge_units = forms.ModelMultipleChoiceField(
        label="分管单位",
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="“一岗双责”清单：该班子成员分管的单位",
    )

    class Meta:
        model = DutyList
        fields = [
            "organization",
            "kind",
            "title",
            "year",
            "doc_number",
            "issued_on",
            "status",
            "preamble",
            "holder_name",
            "holder_post",
            "holder_user",
            "in_charge_units",
        ]
        widgets = {"issued_on": DATE, "preamble": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, orgs=None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = orgs if orgs is not None else Organization.objects.none()

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise ValidationError("年度应为四位数年份，如 2026")
        return year


class DutyForm(MeasureChoice, ScopedUsers, VersionedForm):
    user_fields = ("responsible_user",)
    responsible_user = UserChoiceField(
        label="责任人账号",
        queryset=user_choices(),
        required=False,
        help_text="关联后，本人可在“我的责任”中看到并报告完成情况",
    )

    class Meta:
        model = Duty
        fields = [
            "seq",
            "category",
            "content",
            "responsible_name",
            "responsible_post",
            "responsible_user",
            "cadence",
            "deadline",
            "starts_on",
            "work_requirement",
            "evidence_required",
            "measure_key",
        ]
        widgets = {
            "deadline": DATE,
            "starts_on": DATE,
            "content": forms.Textarea(attrs={"rows": 3}),
            "work_requirement": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["seq"].required = False
        self.fields["seq"].help_text = "为空则排在最后"


class ReportForm(ChineseLabels, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    period = forms.ChoiceField(label="期间")
    text = forms.CharField(label="完成情况", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    files = MultipleFileField(label="佐证材料")

    def __init__(self, *args: Any, periods: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = periods


# --- 工作要点 --------------------------------------------------------------------------------------------------


class WorkPlanForm(VersionedForm):
    class Meta:
        model = WorkPlan
        fields = ["year", "title", "doc_number", "issued_on", "status", "preamble"]
        widgets = {"issued_on": DATE, "preamble": forms.Textarea(attrs={"rows": 4})}


class WorkPlanItemForm(MeasureChoice, VersionedForm):
    organization = OrgChoiceField(label="责任单位（党组织）", queryset=Organization.objects.order_by("path"))

    class Meta:
        model = WorkPlanItem
        fields = ["seq", "category", "content", "organization", "lead", "deadline", "target", "measure_key"]
        widgets = {"deadline": DATE, "content": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["seq"].required = False


class ProgressForm(ChineseLabels, forms.Form):
    reported_on = forms.DateField(label="进展日期", widget=DATE)
    percent = forms.IntegerField(label="完成进度（%）", min_value=0, max_value=100, required=False)
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=3000)


class AssessForm(VersionedForm):
    year_end_status = forms.ChoiceField(
        label="年终完成情况", choices=YearEndStatus.choices, widget=forms.RadioSelect
    )

    class Meta:
        model = WorkPlanItem
        fields = ["year_end_status", "year_end_note"]
        widgets = {"year_end_note": forms.Textarea(attrs={"rows": 3})}


# --- 通知 ------------------------------------------------------------------------------------------------------


class NoticeForm(VersionedForm):
    target_kinds = forms.MultipleChoiceField(
        label="组织类别", choices=OrgKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    chosen_orgs = OrgMultipleChoiceField(
        label="指定党组织",
        queryset=Organization.objects.order_by("path"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    files = MultipleFileField(label="附件", accepted=filekinds.ATTACHMENTS)

    class Meta:
        model = Notice
        fields = [
            "kind",
            "title",
            "doc_number",
            "year",
            "month",
            "body",
            "target_mode",
            "target_kinds",
            "chosen_orgs",
            "deadline",
            "requires_feedback",
            "ack_days",
        ]
        widgets = {
            "deadline": DATE,
            "body": forms.Textarea(attrs={"rows": 12}),
            "target_mode": forms.RadioSelect,
        }

    def clean_target_kinds(self) -> list[str]:
        return list(self.cleaned_data.get("target_kinds") or [])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("target_mode") != TargetMode.KINDS:
            data["target_kinds"] = []
        return data


class FeedbackForm(ChineseLabels, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    feedback_text = forms.CharField(
        label="落实情况", widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )
    files = MultipleFileField(label="佐证材料")
    proxy_note = forms.CharField(
        label="代反馈方式及理由",
        max_length=200,
        required=False,
        help_text="为其他党组织代为反馈时必填，如：电话确认，该支部书记口述落实情况",
    )


class WithdrawForm(ChineseLabels, forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200)


class TemplateForm(VersionedForm):
    class Meta:
        model = NoticeTemplate
        fields = [
            "name",
            "title_template",
            "doc_number_template",
            "body_template",
            "deadline_day",
            "is_default",
            "is_active",
        ]
        widgets = {"body_template": forms.Textarea(attrs={"rows": 12})}
        help_texts = {"body_template": "可用占位符：{year} 年、{month} 月、{deadline} 反馈截止日期"}


# --- 党建品牌 --------------------------------------------------------------------------------------------------


class CaseForm(VersionedForm):
    organization = OrgChoiceField(label="申报党组织", queryset=Organization.objects.none())
    photos = MultipleFileField(label="照片", accepted=filekinds.IMAGES)

    class Meta:
        model = BrandCase
        fields = ["organization", "kind", "year", "title", "brand_name", "story", "results"]
        widgets = {"story": forms.Textarea(attrs={"rows": 8}), "results": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, orgs=None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = orgs if orgs is not None else Organization.objects.none()
        if self.instance.pk:
            self.fields.pop("organization")


class CaseActionForm(ChineseLabels, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    action = forms.ChoiceField(choices=[(a.value, CASE_ACTION_LABELS[a]) for a in CaseAction])
    comment = forms.CharField(
        label="审核意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- 制度库 ----------------------------------------------------------------------------------------------------


class RuleMetaForm(VersionedForm):
    issuer = OrgChoiceField(label="制发党组织", queryset=Organization.objects.order_by("path"))

    class Meta:
        model = RuleDocument
        fields = ["category", "issuer", "is_repealed", "repealed_on"]
        widgets = {"repealed_on": DATE}


class RuleVersionForm(ChineseLabels, forms.ModelForm):
    class Meta:
        model = RuleVersion
        fields = ["title", "doc_number", "issued_on", "effective_on", "body", "change_note"]
        widgets = {"issued_on": DATE, "effective_on": DATE, "body": forms.Textarea(attrs={"rows": 16})}


class RuleCreateForm(RuleVersionForm):
    category = RuleMetaForm.base_fields["category"]
    issuer = OrgChoiceField(label="制发党组织", queryset=Organization.objects.order_by("path"))

    class Meta(RuleVersionForm.Meta):
        fields = ["title", "doc_number", "issued_on", "effective_on", "body"]


class CitationForm(ChineseLabels, forms.Form):
    target = forms.ChoiceField(label="引用本制度的对象")
    clause = forms.CharField(label="对应条款", max_length=100, required=False)

    def __init__(self, *args: Any, choices: list, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "请选择")] + choices
