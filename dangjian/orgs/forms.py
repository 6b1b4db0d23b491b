"""Forms of the organisation pages. They parse and check input; writes go through orgs.services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from dangjian.core.idnumber import IdNumberError, parse_id_number

from .models import CommitteeKind, Organization, OrgKind, PostTitle, RenewalStepKind, Unit, UnitKind
from .services import PostInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ELECTED_TITLES = [c for c in PostTitle.choices if not c[0].startswith("dangzu_")]
FULL_TIME_CHOICES = [("0", "兼职"), ("1", "专职")]


class Form(forms.Form):
    """Labels without the trailing colon: the layout sets them apart."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _version() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, required=False)


def org_label(org: Organization) -> str:
    return f"{'　' * (org.depth - 1)}{org.name}（{org.code}）"


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return org_label(obj)


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class OrganizationForm(Form):
    parent = OrgChoiceField(label="上级党组织", queryset=Organization.objects.none(), required=False)
    name = forms.CharField(label="组织名称", max_length=100, help_text="全称，如“中共××公司支部委员会”")
    short_name = forms.CharField(label="简称", max_length=40, required=False)
    code = forms.CharField(label="组织代码", max_length=32, required=False, help_text="留空则自动生成")
    kind = forms.ChoiceField(label="组织类别", choices=OrgKind.choices)
    units = UnitsField(
        label="所在单位",
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        help_text="联合党支部可选多个单位（一般不超过5个）；按住 Ctrl 多选",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    founded_on = forms.DateField(label="成立日期", required=False, widget=DATE)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = _version()

    def __init__(self, *args: Any, parents=None, creating: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if creating and parents is not None:
            self.fields["parent"].queryset = parents
            self.fields["parent"].empty_label = "（无上级：作为最上级党组织）"
        else:
            del self.fields["parent"]


class MoveForm(Form):
    parent = OrgChoiceField(label="新的上级党组织", queryset=Organization.objects.none())
    version = _version()

    def __init__(self, *args: Any, parents=None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class DissolveForm(Form):
    dissolved_on = forms.DateField(label="撤销日期", widget=DATE)
    reason = forms.CharField(
        label="撤销原因及上级批复文号", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = _version()


class UnitForm(Form):
    name = forms.CharField(label="单位名称", max_length=100)
    kind = forms.ChoiceField(label="单位类别", choices=UnitKind.choices)
    note = forms.CharField(label="备注", max_length=200, required=False)
    is_active = forms.BooleanField(label="在册", required=False, initial=True)
    version = _version()


class UnitKindChangeForm(Form):
    """变更: the unit's kind from a day on; the earlier kind stays on record for figures of earlier days."""

    kind = forms.ChoiceField(label="变更后的单位类别", choices=UnitKind.choices)
    valid_from = forms.DateField(
        label="变更日期", widget=DATE, help_text="自该日起按新类别统计；此前仍按原类别"
    )
    note = forms.CharField(
        label="变更依据", max_length=200, required=False, help_text="如批复文号、法院裁定书文号"
    )
    version = _version()


class PartyGroupForm(Form):
    name = forms.CharField(label="党小组名称", max_length=60, help_text="如“第一党小组”")
    leader_name = forms.CharField(label="组长", max_length=40, required=False)
    is_active = forms.BooleanField(label="存续", required=False, initial=True)
    version = _version()


class TermForm(Form):
    number = forms.IntegerField(label="届次", min_value=1, max_value=99, initial=1, help_text="第几届")
    elected_on = forms.DateField(label="选举日期", widget=DATE)
    years = forms.IntegerField(
        label="任期（年）",
        min_value=1,
        max_value=10,
        required=False,
        help_text="留空按组织类别取默认值；届满日期自动计算",
    )
    committee_kind = forms.ChoiceField(label="设置方式", choices=CommitteeKind.choices)
    note = forms.CharField(label="备注", max_length=200, required=False)
    version = _version()


class ElectionForm(Form):
    elected_on = forms.DateField(label="选举大会日期", widget=DATE)
    number = forms.IntegerField(label="新一届届次", min_value=1, max_value=99)
    years = forms.IntegerField(
        label="任期（年）",
        min_value=1,
        max_value=10,
        required=False,
        help_text="留空按组织类别取默认值；届满日期自动计算",
    )
    committee_kind = forms.ChoiceField(label="设置方式", choices=CommitteeKind.choices)
    doc_number = forms.CharField(label="文号", max_length=60, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)


class DelayForm(Form):
    extended_to = forms.DateField(
        label="经批准延期至", widget=DATE, help_text="一般不超过1年（选举条例 第三条）"
    )
    reason = forms.CharField(
        label="延期理由及上级批复（文号）", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = _version()


class StepForm(Form):
    kind = forms.ChoiceField(choices=RenewalStepKind.choices, widget=forms.HiddenInput)
    done_on = forms.DateField(label="完成日期", widget=DATE)
    doc_number = forms.CharField(label="文号", max_length=60, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)


# --- posts ---------------------------------------------------------------------------------------------------
class MemberChoices:
    """The members a seat may be filled from, as select options, with their names and ID numbers."""

    def __init__(self, rows: Sequence[tuple[int, str, str, str]]):
        # rows: (pk, name, id_number, organisation name), already ordered
        self.by_pk = {str(pk): (name, idn) for pk, name, idn, _ in rows}
        groups: dict[str, list[tuple[str, str]]] = {}
        for pk, name, idn, org_name in rows:
            groups.setdefault(org_name, []).append((str(pk), f"{name}（…{idn[-4:]}）"))
        self.choices: list[Any] = [("", "（从党员名册中选择）")]
        if len(groups) == 1:
            self.choices += next(iter(groups.values()))
        else:
            self.choices += [(org, opts) for org, opts in groups.items()]
        self.by_id_number = {idn: str(pk) for pk, _, idn, _ in rows}


class PostRowForm(Form):
    pk = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.ChoiceField(label="职务", choices=[("", "—")] + ELECTED_TITLES, required=False)
    member = forms.ChoiceField(label="从名册选择", required=False)
    person_name = forms.CharField(label="或填写姓名", max_length=40, required=False)
    id_number = forms.CharField(label="公民身份号码", max_length=18, required=False)
    is_full_time = forms.TypedChoiceField(
        label="专职/兼职", choices=FULL_TIME_CHOICES, coerce=lambda v: v == "1", initial="0", required=False
    )
    ended_on = forms.DateField(label="离任日期", required=False, widget=DATE)

    def __init__(self, *args: Any, members: MemberChoices, allow_end: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.members = members
        self.fields["member"].choices = members.choices
        if not allow_end:
            del self.fields["ended_on"]

    def is_blank(self) -> bool:
        d = self.cleaned_data
        return not (d.get("member") or d.get("person_name") or d.get("id_number") or d.get("pk"))

    def clean_id_number(self) -> str:
        raw = (self.cleaned_data.get("id_number") or "").strip()
        if not raw:
            return ""
        try:
            return parse_id_number(raw).number
        except IdNumberError as exc:
            raise ValidationError(str(exc))

    def clean(self) -> dict[str, Any]:
        d = super().clean()
        if self.is_blank():
            return d
        if d.get("member"):
            name, idn = self.members.by_pk.get(d["member"], ("", ""))
            if not name:
                raise ValidationError("所选党员不在本组织名册中，请重新选择")
            d["person_name"], d["id_number"] = name, idn
        elif not (d.get("person_name") or "").strip():
            raise ValidationError("请从名册中选择任职人，或填写其姓名")
        if not d.get("title"):
            raise ValidationError(f"请为{d.get('person_name')}选择职务")
        return d

    def to_input(self) -> PostInput:
        d = self.cleaned_data
        return PostInput(
            title=d["title"],
            person_name=d["person_name"].strip(),
            id_number=d.get("id_number") or "",
            is_full_time=bool(d.get("is_full_time")),
            pk=d.get("pk"),
            ended_on=d.get("ended_on"),
        )


def post_formset(
    data: Any, members: MemberChoices, initial: list[dict[str, Any]], *, allow_end: bool, blank_rows: int
) -> forms.BaseFormSet:
    formset_class = forms.formset_factory(
        PostRowForm, extra=blank_rows, max_num=30, absolute_max=30, validate_max=True
    )
    return formset_class(
        data, initial=initial, prefix="posts", form_kwargs={"members": members, "allow_end": allow_end}
    )


def initial_posts(posts: Sequence[Any], members: MemberChoices) -> list[dict[str, Any]]:
    return [
        {
            "pk": p.pk,
            "title": p.title,
            "member": members.by_id_number.get(p.id_number, "") if p.id_number else "",
            "person_name": p.person_name,
            "id_number": p.id_number,
            "is_full_time": "1" if p.is_full_time else "0",
            "ended_on": p.ended_on,
        }
        for p in posts
    ]


def posts_from(formset: forms.BaseFormSet) -> list[PostInput]:
    return [f.to_input() for f in formset.forms if f.cleaned_data and not f.is_blank()]
