"""Writes of the reports app: the analysis rules that turn the yearly report's findings into prose."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit

from .models import ReportRule

EVENTS = {"reportrule.update": "修改报告分析规则"}
EDITABLE = ("enabled", "threshold", "cause", "suggestion")


@transaction.atomic
def update_rules(changes: Sequence[tuple[ReportRule, Mapping[str, Any]]], *, actor: Actor) -> int:
    """Save the edited rules (each with its new values, only the editable fields), one audited event per rule
    that changed. Returns how many changed."""
    changed = 0
    for rule, data in changes:
        row = actions.lock(ReportRule, rule.pk)
        before = audit.snapshot(row)
        for name in EDITABLE:
            if name in data:
                setattr(row, name, data[name])
        if audit.diff(before, audit.snapshot(row)):
            row.save()
            audit.log_update(row, before, actor=actor, event="reportrule.update")
            changed += 1
    return changed
