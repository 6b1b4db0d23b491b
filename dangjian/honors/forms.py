from __future__ import annotations

from django import forms

from dangjian.core import uploads

from .models import HonorCategory, HonorLevel, HonorRound, ReviewRound


class ReviewRoundForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="名称", max_length=100)
    meeting_on = forms.DateField(
        label="述职评议会议日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReviewRuleForm(forms.ModelForm):
    class Meta:
        model = ReviewRound
        fields = ["good_share", "fairly_good_share", "poor_share", "evaluators"]
        widgets = {"evaluators": forms.CheckboxSelectMultiple}


class ReportForm(forms.Form):
    text = forms.CharField(label="述职报告", widget=forms.Textarea(attrs={"rows": 14}), required=False)
    file = forms.FileField(
        label="报告文件（PDF 或 Word）",
        required=False,
        help_text=uploads.POLICIES["report"].help_text,
        widget=forms.ClearableFileInput(attrs={"accept": uploads.POLICIES["report"].accept}),
    )

    def clean_file(self) -> uploads.Checked | None:
        """The one upload policy ('report'): size, and a whole PDF or Word document by its content."""
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        try:
            return uploads.check("report", upload)
        except uploads.UploadRefused as exc:
            raise forms.ValidationError(exc.messages, code=exc.code)


class HonorRoundForm(forms.ModelForm):
    class Meta:
        model = HonorRound
        fields = ["year", "title", "opens_on", "closes_on", "publicity_days", "quota_note"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", "推荐截止日期不能早于开始日期")
        return data


class NominationForm(forms.Form):
    category = forms.ChoiceField(label="推荐类别", choices=HonorCategory.choices)
    organization = forms.ModelChoiceField(queryset=None, label="推荐单位（先进基层党组织为被推荐组织）")
    member = forms.ModelChoiceField(queryset=None, label="被推荐党员（推荐组织时不填）", required=False)
    deeds = forms.CharField(label="主要事迹", widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, orgs=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = orgs
        self.fields["member"].queryset = members


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label="收到日期", widget=forms.DateInput(attrs={"type": "date"}))
    content = forms.CharField(label="反映内容", widget=forms.Textarea(attrs={"rows": 4}))


class ExternalHonorForm(forms.Form):
    title = forms.CharField(label="荣誉称号", max_length=100)
    category = forms.CharField(label="类别", max_length=20, initial="优秀共产党员")
    level = forms.ChoiceField(label="级别", choices=HonorLevel.choices)
    awarded_on = forms.DateField(label="表彰日期", widget=forms.DateInput(attrs={"type": "date"}))
    awarded_by = forms.CharField(label="表彰机关", max_length=100)
    member = forms.ModelChoiceField(queryset=None, label="党员", required=False)
    organization = forms.ModelChoiceField(queryset=None, label="党组织（表彰组织时选择）", required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, orgs=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = orgs
        self.fields["member"].queryset = members
