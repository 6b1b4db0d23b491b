"""Forms of the activity pages. Validation of the record itself lives in services (shared with the import)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from dangjian.core.dates import DateParseError, parse_date
from dangjian.members.models import Member
from dangjian.orgs.models import Organization, PartyGroup

from . import meetings, rules
from .models import ActivityKind, ActivityStatus, KindAudience

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.short_name or obj.name


class KindChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: ActivityKind) -> str:
        return obj.name


class ActivityForm(forms.Form):
    organization = OrgChoiceField(
        label="党组织",
        queryset=Organization.objects.none(),
        empty_label=None,
        error_messages={"required": "请选择党组织"},
    )
    kinds = KindChoiceField(
        label="活动类型",
        queryset=ActivityKind.objects.none(),
        to_field_name="key",
        error_messages={"required": "请至少选择一种活动类型", "invalid_choice": "活动类型“%(value)s”不可用"},
    )
    date = forms.DateField(label="日期", widget=DATE_INPUT, error_messages={"required": "请填写活动日期"})
    start_time = forms.TimeField(
        label="开始时间",
        required=False,
        widget=TIME_INPUT,
        error_messages={"invalid": "请按“时:分”填写开始时间"},
    )
    end_time = forms.TimeField(
        label="结束时间",
        required=False,
        widget=TIME_INPUT,
        error_messages={"invalid": "请按“时:分”填写结束时间"},
    )
    topic = forms.CharField(label="主题", max_length=200, error_messages={"required": "请填写活动主题"})
    host = forms.CharField(label="主持人", max_length=40, required=False)
    place = forms.CharField(label="地点", max_length=100, required=False)
    speaker = forms.CharField(label="主讲人", max_length=40, required=False)
    site = forms.CharField(label="教学地点（基地）", max_length=100, required=False)
    party_group = forms.ModelChoiceField(
        label="党小组", queryset=PartyGroup.objects.none(), required=False, empty_label="请选择党小组"
    )
    talk_a = forms.ModelChoiceField(label="谈话人", queryset=Member.objects.all(), required=False)
    talk_b = forms.ModelChoiceField(label="谈话对象", queryset=Member.objects.all(), required=False)
    hours = forms.DecimalField(label="学时", max_digits=4, decimal_places=1, required=False, min_value=0)
    minutes = forms.CharField(
        label="会议记录 / 内容摘要", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    resolutions = forms.CharField(label="决议事项", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = forms.CharField(label="修改原因", max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    roster = forms.CharField(widget=forms.HiddenInput, required=False)
    # The bureau's own meetings (activities.meetings): shown when one of their kinds is chosen.
    attendees = forms.CharField(label="参会人员", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    deployment = forms.CharField(
        label="部署的重点工作", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    study_subjects = forms.CharField(
        label="学习篇目/专题（一行一项）", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    opinions_solicited = forms.CharField(
        label="会前征求意见", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    self_examination = forms.CharField(
        label="对照检查", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    rectification_list = forms.CharField(
        label="整改清单（一行一项：问题、措施、责任人、时限）",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        orgs: QuerySet[Organization],
        kinds: QuerySet[ActivityKind],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = orgs
        self.fields["kinds"].queryset = kinds
        self.fields["party_group"].queryset = PartyGroup.objects.filter(organization__in=orgs)
        self.kind_list = list(kinds)

    def kind_options(self) -> list[dict[str, Any]]:
        """The kinds as big tap targets, with the details each one calls for (CSS shows those fields)."""
        chosen = set(self["kinds"].value() or [])
        return [
            {
                "kind": k,
                "checked": k.key in chosen,
                "flags": " ".join(
                    f
                    for f, on in (
                        ("speaker", k.needs_speaker),
                        ("site", k.needs_site),
                        ("study", k.credits_study),
                        ("group", k.audience == KindAudience.GROUP),
                        ("talk", k.audience == KindAudience.TALK),
                        *((f"bm-{f}", True) for f in meetings.fields_for([k])),
                    )
                    if on
                ),
            }
            for k in self.kind_list
        ]

    def meeting_fields(self) -> list[dict[str, Any]]:
        """The bureau-meeting detail fields, each shown (CSS) when a kind calling for it is ticked."""
        chosen = [k for k in self.kind_list if k.key in set(self["kinds"].value() or [])]
        shown = set(meetings.fields_for(chosen))
        return [{"field": self[f], "shown": f in shown} for f in meetings.DETAIL_FIELDS]

    def clean(self) -> dict[str, Any]:
        cd = super().clean()
        for name, message in meetings.missing(cd.get("kinds") or [], cd).items():
            self.add_error(name, message)
        return cd

    def roster_ids(self) -> list[int] | None:
        text = (self.cleaned_data.get("roster") or "").strip() if hasattr(self, "cleaned_data") else ""
        if not text:
            return None
        try:
            return [int(x) for x in text.split(",") if x]
        except ValueError:
            return None


def absences_from(data: QueryDict) -> dict[int, tuple[str, str]]:
    """Tap-to-mark-absent: `absent` carries member ids; `reason_<id>` / `note_<id>` the reason and a note."""
    out: dict[int, tuple[str, str]] = {}
    for raw in data.getlist("absent"):
        try:
            member_id = int(raw)
        except (TypeError, ValueError):
            continue
        reason = (data.get(f"reason_{member_id}") or "").strip()
        note = (data.get(f"note_{member_id}") or "").strip()[:100]
        out[member_id] = (reason, note)
    return out


def date_from(value: Any, default: date) -> date:
    try:
        return parse_date(value) or default
    except DateParseError:
        return default


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="作废原因", max_length=200, error_messages={"required": "作废须填写作废原因"}
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "审核通过"), ("return", "退回")])
    comment = forms.CharField(label="审核意见", max_length=300, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


STATUS_FILTERS = [
    ("", "全部（不含作废）"),
    *ActivityStatus.choices,
    ("no_quorum", "未达法定人数"),
    ("voided", "已作废"),
]


class ListFilterForm(forms.Form):
    org = forms.ModelChoiceField(
        label="党组织（含下级）", queryset=Organization.objects.none(), required=False
    )
    kind = forms.ModelChoiceField(
        label="活动类型", queryset=ActivityKind.objects.all(), to_field_name="key", required=False
    )
    start = forms.DateField(label="起始日期", required=False, widget=DATE_INPUT)
    end = forms.DateField(label="截止日期", required=False, widget=DATE_INPUT)
    status = forms.ChoiceField(label="状态", choices=STATUS_FILTERS, required=False)
    q = forms.CharField(label="主题", required=False, max_length=50)

    def __init__(self, *args: Any, orgs: QuerySet[Organization], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
        self.fields["org"].label_from_instance = lambda o: (
            ("　" * max(o.depth - 1, 0)) + (o.short_name or o.name)
        )


class KindForm(forms.ModelForm):
    key = forms.SlugField(
        label="代码",
        max_length=40,
        required=False,
        help_text="英文字母、数字、下划线；留空自动生成。保存后不能修改。",
    )

    class Meta:
        model = ActivityKind
        fields = [
            "name",
            "synonyms",
            "audience",
            "needs_quorum",
            "needs_speaker",
            "needs_site",
            "credits_study",
            "sort",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["key"]
            if self.instance.is_builtin:
                for name in list(self.fields):
                    if name not in ("name", "synonyms", "sort"):
                        self.fields[name].disabled = True


ABSENCE_REASONS = rules.ABSENCE_REASONS
