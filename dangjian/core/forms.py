"""Filters of the audit log page."""

from __future__ import annotations

from functools import cache
from typing import cast

from django import forms
from django.apps import apps

from .audit_events import filter_choices


@cache
def object_type_choices() -> list[tuple[str, str]]:
    """Every model of the project, labelled with its Chinese name (from the app registry; no query)."""
    choices = []
    for model in apps.get_models():
        if model.__module__.startswith("dangjian."):
            choices.append(
                (model._meta.label_lower, f"{model._meta.verbose_name}（{model._meta.label_lower}）")
            )
    return sorted(choices, key=lambda c: c[0])


def object_type_label(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name) if label else ""
    except (LookupError, ValueError):
        return label


class AuditFilterForm(forms.Form):
    start = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    action = forms.ChoiceField(label="事件", required=False)
    model = forms.ChoiceField(label="对象类型", required=False)
    q = forms.CharField(
        label="关键词 / 对象编号",
        required=False,
        max_length=100,
        help_text="等于对象编号，或对象名称、说明中包含的文字",
    )
    ip = forms.GenericIPAddressField(
        label="IP 地址", required=False, error_messages={"invalid": "请输入有效的 IP 地址"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["action"]).choices = [("", "全部"), *filter_choices()]
        cast(forms.ChoiceField, self.fields["model"]).choices = [("", "全部"), *object_type_choices()]

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "结束日期不能早于开始日期，请调整时间范围")
        return data
