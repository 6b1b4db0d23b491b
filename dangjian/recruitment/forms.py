"""Forms of the 发展党员 pages: step 1 (a new 入党申请人), the form of each later step (its fields follow the
step), a superior's waiver, 终止, and the 公示 settings. The rules themselves are services' and rules.py's; the
forms only read the input (the roster cleaners of members.rules for the person's facts)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet

from dangjian.members import rules as member_rules
from dangjian.members.choices import ETHNICITIES, Category, Education, Gender
from dangjian.members.forms import DATE_WIDGET, OrgChoiceField, name_required_messages
from dangjian.members.models import Member
from dangjian.orgs.models import Organization, PartyGroup

from . import rules
from .services import Applicant, StepInput


def _blank(label: str, values: list[str]) -> list[tuple[str, str]]:
    return [("", label), *[(v, v) for v in values]]


def _day(value: Any, label: str, *, required: bool = True) -> date | None:
    try:
        day = member_rules.parse_day(value, label)
    except member_rules.RuleError as exc:
        raise forms.ValidationError(str(exc))
    if day is None and required:
        raise forms.ValidationError(f"请填写{label}")
    return day


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiFileField(forms.FileField):
    widget = MultiFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultiFileField, self).clean(f, initial) for f in files]


class DocumentFields(forms.Form):
    document_no = forms.CharField(
        label="文件编号", required=False, max_length=100, help_text="如党委批复文号"
    )
    documents = MultiFileField(
        label="上传材料", required=False, help_text="图片或 PDF，可多选；也可只填写文件编号"
    )
    notes = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ApplicationForm(DocumentFields):
    """Step 1: 递交入党申请书 creates the candidate."""

    organization = OrgChoiceField(label="受理的党支部", queryset=Organization.objects.none())
    name = forms.CharField(label="姓名", max_length=40)
    id_number = forms.CharField(
        label="公民身份号码", max_length=40, help_text="18位；末位 X 大小写均可",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )  # fmt: skip
    gender = forms.ChoiceField(
        label="性别", required=False, choices=_blank("按身份证号码自动填写", list(Gender.values))
    )
    ethnicity = forms.ChoiceField(label="民族", required=False, choices=_blank("（未填写）", ETHNICITIES))
    education = forms.ChoiceField(
        label="学历", required=False, choices=_blank("（未填写）", list(Education.values))
    )
    category = forms.ChoiceField(label="人员类别", choices=[(v, v) for v in Category.values])
    workplace = forms.CharField(label="工作单位及职务", required=False, max_length=100)
    phone = forms.CharField(label="联系电话", required=False, max_length=40)
    frontline = forms.BooleanField(label="生产、工作一线", required=False)
    applied_on = forms.CharField(label="递交入党申请书日期", widget=DATE_WIDGET)

    field_order = [
        "organization", "name", "id_number", "gender", "ethnicity", "education", "category", "workplace",
        "phone", "frontline", "applied_on", "document_no", "documents", "notes",
    ]  # fmt: skip

    def __init__(self, *args: Any, orgs: QuerySet[Organization], today: date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = orgs
        if orgs.count() == 1 and not self.is_bound:
            self.initial["organization"] = orgs.first()
        if not self.is_bound:
            self.initial["applied_on"] = today.isoformat()
        name_required_messages(self)
        self.person: Applicant | None = None

    def clean_applied_on(self) -> date | None:
        return _day(self.cleaned_data.get("applied_on"), "递交入党申请书日期")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors: dict[str, str] = {}

        def run(name: str, fn: Any, *args: Any) -> Any:
            try:
                return fn(data.get(name), *args)
            except member_rules.RuleError as exc:
                errors[name] = str(exc)
                return None

        name = run("name", member_rules.clean_name)
        ident = run("id_number", member_rules.clean_id_number)
        gender = run("gender", member_rules.clean_gender, ident.gender if ident else None)
        ethnicity = run("ethnicity", member_rules.clean_ethnicity)
        education = run("education", member_rules.clean_education)
        category = run("category", member_rules.clean_category)
        workplace = run("workplace", member_rules.clean_workplace)
        phone = run("phone", member_rules.clean_phone)
        for f, message in errors.items():
            if f not in self.errors:
                self.add_error(f, message)
        if not errors and ident is not None:
            self.person = Applicant(
                name=name,
                id_number=ident.number,
                gender=gender or ident.gender,
                birth_date=ident.birth_date,
                ethnicity=ethnicity or "",
                education=education or "",
                category=category or Category.SERVING,
                workplace=workplace or "",
                phone=phone or "",
                frontline=bool(data.get("frontline")),
            )
        return data


class PeopleField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name}（{'正式党员' if obj.full_date else '预备党员'}）"


class StepForm(DocumentFields):
    """The form of step `number`: the date, the document, and the fields that step carries."""

    on = forms.CharField(label="日期", widget=DATE_WIDGET)
    version = forms.IntegerField(widget=forms.HiddenInput)
    override_reason = forms.CharField(
        label="时限例外理由（上级党委）",
        required=False,
        max_length=300,
        help_text="仅在时限要求（如满一年、公示期、审批期限）不满足而确需办理时填写；将记入审计日志",
    )

    def __init__(
        self,
        *args: Any,
        number: int,
        candidate: Any,
        today: date,
        members: QuerySet[Member],
        assemblies: QuerySet[Any],
        groups: QuerySet[PartyGroup],
        full_members: int | None = None,
        superior: bool = False,
        publicity_end_hint: date | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.number = number
        self.step = rules.STEPS[number]
        self.fields["on"].label = f"{self.step.label}日期"
        f = self.fields
        if number in (2, 16):
            f["talker"] = forms.CharField(label="谈话人", max_length=40, help_text="派出谈话的同志姓名和职务")
        if number == 3:
            f["source"] = forms.ChoiceField(
                label="产生方式", choices=[(s, s) for s in rules.RECOMMEND_SOURCES], widget=forms.RadioSelect
            )
        if number in rules.DECISION_STEPS:
            body = rules.decision_body(full_members) if full_members is not None else rules.COMMITTEE
            f["body"] = forms.ChoiceField(
                label="决定机构",
                choices=[(rules.COMMITTEE, rules.COMMITTEE), (rules.ASSEMBLY, rules.ASSEMBLY)],
                initial=body,
                help_text=(
                    f"本支部现有正式党员 {full_members} 名；"
                    + (
                        "设支部委员会，由支部委员会研究决定"
                        if body == rules.COMMITTEE
                        else "不足7名、不设支部委员会，由支部大会研究决定"
                    )
                )
                if full_members is not None
                else "",
            )
        if number == 5:
            f["people"] = PeopleField(
                label="培养联系人", queryset=members, help_text="本支部一至两名正式党员"
            )
        if number == 9:
            f["people"] = PeopleField(label="入党介绍人", queryset=members, help_text="本支部两名正式党员")
        if number in (6, 21):
            f["notes"].required = True
            f["notes"].label = "考察情况"
        if number == 7:
            f["opinions_heard"] = forms.BooleanField(
                label="已听取党小组、培养联系人、党员和群众的意见", required=False
            )
        if number == 10:
            f["outcome"] = forms.ChoiceField(
                label="政治审查结论", choices=[(rules.PASS, rules.PASS), (rules.FAIL, rules.FAIL)],
                widget=forms.RadioSelect,
            )  # fmt: skip
        if number == 11:
            f["course"] = forms.CharField(label="培训班名称", required=False, max_length=100)
            f["training_days"] = forms.DecimalField(label="培训天数", required=False, min_value=0, max_digits=4,
                                                    decimal_places=1)  # fmt: skip
            f["training_hours"] = forms.DecimalField(label="培训学时", required=False, min_value=0, max_digits=5,
                                                     decimal_places=1, help_text="不少于3天或24学时")  # fmt: skip
        if number == 12:
            f["publicity_start"] = forms.CharField(label="公示开始日期", widget=DATE_WIDGET)
            f["publicity_end"] = forms.CharField(
                label="公示结束日期", widget=DATE_WIDGET, help_text="预审前公示不少于规定的工作日数"
            )
        if number in rules.ASSEMBLY_STEPS:
            f["activity"] = forms.ModelChoiceField(
                label="支部党员大会记录",
                queryset=assemblies,
                help_text="请先在“组织生活”登记本次支部党员大会（含有表决权党员的应到、实到人数）",
            )
            f["activity"].label_from_instance = lambda a: (  # type: ignore[attr-defined]
                f"{a.date:%Y-%m-%d} {a.topic}（有表决权应到{a.voting_expected}、实到{a.voting_present}）"
            )
            f["votes_for"] = forms.IntegerField(
                label="赞成票数", min_value=0, help_text="含会前提出书面意见的有表决权的正式党员"
            )
            f["on"].required = False
            f["on"].help_text = "留空即取支部党员大会的日期"
        if number == 23:
            f["outcome"] = forms.ChoiceField(
                label="支部大会决议", choices=[(d, d) for d in rules.FULL_DECISIONS], widget=forms.RadioSelect
            )
            f["months"] = forms.IntegerField(
                label="延长预备期（月）", required=False, min_value=0, max_value=24, help_text="延长时填写，6至12个月"
            )  # fmt: skip
        if number == 19 and groups.exists():
            f["party_group"] = forms.ModelChoiceField(label="编入党小组", queryset=groups, required=False)
        if number == 25:
            f["dossier"] = forms.MultipleChoiceField(
                label="发展党员档案材料", choices=[(d, d) for d in rules.DOSSIER],
                widget=forms.CheckboxSelectMultiple, required=False, help_text="材料齐全方可归档",
            )  # fmt: skip
        if not superior:
            del f["override_reason"]
        # field order: the step's own fields first, then the document
        order = ["on", *[n for n in f if n not in ("on", "document_no", "documents", "notes", "version",
                                                    "override_reason")], "notes", "document_no", "documents"]  # fmt: skip
        if superior:
            order.append("override_reason")
        self.order_fields(order)
        name_required_messages(self)
        if not self.is_bound:
            self.initial["on"] = today.isoformat()
            self.initial["version"] = candidate.version
            if number == 12:
                self.initial["publicity_start"] = today.isoformat()
                if publicity_end_hint is not None:
                    self.initial["publicity_end"] = publicity_end_hint.isoformat()

    def clean_on(self) -> date | None:
        return _day(self.cleaned_data.get("on"), self.fields["on"].label, required=self.fields["on"].required)

    def clean_publicity_start(self) -> date | None:
        return _day(self.cleaned_data.get("publicity_start"), "公示开始日期")

    def clean_publicity_end(self) -> date | None:
        return _day(self.cleaned_data.get("publicity_end"), "公示结束日期")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            self.number in rules.ASSEMBLY_STEPS
            and data.get("on") is None
            and data.get("activity") is not None
        ):
            data["on"] = data["activity"].date
        if self.number == 23 and data.get("outcome") == rules.EXTEND and not data.get("months"):
            self.add_error("months", "延长预备期时请填写延长的月数（6至12个月）")
        return data

    def step_input(self, files: list[Any]) -> StepInput:
        d = self.cleaned_data
        return StepInput(
            on=d["on"],
            outcome=d.get("outcome") or "",
            body=d.get("body") or "",
            source=d.get("source") or "",
            opinions_heard=bool(d.get("opinions_heard")),
            people=list(d.get("people") or []),
            training_days=d.get("training_days"),
            training_hours=d.get("training_hours"),
            course=d.get("course") or "",
            publicity_start=d.get("publicity_start"),
            publicity_end=d.get("publicity_end"),
            activity=d.get("activity"),
            votes_for=d.get("votes_for"),
            months=d.get("months") or 0,
            dossier=list(d.get("dossier") or []),
            party_group=d.get("party_group"),
            talker=d.get("talker") or "",
            document_no=d.get("document_no") or "",
            notes=d.get("notes") or "",
            uploads=files,
        )


class OverrideForm(forms.Form):
    number = forms.TypedChoiceField(label="步骤", coerce=int)
    reason = forms.CharField(label="理由", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, numbers: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["number"].choices = [(n, rules.STEPS[n].title) for n in numbers]  # type: ignore[attr-defined]
        name_required_messages(self)


class TerminateForm(forms.Form):
    on = forms.CharField(label="终止日期", widget=DATE_WIDGET)
    reason = forms.CharField(
        label="终止原因", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="如本人撤回申请、调离本单位、经考察不具备条件等",
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, candidate: Any, today: date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_required_messages(self)
        if not self.is_bound:
            self.initial.update(on=today.isoformat(), version=candidate.version)

    def clean_on(self) -> date | None:
        return _day(self.cleaned_data.get("on"), "终止日期")


class SettingsForm(forms.Form):
    publicity_workdays = forms.IntegerField(label="发展对象公示（工作日）", min_value=1, max_value=30)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class HolidayForm(forms.Form):
    date = forms.CharField(label="日期", widget=DATE_WIDGET)
    name = forms.CharField(label="名称", max_length=40, help_text="如“国庆节”“国庆调休”")
    is_workday = forms.BooleanField(label="调休上班（周末为工作日）", required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_required_messages(self)

    def clean_date(self) -> date | None:
        return _day(self.cleaned_data.get("date"), "日期")


class PlanForm(forms.Form):
    quota = forms.IntegerField(label="发展名额", min_value=0, max_value=999)
    frontline = forms.IntegerField(label="其中：生产、工作一线", min_value=0, max_value=999, required=False)
    youth = forms.IntegerField(label="其中：35岁及以下青年", min_value=0, max_value=999, required=False)
    educated = forms.IntegerField(label="其中：大专及以上学历", min_value=0, max_value=999, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_required_messages(self)
