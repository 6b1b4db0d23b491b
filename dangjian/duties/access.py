"""Who may use which page of the duties app, and scoped fetching of its records (404 outside the scope,
403 where the role lacks the permission), built on dangjian.accounts.scope only."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from dangjian.accounts import scope
from dangjian.accounts.policy import Perm, can, requires

from .models import (
    BrandCase,
    Duty,
    DutyList,
    ListStatus,
    Notice,
    NoticeStatus,
    NoticeTarget,
    RuleDocument,
    WorkPlan,
    WorkPlanItem,
)
from .workflow import CaseStatus

business_required = requires(Perm.VIEW_BUSINESS, "您的角色无权使用此功能")
bureau_required = requires(Perm.MANAGE_BUREAU, "您的角色无权使用此功能")
writer_required = requires(Perm.CHANGE_BUSINESS, "您的角色无权使用此功能")
read_all_required = requires(Perm.VIEW_ALL, "您的角色无权使用此功能")


def is_bureau(user: Any) -> bool:
    return scope.is_bureau_admin(user)


def reads_all(user: Any) -> bool:
    return can(user, Perm.VIEW_ALL)


# --- duty lists and items ------------------------------------------------------------------------------------


def lists_for(user: Any):
    """Lists the user may read: those of organisations in scope, and those the user answers for in person."""
    base = DutyList.objects.filter(is_deleted=False)
    in_scope = scope.filter_by_org(base, user).values("pk")
    personal = base.filter(
        Q(holder_user=user) | Q(items__responsible_user=user, items__is_active=True)
    ).values("pk")
    return base.filter(Q(pk__in=in_scope) | Q(pk__in=personal))


def get_list(user: Any, pk: Any, *, write: bool = False) -> DutyList:
    try:
        dl = lists_for(user).select_related("organization", "holder_user").get(pk=pk)
    except (DutyList.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该责任清单")
    if write and not scope.org_in_scope(user, dl.organization, write=True):
        raise PermissionDenied("您没有修改该清单的权限")
    return dl


def get_duty(user: Any, pk: Any) -> Duty:
    try:
        duty = Duty.objects.select_related(
            "duty_list", "duty_list__organization", "duty_list__holder_user", "responsible_user"
        ).get(pk=pk, duty_list__is_deleted=False)
    except (Duty.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该责任事项")
    from .services import is_responsible

    if not (is_responsible(user, duty) or scope.org_in_scope(user, duty.duty_list.organization)):
        if not lists_for(user).filter(pk=duty.duty_list_id).exists():
            raise Http404("未找到该责任事项")
    return duty


# --- work plans ----------------------------------------------------------------------------------------------


def plans_for(user: Any):
    qs = WorkPlan.objects.filter(is_deleted=False)
    return qs if is_bureau(user) else qs.exclude(status=ListStatus.DRAFT)


def get_plan(user: Any, pk: Any) -> WorkPlan:
    try:
        return plans_for(user).get(pk=pk)
    except (WorkPlan.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该工作要点")


def get_plan_item(user: Any, pk: Any, *, write: bool = False) -> WorkPlanItem:
    """Issued plans are read by every business user; progress is written by the responsible organisation."""
    try:
        item = WorkPlanItem.objects.select_related("plan", "organization").get(
            pk=pk, plan__in=plans_for(user)
        )
    except (WorkPlanItem.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该事项")
    if write and not scope.org_in_scope(user, item.organization, write=True):
        raise PermissionDenied("该事项不由您所在的党组织负责")
    return item


# --- notices ---------------------------------------------------------------------------------------------------


def notices_for(user: Any):
    qs = Notice.objects.all()
    if is_bureau(user):
        return qs
    qs = qs.exclude(status=NoticeStatus.DRAFT)
    if reads_all(user):
        return qs
    targets = scope.filter_by_org(NoticeTarget.objects.all(), user).values("notice_id")
    return qs.filter(pk__in=targets)


def get_notice(user: Any, pk: Any) -> Notice:
    try:
        return notices_for(user).select_related("issuer", "issued_by").get(pk=pk)
    except (Notice.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该通知")


def get_target(user: Any, pk: Any, *, write: bool = False) -> NoticeTarget:
    qs = NoticeTarget.objects.select_related("notice", "organization").exclude(
        notice__status=NoticeStatus.DRAFT
    )
    return scope.get_object_for_user(user, qs, write=write, pk=pk)


# --- brand cases -------------------------------------------------------------------------------------------------


def cases_for(user: Any):
    base = BrandCase.objects.filter(is_deleted=False)
    in_scope = scope.filter_by_org(base, user).values("pk")
    return base.filter(Q(pk__in=in_scope) | Q(status=CaseStatus.PUBLISHED))


def get_case(user: Any, pk: Any, *, write: bool = False) -> BrandCase:
    try:
        case = cases_for(user).select_related("organization").get(pk=pk)
    except (BrandCase.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该案例")
    if write and not scope.org_in_scope(user, case.organization, write=True):
        raise PermissionDenied("您没有修改该案例的权限")
    return case


def get_rule(pk: Any) -> RuleDocument:
    try:
        return RuleDocument.objects.select_related("issuer").get(pk=pk)
    except (RuleDocument.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该制度")
