from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

TZ = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, 0, tzinfo=TZ)


@pytest.fixture
def travel():
    """travel(2026, 4, 1) moves the clock (and keeps it still) until the test ends or the next call."""
    state: dict = {}

    def _go(y: int, m: int, d: int, h: int = 10):
        if "t" in state:
            state["t"].stop()
        state["t"] = time_machine.travel(at(y, m, d, h), tick=False)
        state["t"].start()

    yield _go
    if "t" in state:
        state["t"].stop()
