"""The QR 签到 token alone (no database): valid, expired, forged, another activity's, a step not yet shown."""

from __future__ import annotations

import pytest

from dangjian.engagement import tokens
from dangjian.engagement.tokens import ACCEPT_SECONDS, STEP_SECONDS, Token, TokenRefused

T = 1_772_442_000.0  # a step boundary (divisible by 30)
SECRET = "s" * 50


def refused(token: Token, at: float, secret: str = SECRET) -> str:
    with pytest.raises(TokenRefused) as exc:
        tokens.verify(token, at, secret=secret)
    return exc.value.code


def test_the_code_changes_every_30_seconds_and_names_its_activity():
    a = tokens.issue(7, T, secret=SECRET)
    assert a == tokens.issue(7, T + STEP_SECONDS - 0.01, secret=SECRET)
    b = tokens.issue(7, T + STEP_SECONDS, secret=SECRET)
    assert b.step == a.step + 1 and b.sig != a.sig
    assert tokens.issue(8, T, secret=SECRET).sig != a.sig
    assert len(a.sig) == 24 and a.sig.replace("-", "").replace("_", "").isalnum()


def test_valid_from_when_it_is_shown_until_two_minutes_after_it_left_the_screen():
    t = tokens.issue(7, T + 5, secret=SECRET)
    tokens.verify(t, T + 5, secret=SECRET)
    tokens.verify(t, T + STEP_SECONDS + ACCEPT_SECONDS, secret=SECRET)  # the last accepted moment
    assert refused(t, T + STEP_SECONDS + ACCEPT_SECONDS + 0.5) == "expired"
    assert refused(t, T + 3600) == "expired"


def test_a_forged_signature_is_refused():
    t = tokens.issue(7, T, secret=SECRET)
    assert refused(Token(7, t.step, "A" * 24), T) == "forged"
    assert refused(Token(7, t.step, t.sig[:-1] + ("A" if t.sig[-1] != "A" else "B")), T) == "forged"
    assert refused(t, T, secret="another key " * 5) == "forged"  # signed with another site's key


def test_a_code_of_another_activity_is_refused():
    t = tokens.issue(7, T, secret=SECRET)
    assert refused(Token(8, t.step, t.sig), T) == "forged"


def test_a_step_the_screen_has_not_reached_is_refused():
    """Even correctly signed (someone holding the key could mint it): the screen never showed it."""
    later = tokens.issue(7, T + 10 * STEP_SECONDS, secret=SECRET)
    assert refused(later, T) == "forged"
    tokens.verify(later, T + 10 * STEP_SECONDS, secret=SECRET)


def test_an_earlier_step_is_refused_even_with_the_current_signature():
    now = tokens.issue(7, T + 20 * STEP_SECONDS, secret=SECRET)
    assert refused(Token(7, now.step - 10, now.sig), T + 20 * STEP_SECONDS) == "forged"


def test_seconds_until_the_next_code():
    assert tokens.seconds_left(T) == 30
    assert tokens.seconds_left(T + 29.5) == 1
    assert tokens.seconds_left(T + 12) == 18


def test_messages_are_chinese_and_say_what_to_do():
    assert "重新" in tokens.EXPIRED or "最新" in tokens.EXPIRED
    assert "二维码无效" in tokens.FORGED
