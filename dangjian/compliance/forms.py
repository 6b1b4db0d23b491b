"""Forms of the compliance pages. They parse input; the rules live in services.py."""

from __future__ import annotations

from django import forms

from dangjian.activities.models import ActivityKind
from dangjian.orgs.models import Organization, OrgKind

from .models import Applicability, PeriodChoice, Requirement

CITATION_STATUS = [("V", "V 已核实原文"), ("S", "S 地方惯例（可配置）"), ("M", "M 待核实")]


class RequirementForm(forms.Form):
    key = forms.SlugField(
        label="代码",
        max_length=40,
        help_text="英文小写字母、数字、下划线，如 dangwei_meeting；保存后不能修改（统计结果按代码标识）",
    )
    name = forms.CharField(label="名称", max_length=60)
    kind = forms.ModelChoiceField(
        label="活动类型", queryset=ActivityKind.objects.none(), help_text="记录中带有此类型的活动计入本项"
    )
    org_kinds = forms.MultipleChoiceField(
        label="适用组织类别", choices=OrgKind.choices, widget=forms.CheckboxSelectMultiple
    )
    applicability = forms.ChoiceField(label="适用规则", choices=Applicability.choices)
    period = forms.ChoiceField(label="周期", choices=PeriodChoice.choices)
    minimum = forms.IntegerField(label="每周期最少次数", min_value=1, max_value=99)
    citation = forms.CharField(
        label="依据", max_length=200, help_text="文件名称及条款；本地规定请写明“地方惯例”"
    )
    citation_status = forms.ChoiceField(label="依据核实状态", choices=CITATION_STATUS)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_core = forms.BooleanField(label="核心要求（未达标时评先评优予以提示）", required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    sort = forms.IntegerField(label="排序", min_value=0, max_value=32767, initial=100)
    valid_from = forms.DateField(
        label="自何时起适用",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="修改活动类型、适用类别、规则、周期、次数或依据时生效：须为周期的第一天；留空为下一周期开始。"
        "已开始的周期保持原规则；选择今天或以前的日期属于更正既往结果，仅局党建管理员可操作",
    )
    reason = forms.CharField(label="修订说明（更正既往时必填）", max_length=300, required=False)
    confirm = forms.BooleanField(label="我已核对受影响的既往结果，确认更正", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance: Requirement | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "key": instance.key,
                    "name": instance.name,
                    "kind": instance.kind_id,
                    "org_kinds": list(instance.org_kinds or []),
                    "applicability": instance.applicability,
                    "period": instance.period,
                    "minimum": instance.minimum,
                    "citation": instance.citation,
                    "citation_status": instance.citation_status,
                    "note": instance.note,
                    "is_core": instance.is_core,
                    "is_active": instance.is_active,
                    "sort": instance.sort,
                    "version": instance.version,
                },
            )
        super().__init__(*args, **kwargs)
        self.instance = instance
        kinds = ActivityKind.objects.all()
        self.fields["kind"].queryset = kinds if instance is not None else kinds.filter(is_active=True)
        if instance is not None:
            # the key identifies results (command output, other apps): fixed once created
            del self.fields["key"]

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        for f in ("version", "valid_from", "reason", "confirm"):
            data.pop(f, None)
        return data


class ExemptionForm(forms.Form):
    organization = forms.ModelChoiceField(label="党组织", queryset=Organization.objects.none())
    requirement = forms.ModelChoiceField(label="制度要求", queryset=Requirement.objects.none())
    starts_on = forms.DateField(label="起始日期", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label="豁免理由",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="写明事实和依据，如“企业已进入破产程序，党员全部下岗分散居住，经局党组研究同意”",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            dissolved_on__isnull=True
        ).order_by("path")
        self.fields["organization"].label_from_instance = lambda o: f"{o.name}（{o.code}）"
        self.fields["requirement"].queryset = Requirement.objects.filter(is_active=True).order_by(
            "sort", "id"
        )


class RevokeForm(forms.Form):
    revoke_reason = forms.CharField(label="撤销理由", max_length=300)
    effective = forms.DateField(
        label="自何日起撤销",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="留空为今天；此前已开始的期间仍按豁免统计。早于今天属于追溯更正",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
