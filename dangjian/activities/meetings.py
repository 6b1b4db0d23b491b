"""The details of the bureau's own meetings (年度党建工作会议, 党组民主生活会, 党组理论学习中心组学习): which fields a
record of those kinds carries, their validation and their audited save."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from dangjian.accounts.typing import Actor
from dangjian.core import audit

from .models import BUREAU_MEETING_FIELDS, Activity, ActivityKind, BureauMeeting

DETAIL_FIELDS = (
    "attendees",
    "deployment",
    "study_subjects",
    "opinions_solicited",
    "self_examination",
    "rectification_list",
)
# A 民主生活会 is not held without these (《县以上党和国家机关党员领导干部民主生活会若干规定》).
REQUIRED = {"leadership_life_meeting": ("opinions_solicited", "self_examination", "rectification_list")}


def fields_for(kinds: Iterable[ActivityKind | str]) -> list[str]:
    """The detail fields the chosen kinds call for, in form order."""
    keys = {k if isinstance(k, str) else k.key for k in kinds}
    wanted = {f for key in keys for f in BUREAU_MEETING_FIELDS.get(key, ())}
    return [f for f in DETAIL_FIELDS if f in wanted]


def missing(kinds: Iterable[ActivityKind | str], values: Mapping[str, Any]) -> dict[str, str]:
    """{field: message} for the required details left blank."""
    errors = {}
    for kind in kinds:
        key = kind if isinstance(kind, str) else kind.key
        for f in REQUIRED.get(key, ()):
            if not str(values.get(f) or "").strip():
                label = BureauMeeting._meta.get_field(f).verbose_name
                errors[f] = f"民主生活会须填写“{label}”"
    return errors


def save_details(
    activity: Activity, values: Mapping[str, Any], *, actor: Actor = None, actor_name: str = ""
) -> None:
    """Keep the record's meeting details in step with its kinds: the called-for fields are saved (audited);
    fields its kinds no longer call for are kept as they were (never silently erased)."""
    wanted = fields_for(activity.kinds.all())
    if not wanted:
        return
    new = {f: str(values.get(f) or "").strip() for f in wanted}
    with transaction.atomic():
        detail = BureauMeeting.objects.select_for_update().filter(activity=activity).first()
        if detail is None:
            detail = BureauMeeting(activity=activity, **new)
            detail.save()
            audit.log_create(detail, actor=actor, actor_name=actor_name, note="党组会议情况")
            return
        before = audit.snapshot(detail)
        changed = [f for f, v in new.items() if getattr(detail, f) != v]
        if not changed:
            return
        for f in changed:
            setattr(detail, f, new[f])
        detail.save(update_fields=[*changed, "updated_at"])
        audit.log_update(detail, before, actor=actor, actor_name=actor_name, note="修改党组会议情况")
