from __future__ import annotations

from django import forms

from .models import StudyConfig, StudyForm


class RecordForm(forms.Form):
    member = forms.ModelChoiceField(queryset=None, label="党员")
    day = forms.DateField(label="学习日期", widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(
        label="学时",
        min_value=0.1,
        max_value=24,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    content = forms.CharField(label="学习内容", max_length=200)
    form = forms.ChoiceField(label="学习形式", choices=StudyForm.choices)

    def __init__(self, *args, members=None, self_report: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        # Name the field in each message (Django's own says only “这个字段是必填项。”).
        for field in self.fields.values():
            verb = "请选择" if isinstance(field, forms.ChoiceField) else "请填写"
            field.error_messages["required"] = f"{verb}{field.label}"
        self.fields["day"].error_messages["invalid"] = "学习日期格式不正确，请按“年-月-日”填写，如 2026-03-15"
        if self_report:
            self.fields["member"].widget = forms.HiddenInput()
            self.fields["form"].choices = [(StudyForm.SELF, "个人自学"), (StudyForm.ONLINE, "网络平台")]


class ConfigForm(forms.ModelForm):
    class Meta:
        model = StudyConfig
        fields = ["member_hours", "leader_hours", "activity_hours", "remind_from_month", "citation"]

    def clean_remind_from_month(self):
        value = self.cleaned_data["remind_from_month"]
        if not 1 <= value <= 12:
            raise forms.ValidationError("月份应在 1 到 12 之间")
        return value
