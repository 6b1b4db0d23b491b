"""党建品牌 / 特色做法 cases: drafting and submitting (the organisation), reviewing, publishing and marking
典型 (the bureau). Every step is kept as a CaseReview row with its comment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from dangjian.accounts.typing import Actor
from dangjian.core import actions
from dangjian.core.actions import Refusal
from dangjian.orgs.models import Organization

from ..files import CheckedFile
from ..models import BrandCase, CasePhoto, CaseReview
from ..workflow import EDITABLE, CaseAction, CaseStatus, TransitionError, next_status
from .common import create, store_files, update_fields

MAX_PHOTOS = 12


@transaction.atomic
def save_case(
    case: BrandCase | None,
    org: Organization,
    data: dict[str, Any],
    actor: Actor,
    *,
    photos: Sequence[CheckedFile] = (),
    version: int | None = None,
) -> BrandCase:
    if case is None:
        row = create(
            BrandCase,
            {**data, "organization": org, "created_by": actor if getattr(actor, "pk", None) else None},
            actor,
        )
    else:
        if CaseStatus(case.status) not in EDITABLE:
            raise Refusal("案例已提交审核，不能再修改；如需修改，请联系局党建办退回")
        row = update_fields(case, data, actor, expected_version=version)
    if photos:
        present = row.photos.filter(is_deleted=False).count()
        if present + len(photos) > MAX_PHOTOS:
            raise Refusal(f"每个案例最多 {MAX_PHOTOS} 张照片（已有 {present} 张）")
        store_files(CasePhoto, photos, "cases", actor, case=row)
    return row


@transaction.atomic
def act_on_case(
    case: BrandCase, action: CaseAction | str, actor: Actor, *, comment: str = "", version: int | None = None
):
    """Move the case along its flow (see dangjian.duties.workflow)."""
    row = actions.lock(BrandCase, case.pk)
    action = CaseAction(action)
    try:
        target = next_status(row.status, action, comment=comment)
    except TransitionError as exc:
        raise Refusal(str(exc))
    if action is CaseAction.SUBMIT and not (row.story.strip() and row.results.strip()):
        raise Refusal("请先填写“主要做法”和“工作成效”再提交")
    data: dict[str, Any] = {"status": target.value}
    now = timezone.now()
    if action is CaseAction.SUBMIT:
        data["submitted_at"] = now
    if action in (CaseAction.RETURN, CaseAction.APPROVE):
        data["review_comment"] = comment.strip()
    if action is CaseAction.PUBLISH:
        data["published_at"] = now
    if action is CaseAction.UNPUBLISH:
        data.update(published_at=None, is_exemplary=False)
    from_status = row.status
    row = update_fields(
        row, data, actor, event=f"brandcase.{action.value}", expected_version=version, note=action.value
    )
    CaseReview.objects.create(
        case=row,
        action=action.value,
        from_status=from_status,
        to_status=target.value,
        comment=comment.strip(),
        actor=actor if getattr(actor, "pk", None) else None,
    )
    return row


@transaction.atomic
def set_exemplary(case: BrandCase, flag: bool, actor: Actor) -> BrandCase:
    if case.status != CaseStatus.PUBLISHED:
        raise Refusal("只有已发布的案例才能评为典型")
    if case.is_exemplary == flag:
        return case
    return update_fields(
        case,
        {"is_exemplary": flag},
        actor,
        event="brandcase.exemplary",
        note="评为典型" if flag else "取消典型",
    )


def published_case_counts(year: int, org_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Published cases of `year` per organisation (one query)."""
    qs = BrandCase.objects.filter(year=year, status=CaseStatus.PUBLISHED, is_deleted=False)
    if org_ids is not None:
        qs = qs.filter(organization_id__in=list(org_ids))
    return dict(qs.values_list("organization_id").annotate(n=Count("id")).values_list("organization_id", "n"))


def published_case_count(year: int, org_ids: Iterable[int] | None = None) -> int:
    """How many cases of `year` (the year a case is about) are published on the showcase, for the organisations
    given (all when None). Used by the appraisal and the yearly report."""
    qs = BrandCase.objects.filter(year=year, status=CaseStatus.PUBLISHED, is_deleted=False)
    if org_ids is not None:
        qs = qs.filter(organization_id__in=list(org_ids))
    return qs.count()
