"""The QR 签到 token: HMAC (the site's secret key, a salt of its own) over the activity and a 30-second step.

The secretary's screen shows the token of the current step; it changes every `STEP_SECONDS`. A token is
accepted until `ACCEPT_SECONDS` after it left the screen (two minutes after it was last shown), never for
another activity (the activity is signed) and never for a step the screen has not reached (it could not have
been shown). Nothing is stored: the time and the key decide.
"""

from __future__ import annotations

from base64 import urlsafe_b64encode
from dataclasses import dataclass

from django.utils.crypto import constant_time_compare, salted_hmac

from dangjian.core.actions import Refusal

STEP_SECONDS = 30
ACCEPT_SECONDS = 120
SALT = "dangjian.engagement.checkin"

FORGED = "二维码无效：请扫描支部书记在活动现场展示的签到二维码。"
EXPIRED = "二维码已过期（展示后 2 分钟内有效）：请扫描现场屏幕上最新的签到二维码。"


class TokenRefused(Refusal):
    """`code`: forged (wrong signature, another activity's token, a step not yet shown) or expired."""

    default_code = "forged"


@dataclass(frozen=True)
class Token:
    activity_id: int
    step: int
    sig: str


def step_of(timestamp: float) -> int:
    return int(timestamp // STEP_SECONDS)


def step_ends(step: int) -> float:
    """The moment the screen stops showing `step`'s token."""
    return (step + 1) * STEP_SECONDS


def signature(activity_id: int, step: int, *, secret: str | None = None) -> str:
    mac = salted_hmac(SALT, f"{activity_id}:{step}", secret=secret, algorithm="sha256").digest()
    return urlsafe_b64encode(mac[:18]).decode("ascii")  # 144 bits, 24 characters, no padding


def issue(activity_id: int, timestamp: float, *, secret: str | None = None) -> Token:
    """The token the screen shows at `timestamp`."""
    step = step_of(timestamp)
    return Token(activity_id, step, signature(activity_id, step, secret=secret))


def verify(token: Token, timestamp: float, *, secret: str | None = None) -> None:
    """TokenRefused unless `token` is genuine for its activity and was on the screen within ACCEPT_SECONDS
    before `timestamp` (the moment of the scan)."""
    expected = signature(token.activity_id, token.step, secret=secret)
    if not constant_time_compare(token.sig, expected):
        raise TokenRefused(FORGED, code="forged")
    if token.step > step_of(timestamp):
        raise TokenRefused(FORGED, code="forged")
    if timestamp > step_ends(token.step) + ACCEPT_SECONDS:
        raise TokenRefused(EXPIRED, code="expired")


def seconds_left(timestamp: float) -> int:
    """Until the screen shows the next token."""
    return max(1, int(step_ends(step_of(timestamp)) - timestamp + 0.999))
