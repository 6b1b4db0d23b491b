"""制度库: versioned rule documents, full-text search, and the records that cite each document."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts import scope
from dangjian.core.actions import Refusal, refusal_to_form

from .. import services
from ..access import bureau_required, business_required, get_rule
from ..forms import CitationForm, RuleCreateForm, RuleMetaForm, RuleVersionForm
from ..models import RuleCategory, RuleCitation, RuleVersion
from .common import paginate


@business_required
def rule_index(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    history = request.GET.get("history") == "1"
    qs = services.search_rules(q, include_history=history)
    category = request.GET.get("category", "")
    if category in RuleCategory.values:
        qs = qs.filter(category=category)
    if request.GET.get("repealed") != "1":
        qs = qs.filter(is_repealed=False)
    page = paginate(request, qs.order_by("category", "title", "id"))
    docs = list(page)
    current = services.rules.current_versions(docs)
    rows = [(d, current.get(d.pk)) for d in docs]
    return render(
        request,
        "duties/rule_index.html",
        {
            "page_title": "制度库",
            "rows": rows,
            "page": page,
            "q": q,
            "history": history,
            "category": category,
            "categories": RuleCategory.choices,
            "repealed": request.GET.get("repealed") == "1",
            "can_manage": scope.is_bureau_admin(request.user),
        },
    )


@bureau_required
def rule_create(request: HttpRequest) -> HttpResponse:
    form = RuleCreateForm(request.POST or None)
    if request.method != "POST":
        form.initial["issuer"] = services.bureau_org()
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        meta = {"category": data.pop("category"), "issuer": data.pop("issuer")}
        try:
            doc = services.create_rule(meta, data, request.user)
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已收录“{doc.title}”。")
            return redirect("duties:rule_detail", pk=doc.pk)
    return render(
        request, "duties/form.html", {"page_title": "收录制度", "form": form, "back": "duties:rule_index"}
    )


def _citation_form(request: HttpRequest) -> CitationForm:
    return CitationForm(request.POST or None, choices=services.citable_choices())


@business_required
def rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_rule(pk)
    versions = list(doc.versions.select_related("created_by").order_by("-number"))
    current = next((v for v in versions if v.is_current), versions[0] if versions else None)
    is_bureau = scope.is_bureau_admin(request.user)
    return render(
        request,
        "duties/rule_detail.html",
        {
            "page_title": doc.title,
            "doc": doc,
            "version": current,
            "versions": versions,
            "is_current_view": True,
            "citations": services.citations_of(doc),
            "is_bureau": is_bureau,
            "cite_form": CitationForm(choices=services.citable_choices()) if is_bureau else None,
        },
    )


@business_required
def rule_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    doc = get_rule(pk)
    version = RuleVersion.objects.filter(document=doc, number=number).first()
    if version is None:
        raise Http404("未找到该版本")
    versions = list(doc.versions.order_by("-number"))
    return render(
        request,
        "duties/rule_detail.html",
        {
            "page_title": f"{version.title}（第{number}版）",
            "doc": doc,
            "version": version,
            "versions": versions,
            "is_current_view": False,
            "citations": None,
            "is_bureau": False,
        },
    )


@bureau_required
def rule_revise(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_rule(pk)
    current = doc.versions.filter(is_current=True).first()
    form = RuleVersionForm(request.POST or None)
    if request.method != "POST" and current:
        form.initial.update({"title": current.title, "body": current.body})
    if request.method == "POST" and form.is_valid():
        try:
            new = services.revise_rule(
                doc,
                form.cleaned_data,
                request.user,
                doc_version=int(request.POST.get("doc_version") or doc.version),
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已发布第 {new.number} 版，原版本保留可查。")
            return redirect("duties:rule_detail", pk=doc.pk)
    return render(
        request,
        "duties/form.html",
        {
            "page_title": f"修订：{doc.title}",
            "form": form,
            "back_url": reverse("duties:rule_detail", args=[doc.pk]),
            "extra_hidden": {"doc_version": doc.version},
        },
    )


@bureau_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_rule(pk)
    form = RuleMetaForm(request.POST or None, instance=doc)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_rule_meta(
                doc, form.data_for_service(), request.user, version=form.cleaned_data["version"]
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("duties:rule_detail", pk=doc.pk)
    return render(
        request,
        "duties/form.html",
        {
            "page_title": f"类别与状态：{doc.title}",
            "form": form,
            "back_url": reverse("duties:rule_detail", args=[doc.pk]),
        },
    )


@require_POST
@bureau_required
def rule_cite(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_rule(pk)
    form = _citation_form(request)
    if form.is_valid():
        try:
            obj = services.resolve_citable(form.cleaned_data["target"])
            services.add_citation(doc, obj, request.user, clause=form.cleaned_data["clause"])
        except Refusal as exc:
            messages.error(request, "未关联：" + exc.message)
        else:
            messages.success(request, f"已关联：{obj}")
    else:
        messages.error(request, "未关联：请选择要关联的对象。")
    return redirect("duties:rule_detail", pk=doc.pk)


@require_POST
@bureau_required
def rule_uncite(request: HttpRequest, pk: int) -> HttpResponse:
    citation = get_object_or_404(RuleCitation, pk=pk)
    services.remove_citation(citation, request.user)
    messages.success(request, "已移除该引用。")
    return redirect("duties:rule_detail", pk=citation.document_id)
