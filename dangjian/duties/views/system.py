"""责任体系: the leading group (组长, 副组长, 成员, 办公室) and the first responsible person of each organisation."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dangjian.accounts import scope
from dangjian.core.actions import Refusal, refusal_to_form
from dangjian.orgs.models import Post, PostTitle

from .. import services
from ..access import bureau_required, business_required, writer_required
from ..forms import FirstResponsibleForm, GroupForm, GroupMemberForm
from ..models import GROUP_ROLE_ORDER, FirstResponsible, LeadingGroup, LeadingGroupMember
from .common import paginate

SECRETARY_TITLES = (PostTitle.DANGZU_SECRETARY, PostTitle.SECRETARY)


def _secretaries(org_ids: list[int]) -> dict[int, Post]:
    """The serving secretary of each organisation (the default first responsible person); one query."""
    found: dict[int, Post] = {}
    posts = Post.objects.filter(
        term__is_current=True,
        term__committee__organization_id__in=org_ids,
        title__in=SECRETARY_TITLES,
        ended_on__isnull=True,
    ).select_related("term__committee")
    for p in sorted(posts, key=lambda p: (SECRETARY_TITLES.index(p.title), p.sort, p.pk)):
        found.setdefault(p.term.committee.organization_id, p)
    return found


@business_required
def system(request: HttpRequest) -> HttpResponse:
    members = LeadingGroupMember.objects.filter(is_active=True).select_related("user")
    groups = list(
        LeadingGroup.objects.filter(is_active=True)
        .select_related("organization")
        .prefetch_related(Prefetch("members", queryset=members))
    )
    for g in groups:
        ordered = sorted(g.members.all(), key=lambda m: (GROUP_ROLE_ORDER[m.role], m.sort, m.pk))
        g.leading = [m for m in ordered if not m.is_office]
        g.office = [m for m in ordered if m.is_office]
    orgs = scope.visible_orgs(request.user).filter(dissolved_on__isnull=True).order_by("path")
    page = paginate(request, orgs)
    ids = [o.pk for o in page]
    firsts = {
        f.organization_id: f
        for f in FirstResponsible.objects.filter(organization_id__in=ids, is_current=True).select_related(
            "user"
        )
    }
    secretaries = _secretaries(ids)
    editable = set(scope.editable_orgs(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    rows = [
        {
            "org": o,
            "first": firsts.get(o.pk),
            "secretary": secretaries.get(o.pk),
            "editable": o.pk in editable,
        }
        for o in page
    ]
    return render(
        request,
        "duties/system.html",
        {
            "page_title": "责任体系",
            "groups": groups,
            "rows": rows,
            "page": page,
            "can_manage": scope.is_bureau_admin(request.user),
        },
    )


def _group_form(request: HttpRequest, group: LeadingGroup | None) -> HttpResponse:
    form = GroupForm(request.POST or None, instance=group)
    if group is None and request.method != "POST":
        root = services.bureau_org()
        form.initial.update(
            {"organization": root, "name": f"{root.short_name or root.name}党建工作领导小组" if root else ""}
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_group(
                group, form.data_for_service(), request.user, version=form.cleaned_data["version"]
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "领导小组信息已保存。")
            return redirect("duties:system")
    title = "新建领导小组" if group is None else f"修改：{group.name}"
    return render(request, "duties/form.html", {"page_title": title, "form": form, "back": "duties:system"})


@bureau_required
def group_create(request: HttpRequest) -> HttpResponse:
    return _group_form(request, None)


@bureau_required
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _group_form(request, get_object_or_404(LeadingGroup, pk=pk))


def _member_form(
    request: HttpRequest, group: LeadingGroup, member: LeadingGroupMember | None
) -> HttpResponse:
    form = GroupMemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_group_member(
                member, group, form.data_for_service(), request.user, version=form.cleaned_data["version"]
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "成员信息已保存。")
            return redirect("duties:system")
    title = f"{group.name}：{'添加成员' if member is None else '修改成员'}"
    return render(request, "duties/form.html", {"page_title": title, "form": form, "back": "duties:system"})


@bureau_required
def group_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_form(request, get_object_or_404(LeadingGroup, pk=pk), None)


@bureau_required
def group_member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(LeadingGroupMember.objects.select_related("group"), pk=pk)
    return _member_form(request, member.group, member)


@require_POST
@bureau_required
def group_member_retire(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(LeadingGroupMember, pk=pk)
    if member.is_active:
        services.retire_group_member(member, request.user)
        messages.success(request, f"已将{member.person_name}调整出领导小组（记录保留）。")
    else:
        messages.info(request, f"{member.person_name}此前已调整出领导小组。")
    return redirect("duties:system")


@writer_required
def first_responsible(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = scope.get_org_for_user(request.user, org_pk, write=True)
    current = FirstResponsible.objects.filter(organization=org, is_current=True).first()
    form = FirstResponsibleForm(request.POST or None, instance=current, actor=request.user)
    if current is None and request.method != "POST":
        sec = _secretaries([org.pk]).get(org.pk)
        if sec:
            form.initial.update({"person_name": sec.person_name, "post": sec.get_title_display()})
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("person_name", "post", "user", "since")}
        try:
            services.set_first_responsible(org, data, request.user)
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已确定{org.name}的第一责任人。")
            return redirect("duties:system")
    history = FirstResponsible.objects.filter(organization=org).order_by("-id")
    return render(
        request,
        "duties/first_responsible.html",
        {"page_title": f"第一责任人：{org.name}", "form": form, "org": org, "history": history},
    )
