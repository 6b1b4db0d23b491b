"""Helpers for the account tests: real sign-ins through the login page, TOTP codes, a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django_otp.oath import TOTP

from dangjian.factories import TEST_PASSWORD

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    """A frozen clock at T0; move it with clock.shift(seconds)."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sign_in(client):
    """sign_in(username, password) → the response of a real POST to the login page."""

    def _sign_in(username: str, password: str = TEST_PASSWORD, **extra):
        return client.post("/accounts/login/", {"username": username, "password": password, **extra})

    return _sign_in


def totp_code(key_hex: str, offset_steps: int = 0) -> str:
    totp = TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6, drift=offset_steps)
    return f"{totp.token():06d}"
