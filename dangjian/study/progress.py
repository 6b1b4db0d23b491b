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
    return Progress(
        member_id,
        total_hours(record_hours, credited_hours),
        leader_required if is_leader else member_required,
        is_leader,
    )


ZERO = Decimal(0)
TENTH = Decimal("0.1")


def total_hours(record_hours: Decimal | None, credited_hours: Decimal | None) -> Decimal:
    """Recorded plus credited hours, to the tenth of an hour the requirement is compared at."""
    return ((record_hours or ZERO) + (credited_hours or ZERO)).quantize(TENTH)
