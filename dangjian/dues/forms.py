from __future__ import annotations

from typing import Any

from django import forms

from . import rules
from .importing import parse_month
from .models import CaseOutcome, DuesConfig, PaymentMethod, StepKind

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_WIDGET = forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


class MonthField(forms.CharField):
    """所属月份 written 2026-03 (an <input type="month"> sends that); cleaned to the month's first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-03", "pattern": r"\d{4}-\d{2}"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError:
            raise forms.ValidationError("月份格式不正确，请写作 2026-03（年-月）") from None


class _Named(forms.Form):
    """Each "required" message names its field (Django's says only “这个字段是必填项。”)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            verb = "请选择" if isinstance(field, forms.ChoiceField) else "请填写"
            field.error_messages["required"] = f"{verb}{field.label}"


class PaymentForm(_Named):
    member = forms.ModelChoiceField(queryset=None, label="党员")
    month = MonthField(label="所属月份", help_text="交纳的是哪个月的党费；补交往月、预交下月均按所属月份登记")
    amount = forms.DecimalField(
        label="金额（元）", min_value=rules.FEN, max_digits=10, decimal_places=2, widget=MONEY_WIDGET
    )
    paid_on = forms.DateField(label="缴纳日期", widget=DATE_WIDGET)
    method = forms.ModelChoiceField(queryset=None, label="方式", empty_label=None)
    collected_by = forms.CharField(label="收缴人", max_length=40, required=False)
    proxy_name = forms.CharField(
        label="代交人", max_length=40, required=False, help_text="委托他人代交时填写"
    )
    consent = forms.BooleanField(
        label="经党支部同意", required=False, help_text="按季度预交或委托他人代交须经党支部同意"
    )
    voluntary = forms.BooleanField(
        label="自愿多交",
        required=False,
        help_text="在应交党费之外自愿多交的部分单独登记；一次1000元以上的全额上缴中央",
    )
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, members=None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda m: (
            f"{m.name}（{m.organization.short_name or m.organization.name}）"
        )
        self.fields["method"].queryset = PaymentMethod.objects.filter(is_active=True)
        self.fields["paid_on"].error_messages["invalid"] = (
            "缴纳日期格式不正确，请按“年-月-日”填写，如 2026-03-05"
        )


class BaseForm(_Named):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    effective_month = forms.TypedChoiceField(
        label="生效月份",
        coerce=int,
        choices=[(m, f"{m}月") for m in range(1, 13)],
        help_text="年初核定的选1月；年内收入变化的，从按新标准领取工资的当月起（党费规定第十条）",
    )
    income = forms.DecimalField(
        label="月收入（元）",
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        widget=MONEY_WIDGET,
        help_text="在职党员填税后相对固定的经常性工资收入，离退休党员填离退休费或养老金总额；学生、下岗失业、农牧渔民等按固定数额交纳的可不填",
    )
    relief = forms.BooleanField(
        label="减免",
        required=False,
        help_text="交纳确有困难（如领取最低生活保障金），经上一级党委批准少交或免交",
    )
    relief_amount = forms.DecimalField(
        label="减免后每月交纳（元）",
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        widget=MONEY_WIDGET,
        help_text="少交的填数额；留空表示免交",
    )
    relief_reason = forms.CharField(label="减免原因", max_length=200, required=False)
    approved_by = forms.CharField(label="批准机关", max_length=100, required=False, help_text="上一级党委")
    approved_on = forms.DateField(label="批准日期", required=False, widget=DATE_WIDGET)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("relief") and not data.get("approved_on"):
            self.add_error("approved_on", "减免须经上一级党委批准，请填写批准日期")
        return data


class RemittanceForm(_Named):
    organization = forms.ModelChoiceField(queryset=None, label="上缴党组织", empty_label=None)
    month = MonthField(label="所属月份", help_text="按季度上缴的，选季末月份")
    amount = forms.DecimalField(
        label="金额（元）", min_value=rules.FEN, max_digits=12, decimal_places=2, widget=MONEY_WIDGET
    )
    remitted_on = forms.DateField(label="上缴日期", widget=DATE_WIDGET)
    receipt_no = forms.CharField(label="收据编号", max_length=40, required=False)
    handled_by = forms.CharField(label="经办人", max_length=40, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, orgs=None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = orgs


class CaseForm(_Named):
    opened_on = forms.DateField(label="登记日期", widget=DATE_WIDGET)
    note = forms.CharField(
        label="情况说明", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StepForm(_Named):
    kind = forms.ChoiceField(label="处置环节", choices=StepKind.choices)
    date = forms.DateField(label="日期", widget=DATE_WIDGET)
    people = forms.CharField(label="参加人 / 经办人", max_length=100, required=False)
    valid_reason = forms.TypedChoiceField(
        label="是否有正当理由",
        required=False,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        choices=[("", "（认定理由时选择）"), ("yes", "有正当理由"), ("no", "无正当理由")],
    )
    note = forms.CharField(
        label="情况记录", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(_Named):
    outcome = forms.ChoiceField(label="处置结果", choices=CaseOutcome.choices)
    closed_on = forms.DateField(label="结案日期", widget=DATE_WIDGET)


class VoidForm(forms.Form):
    reason = forms.CharField(label="作废原因", max_length=100)


class ConfigForm(forms.ModelForm):
    class Meta:
        model = DuesConfig
        fields = ["start_rule", "farmer_amount", "remind_months", "flag_months"]
        widgets = {"farmer_amount": MONEY_WIDGET}


class MethodForm(_Named):
    name = forms.CharField(label="收缴方式名称", max_length=20)
    needs_proxy = forms.BooleanField(label="须登记代交人", required=False)
