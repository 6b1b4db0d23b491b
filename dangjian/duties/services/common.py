"""What every write of the duties app shares: versioned, audited saves through the write kernel
(core/actions.py) and stored files. A refusal is `actions.Refusal`; a stale copy is `actions.Stale`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models, transaction

from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit

from ..files import CheckedFile
from ..models import StoredFile

M = TypeVar("M", bound=models.Model)
F = TypeVar("F", bound=StoredFile)

# The named audit events of the duties app (core.audit_events; registered in DutiesConfig.ready). Creating and
# editing a row is `<model>.create` / `<model>.update`, labelled from the model's verbose name.
EVENTS = {
    "brandcase.submit": "党建品牌案例提交审核",
    "brandcase.approve": "党建品牌案例审核通过",
    "brandcase.return": "党建品牌案例退回",
    "brandcase.publish": "党建品牌案例发布",
    "brandcase.unpublish": "党建品牌案例撤回发布",
    "brandcase.exemplary": "党建品牌案例评为/取消典型",
    "notice.issue": "重点工作通知下发",
    "notice.withdraw": "重点工作通知撤销",
    "notice.chosen_orgs": "重点工作通知调整下发范围",
    "noticetarget.acknowledge": "重点工作通知签收",
    "noticetarget.feedback": "重点工作通知反馈",
    "noticetemplate.undefault": "通知模板改为非默认",
    "workplanitem.assess": "工作要点年终评定",
    "leadinggroupmember.retire": "领导小组成员卸任",
    "firstresponsible.replace": "第一责任人调整",
    "duty.retire": "责任事项停用",
    "dutylist.in_charge_units": "责任清单调整分管单位",
    "dutyreport.amend": "补充责任事项完成情况",
    "ruleversion.supersede": "制度版本被替代",
    "ruledocument.revise": "制度修订",
    "rulecitation.remove": "移除制度引用",
    "duties_file.upload": "上传文件",
    "duties_file.remove": "移除文件",
}


def _subject(model: type[models.Model]) -> str:
    return model._meta.model_name or ""


def update_fields(
    instance: M,
    data: Mapping[str, Any],
    actor: Actor,
    *,
    event: str = "",
    expected_version: int | None = None,
    note: str = "",
    what: str = "记录",
) -> M:
    """Apply `data` to a locked copy of `instance` and save it through the kernel: Stale when the person's copy
    (`expected_version`) is not the row's version, then bump the version, save and audit `event` (by default
    `<model>.update`)."""
    event = event or f"{_subject(type(instance))}.update"
    with transaction.atomic():
        row = actions.lock(type(instance), instance.pk)
        before = audit.snapshot(row)
        for name, value in data.items():
            setattr(row, name, value)
        if hasattr(row, "version"):
            actions.save_versioned(
                row,
                expected_version=expected_version,
                actor=actor,
                event=event,
                note=note,
                before=before,
                what=what,
                locked=True,
            )
        else:  # an unversioned row (a rule's version, a citation): no copy of it is edited in a form
            row.save()
            audit.log_update(row, before, actor=actor, note=note, event=event)
    return row


def create(model: type[M], data: Mapping[str, Any], actor: Actor, *, event: str = "", note: str = "") -> M:
    """Create and audit a row as `event` (by default `<model>.create`)."""
    return actions.create(model, data, actor=actor, event=event, note=note)


def store_files(
    model: type[F], checked: Iterable[CheckedFile], folder: str, actor: Actor, **parent: Any
) -> list[F]:
    """Save checked uploads under random names and record them (one audit entry per batch)."""
    rows = []
    for c in checked:
        rows.append(model.stored(c, f"duties/{folder}", actor, **parent))
    if rows:
        model._default_manager.bulk_create(rows)
        audit.record_many(
            audit.Entry(
                action="duties_file.upload",
                actor=actor,
                model=model._meta.label_lower,
                object_repr=r.original_name,
                changes={"file": [None, r.file.name], "sha256": [None, r.sha256]},
                note="上传文件",
            )
            for r in rows
        )
    return rows


def remove_file(row: StoredFile, actor: Actor) -> None:
    """Files are never erased: the row is flagged and no longer listed or served."""
    if row.is_deleted:
        return
    before = audit.snapshot(row)
    row.is_deleted = True
    row.save(update_fields=["is_deleted"])
    audit.log_update(row, before, actor=actor, note="移除文件", event="duties_file.remove")
