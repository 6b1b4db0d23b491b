"""整改: every action on a rectification goes through `act`, which asks the pure state machine (flow.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit, events
from dangjian.core.models import AuditAction

from .. import access, flow, uploads
from ..flow import Action
from ..models import EventKind, EvidenceFile, Rectification, RectificationEvent
from .common import ServiceError, check_version

DEFAULT_CLOSE_TEXT = "经验收，整改到位，予以销号"


def overdue_rectifications(as_of: date) -> QuerySet[Rectification]:
    """Every rectification past its deadline and not closed (for the dashboard), oldest deadline first."""
    return (
        Rectification.objects.filter(status__in=[s.value for s in flow.OPEN_STATES], deadline__lt=as_of)
        .select_related("organization")
        .order_by("deadline", "id")
    )


def has_evidence_since_return(rect: Rectification) -> bool:
    """Material handed in after the last return (or at all, if never returned)."""
    last_return = rect.events.filter(kind=EventKind.RETURN).order_by("-at", "-id").first()
    qs = rect.events.filter(kind=EventKind.EVIDENCE)
    if last_return is not None:
        qs = qs.filter(id__gt=last_return.id)
    return qs.exists()


_ANNOUNCED = {
    Action.SUBMIT: ("rectification.submit", "整改材料已提交，待核验"),
    Action.RETURN: ("rectification.return", "整改被退回"),
    Action.CLOSE: ("rectification.close", "整改已销号"),
}


def _announce(rect: Rectification, action: Action, step: RectificationEvent, actor: Actor, text: str) -> None:
    """整改待核验 to the inspector who opened it; 退回 / 销号 to the organisation's admins."""
    if action not in _ANNOUNCED:
        return
    name, what = _ANNOUNCED[action]
    common: dict[str, Any] = {
        "title": f"{rect.title}：{what}",
        "body": text,
        "url": f"/supervision/rectifications/{rect.pk}/",
        "key": f"{rect.pk}:{step.pk}",
        "actor": actor,
    }
    if action == Action.SUBMIT:
        events.emit(name, recipients=[rect.created_by, rect.verified_by], **common)
    else:
        events.emit(name, org=rect.organization, audience="org_admins", **common)


def act(
    rect: Rectification,
    action: Action | str,
    *,
    actor: Actor,
    text: str = "",
    version: Any = None,
    deadline: date | None = None,
    files: Iterable[Any] = (),
    actor_name: str = "",
    parties: frozenset[flow.Party] | None = None,
) -> Rectification:
    """Make one transition. `parties` may be given by commands and the demo; views derive it from the user."""
    try:
        action = Action(action)
    except ValueError:
        raise ServiceError("未知的操作")
    parties = parties if parties is not None else access.rectification_parties(actor, rect.organization)
    text = (text or "").strip()
    files = list(files)
    if action != Action.EVIDENCE and files:
        raise ServiceError("只有“提交整改材料”可以上传文件")
    if len(files) > uploads.MAX_FILES_PER_UPLOAD:
        raise ServiceError(f"一次最多上传 {uploads.MAX_FILES_PER_UPLOAD} 个文件")
    checked = uploads.check_all(files, uploads.EVIDENCE)
    if action == Action.DEADLINE:
        if deadline is None:
            raise ServiceError("请填写新的整改期限")
        if deadline == rect.deadline:
            raise ServiceError("新的整改期限与原期限相同")
    with transaction.atomic():
        locked = Rectification.objects.select_for_update().get(pk=rect.pk)
        check_version(locked, version, "该整改事项")
        try:
            new_state = flow.check(
                action,
                locked.status,
                parties,
                text,
                has_evidence=action != Action.SUBMIT or has_evidence_since_return(locked),
            )
        except flow.TransitionError as exc:
            raise ServiceError(str(exc))
        before = audit.snapshot(locked)
        old_state = locked.status
        now = timezone.now()
        locked.status = new_state
        if action == Action.SUBMIT:
            locked.submitted_at = now
        elif action == Action.RETURN:
            locked.return_count += 1
            locked.verification = text
            locked.verified_by = actor if getattr(actor, "pk", None) else None
        elif action == Action.CLOSE:
            locked.closed_at = now
            locked.verification = text or DEFAULT_CLOSE_TEXT
            locked.verified_by = actor if getattr(actor, "pk", None) else None
        elif action == Action.DEADLINE:
            text = f"整改期限由 {locked.deadline:%Y-%m-%d} 调整为 {deadline:%Y-%m-%d}：{text}"
            locked.deadline = deadline or locked.deadline  # checked above: a DEADLINE step brings one
        actions.save_versioned(
            locked,
            expected_version=None,
            before=before,
            locked=True,
            actor=actor,
            actor_name=actor_name,
            event=f"rectification.{action.value}",
            note=flow.ACTION_LABELS[action],
        )
        event = RectificationEvent.objects.create(
            rectification=locked,
            kind=EventKind(action.value),
            from_status=old_state,
            to_status=new_state,
            text=text or (DEFAULT_CLOSE_TEXT if action == Action.CLOSE else ""),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=audit.actor_label(actor, actor_name),
        )
        stored = []
        for c in checked:
            ef = EvidenceFile.stored(c, "supervision/evidence", actor, event=event)
            ef.save()
            stored.append(ef)
        _announce(locked, action, event, actor, text)
        created = [event, *stored] if action == Action.EVIDENCE else stored
        audit.record_many(
            audit.Entry(AuditAction.CREATE, actor, actor_name, instance=obj, changes=audit.snapshot(obj))
            for obj in created
        )
    return locked
