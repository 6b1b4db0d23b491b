"""The write kernel: one refusal type, one versioned save that audits a named event, one form/view adapter.

Every service write that a person can refuse or that can meet a stale copy goes through here:

    with transaction.atomic():
        row = actions.lock(Nomination, pk)
        before = audit.snapshot(row)          # or let save_versioned take it
        row.status = ...
        actions.save_versioned(row, expected_version=v, actor=user, event="nomination.review", before=before)

A refusal is `Refusal(message, field=..., code=...)`; `Stale` is the refusal of a stale copy. Views turn either
into a form error (`refusal_to_form`) or a message / 400 page (`refusals_as_messages`). Domain subclasses are
fine (`class ActivityInvalid(Refusal)`); a second base type is not (tests/test_write_kernel.py guards that).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib import messages
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.html import escape

from . import audit
from .models import AuditAction

M = TypeVar("M", bound=models.Model)

NON_FIELD = "__all__"
STALE_MESSAGE = (
    "该{what}已被他人修改（您编辑的是第 {mine} 版，当前为第 {now} 版）；请刷新页面，核对最新内容后重新提交"
)


class Refusal(Exception):
    """A write refused for a reason the person can act on. `message` is Chinese and says what to do; `field`
    names the form field it concerns (None: the whole form); `code` is a short English tag for tests and APIs."""

    default_code = "refused"

    def __init__(self, message: str, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code

    def __str__(self) -> str:
        return self.message


class Stale(Refusal):
    """The person edited a copy that someone else has saved since (optimistic concurrency)."""

    default_code = "stale"


def stale_message(mine: Any, now: Any, what: str = "记录") -> str:
    return STALE_MESSAGE.format(mine=mine, now=now, what=what)


# --- versioned writes -------------------------------------------------------------------------------------------
def lock(
    model_or_queryset: type[M] | models.QuerySet[M],
    pk: Any,
    *,
    expected_version: Any = None,
    what: str = "记录",
    message: str | None = None,
) -> M:
    """The row, re-read under a row lock for the rest of the transaction (call inside `transaction.atomic`);
    with `expected_version`, Stale when someone saved it after the person opened the form."""
    qs = (
        model_or_queryset
        if isinstance(model_or_queryset, models.QuerySet)
        else model_or_queryset._default_manager
    )
    # only the row itself: a queryset that follows nullable relations (select_related) would otherwise ask
    # PostgreSQL to lock the outer join's nullable side, which it refuses
    row = qs.select_for_update(of=("self",)).get(pk=pk)
    check_version(row, expected_version, message, what=what)
    return row


def check_version(
    instance: models.Model, expected_version: Any, message: str | None = None, what: str = "记录"
) -> None:
    """Raise Stale when the person's copy (`expected_version`) is not the row's version. None skips the check
    (commands and imports act on the current row). A version that is not a number is stale too."""
    if expected_version is None:
        return
    current = instance.version  # type: ignore[attr-defined]
    try:
        mine = int(expected_version)
    except (TypeError, ValueError):
        raise Stale(message or stale_message(expected_version, current, what)) from None
    if mine != current:
        raise Stale(message or stale_message(mine, current, what))


def save_versioned(
    instance: M,
    *,
    expected_version: Any,
    actor: audit.AuditActor,
    event: str,
    note: str = "",
    fields: Iterable[str] | None = None,
    before: Mapping[str, Any] | None = None,
    actor_name: str = "",
    message: str | None = None,
    what: str = "记录",
    skip_unchanged: bool = False,
    locked: bool = False,
    extra: Mapping[str, list[Any]] | None = None,
    changes: Mapping[str, list[Any]] | None = None,
    object_repr: str = "",
) -> dict[str, list[Any]]:
    """Compare the version, bump it, save and audit `event` with the diff, in one place; returns the diff.

    `before` is the snapshot taken before the change (default: the row as stored now, read under a lock, so
    that a caller who changed `instance` in memory gets the right diff). `fields` limits the save to those
    columns (plus version). `skip_unchanged` saves and audits nothing when no field changed. `locked`: the
    caller read `instance` with `lock` in this transaction (and gives `before`), so it is not read again.
    `extra` adds changes a snapshot cannot see (many-to-many links, a tree move: `{"units": [old, new]}`).
    `changes` replaces the diff where the audit must say it in other words (an account's role and scope in
    Chinese labels, masked); `object_repr` names the object in the log."""
    with transaction.atomic():
        if locked and before is not None:
            check_version(instance, expected_version, message, what)
            current = instance.version  # type: ignore[attr-defined]
        else:
            stored = lock(
                type(instance), instance.pk, expected_version=expected_version, what=what, message=message
            )
            current = stored.version  # type: ignore[attr-defined]
            if before is None:
                before = audit.snapshot(stored)
        if changes is None:
            changes = {**audit.diff(before, audit.snapshot(instance)), **(extra or {})}
        else:
            changes = dict(changes)
        if skip_unchanged and not changes:
            return {}
        instance.version = current + 1  # type: ignore[attr-defined]
        if fields is not None:
            instance.save(update_fields=sorted({*fields, "version"} | _auto_now(instance)))
        else:
            instance.save()
        if changes:
            audit.record(
                event or AuditAction.UPDATE,
                actor=actor,
                actor_name=actor_name,
                instance=instance,
                changes=changes,
                note=note,
                **({"object_repr": object_repr} if object_repr else {}),
            )
        return changes


def _auto_now(instance: models.Model) -> set[str]:
    return {f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)}


def create(
    model: type[M],
    data: Mapping[str, Any],
    *,
    actor: audit.AuditActor,
    event: str = "",
    note: str = "",
    actor_name: str = "",
    make: Callable[[dict[str, Any]], M] | None = None,
    extra: Mapping[str, list[Any]] | None = None,
) -> M:
    """Create a row and audit it (as `event`, by default `<model>.create`). `make(data)` creates the row when
    the model's manager has its own way (a treebeard `add_child`); `extra` adds changes a snapshot cannot see
    (many-to-many links set by `make`)."""
    with transaction.atomic():
        row = make(dict(data)) if make is not None else model._default_manager.create(**data)
        changes = audit.created(row)
        audit.record(
            event or AuditAction.CREATE,
            actor=actor,
            actor_name=actor_name,
            instance=row,
            changes={**changes, **(extra or {})},
            note=note,
        )
    return row


# --- bulk writes (importers) -------------------------------------------------------------------------------------
@dataclass
class RowRefusal:
    """One refused row of an import: its number as the person sees it (the sheet row), and why."""

    row: int
    refusal: Refusal


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    refused: list[RowRefusal] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused


@dataclass
class BulkRow:
    """A validated row: `instance` new (no pk) or changed in memory, `before` its snapshot when changed."""

    row: int
    instance: models.Model
    before: Mapping[str, Any] | None = None


def bulk_update_versioned(instances: Sequence[Any], fields: Sequence[str], *, batch_size: int = 1000) -> None:
    """An importer's changed rows saved in batches, each one's `version` bumped (the rows were read and
    compared inside the importer's transaction; their audit entries are the importer's, one per row)."""
    for obj in instances:
        obj.version += 1
    if instances:
        type(instances[0])._default_manager.bulk_update(
            list(instances), [*fields, "version"], batch_size=batch_size
        )


def bulk_write(
    rows: Sequence[tuple[int, Any]],
    validate: Callable[[Any], BulkRow | None],
    *,
    actor: audit.AuditActor,
    event: str,
    row_event: str,
    note: str = "",
    actor_name: str = "",
    batch_size: int = 500,
    summary: Mapping[str, Any] | None = None,
) -> BulkResult:
    """Validate every row first (`validate(data)` returns a BulkRow, None for an unchanged row, or raises
    Refusal); write nothing if any row is refused. Otherwise write in batches, audit one `row_event` per changed
    row and one `event` for the import as a whole, all in one transaction."""
    result = BulkResult()
    valid: list[BulkRow] = []
    for number, data in rows:
        try:
            item = validate(data)
        except Refusal as exc:
            result.refused.append(RowRefusal(number, exc))
            continue
        if item is not None:
            item.row = number
            valid.append(item)
    if result.refused:
        return result
    entries: list[audit.Entry] = []
    with transaction.atomic():
        new = [r for r in valid if r.instance.pk is None]
        changed = [r for r in valid if r.instance.pk is not None]
        for i in range(0, len(new), batch_size):
            chunk = new[i : i + batch_size]
            type(chunk[0].instance)._default_manager.bulk_create([r.instance for r in chunk])
        for r in changed:
            if hasattr(r.instance, "version"):
                r.instance.version += 1
            r.instance.save()
        for r in new:
            snap = audit.snapshot(r.instance)
            entries.append(
                audit.Entry(
                    action=row_event,
                    actor=actor,
                    actor_name=actor_name,
                    instance=r.instance,
                    changes=audit.created(snap),
                    note=f"第 {r.row} 行",
                )
            )
        for r in changed:
            changes = audit.diff(r.before or {}, audit.snapshot(r.instance))
            if changes:
                entries.append(
                    audit.Entry(
                        action=row_event,
                        actor=actor,
                        actor_name=actor_name,
                        instance=r.instance,
                        changes=changes,
                        note=f"第 {r.row} 行",
                    )
                )
        result.created, result.updated = len(new), len(changed)
        entries.append(
            audit.Entry(
                action=event,
                actor=actor,
                actor_name=actor_name,
                changes={"created": result.created, "updated": result.updated, **(summary or {})},
                note=note,
            )
        )
        audit.record_many(entries)
    return result


# --- forms and views ---------------------------------------------------------------------------------------------
def refusal_to_form(form: Any, exc: Refusal) -> None:
    """Put the refusal on its field when the form has that field, else among the form's non-field errors."""
    target = exc.field if exc.field and exc.field in getattr(form, "fields", {}) else None
    form.add_error(target, exc.message)


def refusals_as_messages(
    view: Callable[..., HttpResponse] | None = None,
    *,
    redirect: Callable[[HttpRequest], HttpResponse] | None = None,
) -> Any:
    """A view decorator: a Refusal raised by the view becomes an error message and a redirect (when `redirect`
    is given: e.g. back to the detail page), else a plain 400 page that shows the message."""

    def wrap(fn: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(fn)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return fn(request, *args, **kwargs)
            except Refusal as exc:
                if redirect is not None:
                    messages.error(request, exc.message)
                    return redirect(request, *args, **kwargs)
                return refusal_response(exc)

        return inner

    return wrap(view) if view is not None else wrap


def refusal_response(exc: Refusal) -> HttpResponse:
    """A 400 page for a refusal that has no form to sit on."""
    body = (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>操作未完成</title><h1>操作未完成</h1><p>{escape(exc.message)}</p>"
    )
    return HttpResponseBadRequest(body, content_type="text/html; charset=utf-8")
