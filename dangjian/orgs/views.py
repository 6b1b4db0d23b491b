"""Pages of the organisation tree: the tree, an organisation's page, create / edit / move / dissolve,
units and party groups. Views parse input and check access; writes go through orgs.services."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from dangjian.accounts.policy import Perm, can
from dangjian.accounts.scope import get_object_for_user, is_bureau_admin, org_in_scope, visible_orgs
from dangjian.core.actions import refusal_to_form
from dangjian.members.choices import Status
from dangjian.members.models import Member

from . import services
from .access import (
    bureau_or_reader_view,
    bureau_view,
    business_view,
    can_edit,
    can_restructure,
    org_for_read,
    org_for_write,
    parent_choices,
    require_restructure,
    writer_view,
)
from .forms import DissolveForm, MoveForm, OrganizationForm, PartyGroupForm, UnitForm, UnitKindChangeForm
from .models import (
    RENEWAL_ORDER,
    Committee,
    CommitteeKind,
    Organization,
    OrgKind,
    PartyGroup,
    RenewalStepKind,
    Term,
    Unit,
    UnitKind,
)
from .picker import Option, search_options, top_options
from .terms import COMMITTEE_THRESHOLD, STATUS_TAG, term_status
from .tree import child_totals, nest, render_forest, rollup

MEMBERS_SHOWN = 20


def member_counts(orgs_qs) -> dict[int, int]:
    """Current members per organisation of `orgs_qs`: one grouped query."""
    rows = (
        Member.objects.current()
        .filter(organization__in=orgs_qs.values("pk"))
        .values("organization_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["organization_id"]: r["n"] for r in rows}


# --- the tree ---------------------------------------------------------------------------------------------
def _detail_link() -> str:
    """The link of an organisation's page with a "{}" for its pk: one reverse() for a list of thousands."""
    marker = 2**31 - 1
    return reverse("orgs:detail", args=[marker]).replace(str(marker), "{}")


class _TreeOrg(NamedTuple):
    pk: int
    path: str
    depth: int
    name: str
    kind: str
    dissolved_on: Any


@business_view
def tree(request: HttpRequest) -> HttpResponse:
    """The tree in the user's scope, each node with the current members of its whole subtree.
    Two queries whatever its size: the organisations, and one grouped count rolled up by path. Thousands of
    nodes in a city: plain rows, and the HTML built in one pass (orgs.tree.render_forest)."""
    show_dissolved = request.GET.get("all") == "1"
    qs = visible_orgs(request.user)
    if not show_dissolved:
        qs = qs.filter(dissolved_on__isnull=True)
    orgs = [_TreeOrg(*row) for row in qs.order_by("path").values_list(*_TreeOrg._fields)]
    totals = rollup(orgs, member_counts(qs))
    forest = nest(orgs, totals)
    link = _detail_link()
    open_depth = (forest[0].org.depth + 1) if forest else 2
    html = render_forest(forest, open_depth=open_depth, url=link.format, kinds=dict(OrgKind.choices))
    return render(
        request,
        "orgs/tree.html",
        {
            "page_title": "组织架构",
            "forest": forest,
            "tree_html": mark_safe(html),  # noqa: S308 — every value is escaped by render_forest
            "org_count": len(orgs),
            "member_total": sum(t.total for t in forest),
            "show_dissolved": show_dissolved,
            "can_create": can(request.user, Perm.CHANGE_BUSINESS),
        },
    )


@business_view
@require_GET
def picker(request: HttpRequest) -> HttpResponse:
    """The <option>s of an organisation picker (orgs.picker): matches of `q` in the user's scope, or the top
    levels when `q` is empty; `org` is the current choice, kept selected."""
    q = " ".join(request.GET.get("q", "").split())[:50]
    raw = request.GET.get("org", "")
    selected_pk = int(raw) if raw.isdigit() else None
    more = False
    options: list[Option] = []
    if q:
        options, more = search_options(request.user, q, selected_pk)
    no_match = bool(q) and not options
    selected = None
    if not options and selected_pk:
        selected = visible_orgs(request.user).filter(pk=selected_pk).first()
    if not q:
        options, more = top_options(request.user, selected)
    elif no_match and selected is not None:
        # Nothing matches: keep the current choice rather than falling back to 全部.
        options = [Option(selected.pk, selected.name, True)]
    ctx = {"options": options, "more": more, "q": q, "no_match": no_match}
    return render(request, "orgs/_picker_options.html", ctx)


# --- an organisation's page ----------------------------------------------------------------------------------
def _breadcrumbs(user: Any, org: Organization) -> list[dict[str, Any]]:
    return [{"org": a, "link": org_in_scope(user, a)} for a in org.ancestors_and_self() if a.pk != org.pk]


def _committee_hint(org: Organization, committee: Committee | None, formal: int) -> str:
    """支部条例 第二十条: a branch with 7 or more 正式党员 sets up a committee; fewer, a secretary only."""
    if not org.is_branch or committee is None:
        return ""
    if committee.kind == CommitteeKind.SECRETARY_ONLY and formal >= COMMITTEE_THRESHOLD:
        return f"本支部正式党员已有 {formal} 名，按支部条例第二十条应设立支部委员会（换届时调整）。"
    if committee.kind == CommitteeKind.COMMITTEE and formal < COMMITTEE_THRESHOLD:
        return f"本支部正式党员 {formal} 名，不足7名，按支部条例第二十条一般不设委员会，只设书记。"
    return ""


@business_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = org_for_read(user, pk)
    today = timezone.localdate()
    subtree = visible_orgs(user).filter(path__startswith=org.path)
    # Totals per child from (pk, path) rows: the top of a city tree has thousands of descendants.
    rows = [_TreeOrg(*r) for r in subtree.order_by("path").values_list(*_TreeOrg._fields)]
    under = child_totals(org.path, ((o.pk, o.path) for o in rows), member_counts(subtree))
    link, kinds = _detail_link(), dict(OrgKind.choices)
    children = [
        {"org": o, "total": under.get(o.path, 0), "url": link.format(o.pk), "kind": kinds.get(o.kind, o.kind)}
        for o in rows
        if o.depth == org.depth + 1
    ]
    term = (
        Term.objects.filter(committee__organization=org, is_current=True)
        .select_related("committee")
        .prefetch_related("posts")
        .first()
    )
    committee = term.committee if term else Committee.objects.filter(organization=org).first()
    expiry = term.effective_expiry if term else None
    status = term_status(expiry, today, elected=org.has_elected_term)
    on_roll = Member.objects.current().filter(organization=org)
    counts = on_roll.aggregate(total=Count("id"), formal=Count("id", filter=Q(full_date__isnull=False)))
    renewal = services.renewal_term(org) if org.has_elected_term else None
    steps = {s.kind: s for s in renewal.renewal_steps.all()} if renewal else {}
    posts = list(term.posts.all()) if term else []
    # Honours are read from 两优一先 (a lower layer than orgs), imported here only for the page.
    from dangjian.honors.services import honors_of_org

    return render(
        request,
        "orgs/detail.html",
        {
            "page_title": org.name,
            "honors": honors_of_org(org),
            "org": org,
            "breadcrumbs": _breadcrumbs(user, org),
            "units": list(org.units.all()),
            "term": term,
            "committee": committee,
            "committee_hint": _committee_hint(org, committee, counts["formal"]),
            "status": status,
            "status_tag": STATUS_TAG[status],
            "expiry": expiry,
            "active_posts": [p for p in posts if p.ended_on is None],
            "past_posts": [p for p in posts if p.ended_on is not None],
            "full_time_count": sum(p.is_full_time for p in posts if p.ended_on is None),
            "terms": list(Term.objects.filter(committee__organization=org).order_by("-elected_on")),
            "groups": list(
                PartyGroup.objects.filter(organization=org).annotate(
                    n=Count("members", filter=Q(members__status=Status.NORMAL))
                )
            ),
            "members": list(on_roll.order_by("name", "id")[:MEMBERS_SHOWN]),
            "member_count": counts["total"],
            "formal_count": counts["formal"],
            "subtree_count": sum(under.values()),
            "children": children,
            "renewal": renewal,
            "renewal_steps": [
                {"kind": k, "label": RenewalStepKind(k).label, "step": steps.get(k)} for k in RENEWAL_ORDER
            ]
            if steps
            else [],
            "can_edit": can_edit(user, org),
            "can_restructure": can_restructure(user, org) and org.is_active,
            # A member's roster page shows only their own record (and refuses an ?org= filter): no link for them.
            "members_url": None
            if can(user, Perm.VIEW_OWN_MEMBER)
            else f"{reverse('members:list')}?org={org.pk}",
        },
    )


# --- create / edit / move / dissolve ---------------------------------------------------------------------------
def _org_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        k: data[k] for k in ("name", "short_name", "code", "kind", "founded_on", "phone", "note") if k in data
    }


@writer_view
def create(request: HttpRequest) -> HttpResponse:
    user = request.user
    parents = parent_choices(user)
    initial: dict[str, Any] = {"kind": OrgKind.BRANCH}
    wanted = request.GET.get("parent")
    if wanted and wanted.isdigit():
        initial["parent"] = parents.filter(pk=wanted).first()
    form = OrganizationForm(request.POST or None, parents=parents, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["parent"] is None and not is_bureau_admin(user):
            form.add_error("parent", "请选择上级党组织：党组织管理员只能在本组织之下设立党组织")
        else:
            try:
                org = services.create_organization(
                    parent=data["parent"], units=list(data["units"]), actor=user, **_org_fields(data)
                )
            except services.Refusal as exc:
                refusal_to_form(form, exc)
            else:
                messages.success(request, f"已设立“{org.name}”（代码 {org.code}）。")
                return redirect("orgs:detail", pk=org.pk)
    return render(
        request,
        "orgs/org_form.html",
        {
            "page_title": "设立党组织",
            "form": form,
            "no_parent": not parents.exists() and not is_bureau_admin(user),
        },
    )


@writer_view
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = org_for_write(request.user, pk)
    initial = {
        **{f: getattr(org, f) for f in ("name", "short_name", "code", "kind", "founded_on", "phone", "note")},
        "units": list(org.units.all()),
        "version": org.version,
    }
    form = OrganizationForm(request.POST or None, initial=initial, creating=False)
    # A unit taken off the register stays selectable where it is already linked, so saving keeps it.
    form.fields["units"].queryset = Unit.objects.filter(Q(is_active=True) | Q(organizations=org)).distinct()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changes = services.update_organization(
                org,
                expected_version=data["version"],
                units=list(data["units"]),
                actor=request.user,
                **_org_fields(data),
            )
        except services.Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "已保存。" if changes else "内容没有变化。")
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/org_form.html", {"page_title": f"编辑 {org.name}", "form": form, "org": org})


@writer_view
def move(request: HttpRequest, pk: int) -> HttpResponse:
    org = org_for_write(request.user, pk)
    require_restructure(request.user, org, "调整")
    parents = parent_choices(request.user, exclude=org)
    form = MoveForm(request.POST or None, parents=parents, initial={"version": org.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.move_organization(
                org,
                form.cleaned_data["parent"],
                expected_version=form.cleaned_data["version"],
                actor=request.user,
            )
        except services.Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已将“{org.name}”调整到“{form.cleaned_data['parent'].name}”之下。")
            return redirect("orgs:detail", pk=org.pk)
    parent = Organization.objects.get_parent(org)
    return render(
        request,
        "orgs/move.html",
        {"page_title": f"调整隶属关系：{org.name}", "form": form, "org": org, "parent": parent},
    )


@writer_view
def dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    org = org_for_write(request.user, pk)
    require_restructure(request.user, org, "撤销")
    form = DissolveForm(
        request.POST or None, initial={"version": org.version, "dissolved_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.dissolve_organization(
                org,
                dissolved_on=data["dissolved_on"],
                reason=data["reason"],
                expected_version=data["version"],
                actor=request.user,
            )
        except services.Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已撤销“{org.name}”。其历史记录予以保留。")
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/dissolve.html", {"page_title": f"撤销 {org.name}", "form": form, "org": org})


# --- units ----------------------------------------------------------------------------------------------------
@bureau_or_reader_view
def units(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    qs = Unit.objects.prefetch_related("organizations").order_by("kind", "name")
    if kind in UnitKind.values:
        qs = qs.filter(kind=kind)
    return render(
        request,
        "orgs/units.html",
        {
            "page_title": "单位名录",
            "units": list(qs),
            "kinds": UnitKind.choices,
            "kind": kind,
            "can_edit": is_bureau_admin(request.user),
        },
    )


@bureau_view
def unit_create(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            unit = services.create_unit(name=d["name"], kind=d["kind"], note=d["note"], actor=request.user)
        except services.Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已登记单位“{unit.name}”。")
            return redirect("orgs:units")
    return render(
        request,
        "orgs/simple_form.html",
        {"page_title": "登记单位", "form": form, "back": reverse("orgs:units")},
    )


@bureau_view
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk)
    initial = {
        "name": unit.name,
        "kind": unit.kind,
        "note": unit.note,
        "is_active": unit.is_active,
        "version": unit.version,
    }
    form = UnitForm(request.POST or None, initial=initial)
    # The kind changes only through 变更 (unit_kind_change), which keeps the old kind for earlier days.
    del form.fields["kind"]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.update_unit(
                unit,
                expected_version=d["version"],
                actor=request.user,
                name=d["name"],
                note=d["note"],
                is_active=d["is_active"],
            )
        except services.Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("orgs:units")
    return render(
        request,
        "orgs/simple_form.html",
        {"page_title": f"编辑单位：{unit.name}", "form": form, "back": reverse("orgs:units")},
    )


@bureau_view
def unit_kind_change(request: HttpRequest, pk: int) -> HttpResponse:
    """变更 of a unit's kind (国有企业 → 改制企业 → 正在破产企业 → 破产终结企业), with its history."""
    unit = get_object_or_404(Unit, pk=pk)
    form = UnitKindChangeForm(
        request.POST or None, initial={"valid_from": timezone.localdate(), "version": unit.version}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.change_unit_kind(
                unit,
                kind=d["kind"],
                valid_from=d["valid_from"],
                note=d["note"],
                expected_version=d["version"],
                actor=request.user,
            )
        except services.Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已登记“{unit.name}”的单位类别变更。")
            return redirect("orgs:units")
    return render(
        request,
        "orgs/unit_kind.html",
        {
            "page_title": f"单位类别变更：{unit.name}",
            "unit": unit,
            "history": list(unit.kind_changes.all()),
            "form": form,
            "back": reverse("orgs:units"),
        },
    )


# --- party groups ------------------------------------------------------------------------------------------------
@writer_view
def group_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = org_for_write(request.user, pk)
    form = PartyGroupForm(request.POST or None)
    del form.fields["is_active"]
    if request.method == "POST" and form.is_valid():
        try:
            group = services.create_party_group(
                org,
                name=form.cleaned_data["name"],
                leader_name=form.cleaned_data["leader_name"],
                actor=request.user,
            )
        except services.Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已设立“{group.name}”。")
            return redirect("orgs:detail", pk=org.pk)
    return render(
        request,
        "orgs/simple_form.html",
        {
            "page_title": f"设立党小组：{org.name}",
            "form": form,
            "back": reverse("orgs:detail", args=[org.pk]),
            "refusal": "" if org.is_branch else "党小组只能设在党支部（含联合党支部、临时党支部）之内。",
        },
    )


@writer_view
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_for_user(
        request.user, PartyGroup.objects.select_related("organization"), write=True, pk=pk
    )
    initial = {
        "name": group.name,
        "leader_name": group.leader_name,
        "is_active": group.is_active,
        "version": group.version,
    }
    form = PartyGroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.update_party_group(
                group,
                expected_version=d["version"],
                actor=request.user,
                name=d["name"],
                leader_name=d["leader_name"],
                is_active=d["is_active"],
            )
        except services.Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("orgs:detail", pk=group.organization_id)
    return render(
        request,
        "orgs/simple_form.html",
        {
            "page_title": f"编辑党小组：{group}",
            "form": form,
            "back": reverse("orgs:detail", args=[group.organization_id]),
        },
    )
