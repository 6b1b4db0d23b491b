"""制度库: versioned rule documents, search, and citations by other records (a generic relation: the citing
apps register their models here; duties never imports them)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Q, QuerySet

from dangjian.accounts.typing import Actor
from dangjian.core import audit
from dangjian.core.actions import Refusal

from ..models import RuleCitation, RuleDocument, RuleVersion
from .common import create, update_fields


# --- what may cite a rule -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Citable:
    label: str  # app_label.model_name
    verbose: str  # shown to people: 制度要求, 抽查清单项 …


_CITABLE: dict[str, Citable] = {}


def register_citable(label: str, verbose: str) -> None:
    """Let an app's model cite rule documents (call from its AppConfig.ready). Unknown models are ignored."""
    _CITABLE[label.lower()] = Citable(label.lower(), verbose)


def citable_models() -> list[tuple[Citable, Any]]:
    found = []
    for c in _CITABLE.values():
        try:
            found.append((c, apps.get_model(c.label)))
        except (LookupError, ValueError):
            continue
    return found


def citable_choices(limit: int = 500) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices "ct_id:obj_id" for a citation form (one query per citable model)."""
    groups = []
    for c, model in citable_models():
        ct = ContentType.objects.get_for_model(model)
        objs = model.objects.all()[:limit]
        groups.append((c.verbose, [(f"{ct.pk}:{o.pk}", str(o)) for o in objs]))
    return groups


def resolve_citable(value: str) -> Any:
    try:
        ct_id, obj_id = (int(x) for x in value.split(":"))
        ct = ContentType.objects.get_for_id(ct_id)
    except (ValueError, ContentType.DoesNotExist):
        raise Refusal("请选择要关联的对象")
    model = ct.model_class()
    if model is None or f"{ct.app_label}.{ct.model}" not in _CITABLE:
        raise Refusal("该类对象不能引用制度")
    obj = model._default_manager.filter(pk=obj_id).first()
    if obj is None:
        raise Refusal("要关联的对象不存在（可能已被删除）")
    return obj


# --- documents and versions -----------------------------------------------------------------------------------
def _check_dates(data: dict[str, Any]) -> None:
    if data["effective_on"] < data["issued_on"]:
        raise Refusal("施行日期不能早于印发日期", field="effective_on")


@transaction.atomic
def create_rule(meta: dict[str, Any], version: dict[str, Any], actor: Actor) -> RuleDocument:
    """A new rule document with its first version."""
    _check_dates(version)
    doc = create(RuleDocument, {**meta, "title": version["title"]}, actor)
    create(
        RuleVersion,
        {**version, "document": doc, "number": 1, "is_current": True, "created_by": _user(actor)},
        actor,
    )
    return doc


@transaction.atomic
def revise_rule(doc: RuleDocument, version: dict[str, Any], actor: Actor, *, doc_version: int | None = None):
    """A new version becomes current; the old one stays readable, marked as superseded on the new effective date."""
    _check_dates(version)
    current = RuleVersion.objects.select_for_update().filter(document=doc, is_current=True).first()
    if current and version["effective_on"] < current.effective_on:
        raise Refusal(f"新版本的施行日期不能早于现行版本（{current.effective_on}）", field="effective_on")
    number = (doc.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    if current:
        update_fields(
            current,
            {"is_current": False, "superseded_on": version["effective_on"]},
            actor,
            event="ruleversion.supersede",
            note="被新版本替代",
        )
    new = create(
        RuleVersion,
        {**version, "document": doc, "number": number, "is_current": True, "created_by": _user(actor)},
        actor,
        note=f"第{number}版",
    )
    update_fields(doc, {"title": new.title}, actor, event="ruledocument.revise", expected_version=doc_version)
    return new


@transaction.atomic
def update_rule_meta(doc: RuleDocument, data: dict[str, Any], actor: Actor, version: int | None = None):
    if data.get("is_repealed") and not data.get("repealed_on"):
        raise Refusal("已废止的制度须填写废止日期", field="repealed_on")
    if not data.get("is_repealed"):
        data = {**data, "repealed_on": None}
    return update_fields(doc, data, actor, expected_version=version)


def search_rules(q: str = "", *, include_history: bool = False) -> QuerySet[RuleDocument]:
    """Title and full text (icontains: Chinese has no word boundaries for PostgreSQL's default parsers, so a
    substring match is what people expect; pg_trgm would only make it faster)."""
    qs = RuleDocument.objects.select_related("issuer")
    q = (q or "").strip()
    if not q:
        return qs
    versions = RuleVersion.objects.all() if include_history else RuleVersion.objects.filter(is_current=True)
    terms = [t for t in q.split() if t][:5]
    for term in terms:
        hit = versions.filter(
            Q(title__icontains=term) | Q(body__icontains=term) | Q(doc_number__icontains=term)
        )
        qs = qs.filter(Q(title__icontains=term) | Q(pk__in=hit.values("document_id")))
    return qs


def current_versions(docs: list[RuleDocument]) -> dict[int, RuleVersion]:
    return {
        v.document_id: v
        for v in RuleVersion.objects.filter(document__in=[d.pk for d in docs], is_current=True).defer("body")
    }


# --- citations ------------------------------------------------------------------------------------------------
@transaction.atomic
def add_citation(doc: RuleDocument, obj: Any, actor: Actor, *, clause: str = "") -> RuleCitation:
    ct = ContentType.objects.get_for_model(obj)
    if RuleCitation.objects.filter(
        document=doc, content_type=ct, object_id=obj.pk, is_deleted=False
    ).exists():
        raise Refusal(f"“{obj}”已关联本制度")
    return create(
        RuleCitation,
        {
            "document": doc,
            "content_type": ct,
            "object_id": obj.pk,
            "clause": clause.strip(),
            "created_by": _user(actor),
        },
        actor,
    )


@transaction.atomic
def remove_citation(citation: RuleCitation, actor: Actor) -> None:
    if citation.is_deleted:
        return
    before = audit.snapshot(citation)
    citation.is_deleted = True
    citation.save(update_fields=["is_deleted"])
    audit.log_update(citation, before, actor=actor, note="移除制度引用", event="rulecitation.remove")


@dataclass
class CitationRow:
    citation: RuleCitation
    kind: str
    target: Any  # None when the cited record no longer exists


def citations_of(doc: RuleDocument) -> list[CitationRow]:
    """What cites the document, resolved with one query per kind of citing record."""
    cits = list(doc.citations.filter(is_deleted=False).select_related("content_type", "created_by"))
    by_ct: dict[int, list[int]] = defaultdict(list)
    for c in cits:
        by_ct[c.content_type_id].append(c.object_id)
    resolved: dict[tuple[int, int], Any] = {}
    for ct_id, ids in by_ct.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is not None:
            for o in model._default_manager.filter(pk__in=ids):
                resolved[(ct_id, o.pk)] = o
    verbose = {c.label: c.verbose for c in _CITABLE.values()}
    rows = []
    for c in cits:
        label = f"{c.content_type.app_label}.{c.content_type.model}"
        rows.append(
            CitationRow(
                c, verbose.get(label, c.content_type.name), resolved.get((c.content_type_id, c.object_id))
            )
        )
    return rows


def rules_cited_by(obj: Any) -> QuerySet[RuleDocument]:
    """The rule documents a record enforces (for the citing app's own pages)."""
    ct = ContentType.objects.get_for_model(obj)
    ids = RuleCitation.objects.filter(content_type=ct, object_id=obj.pk, is_deleted=False).values(
        "document_id"
    )
    return RuleDocument.objects.filter(pk__in=ids)


def _user(actor: Actor) -> Actor:
    return actor if getattr(actor, "pk", None) else None
