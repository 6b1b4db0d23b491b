"""Forms of the 年终总评 pages: they parse and check input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from ..forms import ChineseForm
from ..models import AdjustmentKind, Appraisal, Indicator, IndicatorSource


class AppraisalCreateForm(ChineseForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(
        label="名称", max_length=100, required=False, help_text="留空为“某年度基层党组织年终总评”"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class AppraisalForm(forms.ModelForm):
    class Meta:
        model = Appraisal
        fields = ["title", "good_from", "fairly_good_from", "average_from", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "parent",
            "name",
            "max_points",
            "source",
            "requirement_key",
            "target",
            "missing_full",
            "guidance",
            "sort",
        ]

    def __init__(self, *args, appraisal: Appraisal, **kwargs):
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
        qs = appraisal.indicators.filter(parent__isnull=True, is_active=True).order_by("sort", "id")
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = qs
        self.fields["parent"].empty_label = "（无：一级指标）"
        self.fields["parent"].help_text = "选择一级指标则本指标为其二级指标"

    def clean(self):
        data = super().clean()
        if data.get("source") == IndicatorSource.COMPLIANCE and data.get("requirement_key"):
            from dangjian.compliance.models import Requirement

            if not Requirement.objects.filter(key=data["requirement_key"]).exists():
                self.add_error(
                    "requirement_key", "没有这个组织生活要求代码，请在“组织生活要求”中查看后填写，或留空"
                )
        return data


class AdjustmentForm(ChineseForm):
    organization = forms.ModelChoiceField(label="党组织", queryset=None)
    kind = forms.ChoiceField(label="类型", choices=AdjustmentKind.choices)
    points = forms.DecimalField(
        label="分值", min_value=0, max_digits=6, decimal_places=2, required=False, help_text="一票否决不填"
    )
    reason = forms.CharField(label="事由", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = orgs
