"""Pure threshold arithmetic: a member's yearly hours against the requirement that applies to them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Progress:
    member_id: int
    hours: Decimal
    required: Decimal
    is_leader: bool

    @property
    def met(self) -> bool:
        return self.hours >= self.required

    @property
    def shortfall(self) -> Decimal:
        return max(Decimal(0), self.required - self.hours)

    @property
    def percent(self) -> int:
        if self.required <= 0:
            return 100
        return min(100, int(self.hours * 100 / self.required))


def progress_for(
    member_id: int,
    record_hours: Decimal,
    credited_hours: Decimal,
    *,
    is_leader: bool,
    member_required: Decimal,
    leader_required: Decimal,
) -> Progress:
    total = (record_hours or Decimal(0)) + (credited_hours or Decimal(0))
    return Progress(
        member_id,
        total.quantize(Decimal("0.1")),
        leader_required if is_leader else member_required,
        is_leader,
    )


def behind_schedule(p: Progress, month: int, *, remind_from_month: int) -> bool:
    """In the reminder months, anyone not yet at the requirement is behind."""
    return month >= remind_from_month and not p.met
