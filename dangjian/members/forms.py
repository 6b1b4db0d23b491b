"""Forms of the member pages. Every roster rule (rules.check_member) applies here too, with the same messages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet

from dangjian.orgs.models import BRANCH_KINDS, Organization, PartyGroup

from . import rules
from .choices import ETHNICITIES, Category, Education, EventKind, Gender

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# canonical roster column → form field
FIELD_OF_COLUMN = {
    rules.NAME: "name",
    rules.GENDER: "gender",
    rules.ETHNICITY: "ethnicity",
    rules.ID_NUMBER: "id_number",
    rules.BIRTH_DATE: "birth_date",
    rules.EDUCATION: "education",
    rules.JOIN_DATE: "join_date",
    rules.FULL_DATE: "full_date",
    rules.CATEGORY: "category",
    rules.ORGANIZATION: "organization",
    rules.WORKPLACE: "workplace",
    rules.PHONE: "phone",
}


def _blank(label: str, values: list[str]) -> list[tuple[str, str]]:
    return [("", label), *[(v, v) for v in values]]


def _date_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else (value or "")


def branch_choices(orgs: QuerySet[Organization]) -> QuerySet[Organization]:
    return orgs.filter(kind__in=BRANCH_KINDS, dissolved_on__isnull=True).order_by("path")


def name_required_messages(form: forms.Form) -> None:
    """“请填写入党日期” rather than Django's generic “这个字段是必填项”."""
    for field in form.fields.values():
        verb = "请选择" if isinstance(field, forms.ChoiceField | forms.ModelChoiceField) else "请填写"
        field.error_messages["required"] = f"{verb}{field.label}"
        if isinstance(field, forms.ModelChoiceField):
            field.error_messages["invalid_choice"] = (
                f"所选{field.label}不存在或不在您的管理范围内，请重新选择"
            )


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name}（{obj.code}）"


class MemberForm(forms.Form):
    """Create (with the organisation and how the member arrives) or edit (with the version seen)."""

    name = forms.CharField(label="姓名", max_length=40)
    id_number = forms.CharField(
        label="公民身份号码",
        max_length=40,
        help_text="18位；末位 X 大小写均可",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    gender = forms.ChoiceField(
        label="性别", required=False, choices=_blank("按身份证号码自动填写", list(Gender.values))
    )
    ethnicity = forms.ChoiceField(label="民族", required=False, choices=_blank("（未填写）", ETHNICITIES))
    birth_date = forms.CharField(
        label="出生日期",
        required=False,
        widget=DATE_WIDGET,
        help_text="可留空，按身份证号码填写；填写的须与号码一致",
    )
    education = forms.ChoiceField(
        label="学历", required=False, choices=_blank("（未填写）", list(Education.values))
    )
    join_date = forms.CharField(
        label="入党日期", widget=DATE_WIDGET, help_text="支部大会通过其为预备党员的日期"
    )
    full_date = forms.CharField(
        label="转正日期",
        required=False,
        widget=DATE_WIDGET,
        help_text="留空表示预备党员；应在入党满1年至满2年之间",
    )
    category = forms.ChoiceField(label="人员类别", choices=[(v, v) for v in Category.values])
    workplace = forms.CharField(label="工作单位及职务", required=False, max_length=200)
    phone = forms.CharField(
        label="联系电话", required=False, max_length=40, help_text="11位手机号码，或带区号的固定电话如 0394-1234567"
    )  # fmt: skip

    def __init__(self, *args: Any, today: date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.today = today
        self.facts: rules.MemberFacts | None = None
        name_required_messages(self)

    def roster_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {column: data.get(field) for column, field in FIELD_OF_COLUMN.items() if field in self.fields}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if any(f in self.errors for f in FIELD_OF_COLUMN.values()):
            return data
        facts, errors = rules.check_member(self.roster_values(), self.today)
        for column, _value, message in errors:
            self.add_error(FIELD_OF_COLUMN.get(column), message)
        self.facts = facts
        return data


class MemberCreateForm(MemberForm):
    HOW_JOIN, HOW_TRANSFER = "join", "transfer_in"
    organization = OrgChoiceField(label="所在党支部", queryset=Organization.objects.none())
    how = forms.ChoiceField(
        label="登记方式",
        choices=[
            (HOW_JOIN, "在本系统党组织入党（记“入党”变动）"),
            (HOW_TRANSFER, "从系统外党组织转入（记“转入”变动）"),
        ],
        initial=HOW_JOIN,
        widget=forms.RadioSelect,
    )
    transfer_on = forms.CharField(label="转入日期", required=False, widget=DATE_WIDGET)
    transfer_source = forms.CharField(
        label="转出单位（原党组织）", required=False, max_length=100, help_text="转入时必填：党员原所在的党组织名称"
    )  # fmt: skip

    field_order = [
        "organization", "name", "id_number", "gender", "ethnicity", "birth_date", "education", "join_date",
        "full_date", "category", "workplace", "phone", "how", "transfer_on", "transfer_source",
    ]  # fmt: skip

    def __init__(self, *args: Any, orgs: QuerySet[Organization], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = branch_choices(orgs)

    def roster_values(self) -> dict[str, Any]:
        values = super().roster_values()
        org = self.cleaned_data.get("organization")
        values[rules.ORGANIZATION] = org.name if org else ""
        return values

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("how") == self.HOW_TRANSFER:
            try:
                on = rules.parse_day(data.get("transfer_on"), "转入日期")
            except rules.RuleError as exc:
                self.add_error("transfer_on", str(exc))
            else:
                if on is None:
                    self.add_error("transfer_on", "请填写转入日期（接收组织关系介绍信的日期）")
                data["transfer_on"] = on
            if not (data.get("transfer_source") or "").strip():
                self.add_error("transfer_source", "请填写党员原所在的党组织名称")
        return data


class MemberEditForm(MemberForm):
    party_group = forms.ModelChoiceField(label="党小组", required=False, queryset=PartyGroup.objects.none())
    is_floating = forms.BooleanField(label="流动党员", required=False)
    floating_note = forms.CharField(label="流动去向", required=False, max_length=100)
    is_lost = forms.BooleanField(label="失联党员", required=False)
    lost_since = forms.CharField(label="失联日期", required=False, widget=DATE_WIDGET)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, member: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["party_group"].queryset = PartyGroup.objects.filter(
            organization_id=member.organization_id, is_active=True
        )
        if not self.is_bound:
            for name in self.fields:
                if name in ("version", "party_group"):
                    continue
                value = getattr(member, name)
                self.initial[name] = _date_text(value) if isinstance(value, date) else value
            self.initial["party_group"] = member.party_group_id
            self.initial["version"] = member.version

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            lost = rules.parse_day(data.get("lost_since"), "失联日期")
        except rules.RuleError as exc:
            self.add_error("lost_since", str(exc))
        else:
            if data.get("is_lost") and lost is None:
                self.add_error("lost_since", "标记为失联党员时，请填写失联日期")
            if lost is not None and lost > self.today:
                self.add_error("lost_since", "失联日期不能晚于今天")
            data["lost_since"] = lost if data.get("is_lost") else None
        if data.get("is_floating") and not (data.get("floating_note") or "").strip():
            self.add_error("floating_note", "标记为流动党员时，请填写流动去向")
        return data

    def changes(self) -> dict[str, Any]:
        assert self.facts is not None
        data = self.cleaned_data
        out: dict[str, Any] = {f: getattr(self.facts, f) for f in (
            "name", "gender", "ethnicity", "id_number", "birth_date", "education", "join_date", "full_date",
            "category", "workplace", "phone",
        )}  # fmt: skip
        out.update(
            party_group=data.get("party_group"),
            is_floating=bool(data.get("is_floating")),
            floating_note=(data.get("floating_note") or "").strip() if data.get("is_floating") else "",
            is_lost=bool(data.get("is_lost")),
            lost_since=data.get("lost_since"),
        )
        return out


class ActionForm(forms.Form):
    """The date, the version seen and a note; the subclasses add what the action needs."""

    on = forms.CharField(label="日期", widget=DATE_WIDGET)
    note = forms.CharField(
        label="说明", required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, member: Any, today: date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.member = member
        self.today = today
        name_required_messages(self)
        if not self.is_bound:
            self.initial.setdefault("on", today.isoformat())
            self.initial["version"] = member.version

    def clean_on(self) -> date:
        try:
            day = rules.parse_day(self.cleaned_data.get("on"), "日期")
        except rules.RuleError as exc:
            raise forms.ValidationError(str(exc))
        if day is None:
            raise forms.ValidationError("请填写日期")
        return day


class MoveForm(ActionForm):
    organization = OrgChoiceField(label="转往党支部", queryset=Organization.objects.none())

    field_order = ["organization", "on", "note"]

    def __init__(self, *args: Any, orgs: QuerySet[Organization], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = branch_choices(orgs).exclude(pk=self.member.organization_id)
        self.fields["on"].label = "转接日期"


LEAVE_KINDS = [
    (EventKind.TRANSFER_OUT, "转出（转往系统外党组织）"),
    (EventKind.SUSPENDED, "停止党籍"),
    (EventKind.LEFT, "出党（除名、开除、退党等）"),
    (EventKind.DECEASED, "死亡"),
]


class LeaveForm(ActionForm):
    kind = forms.ChoiceField(label="变动类型", choices=LEAVE_KINDS, widget=forms.RadioSelect)
    destination = forms.CharField(
        label="转往党组织",
        required=False,
        max_length=100,
        help_text="转出时必填：接收党员组织关系的党组织全称",
    )

    field_order = ["kind", "on", "destination", "note"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = "变动日期"
        self.fields["note"].help_text = "停止党籍、出党须写明原因及批准的会议或文件"


class RestoreForm(ActionForm):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = "恢复日期"
        self.fields["note"].help_text = "必填：批准恢复党籍的会议或文件"


class FullForm(ActionForm):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        first, last = rules.full_date_window(self.member.join_date)
        self.fields["on"].label = "转正日期"
        self.fields[
            "on"
        ].help_text = f"支部大会讨论通过转正的日期，应在 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 之间（预备期满1年，延长不超过1年）"
        if not self.is_bound:
            self.initial["on"] = min(first, self.today).isoformat() if first <= self.today else ""
