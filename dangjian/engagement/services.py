"""Writes of the member's side (design §3: above activities). Each checks who acts, then writes through the
app that owns the row.

QR 签到: `scan` checks the token (tokens.verify, at the moment of the scan) and the account (a member record
linked to it), then `activities.checkin.check_in` marks the member 出席 with that time (audited as
`activity.check_in`). Who may check in is the record's roll (activities.roster), not the reading scope: a
meeting of a 党委 expects the members of its branches, who cannot read the 党委's records.
"""

from __future__ import annotations

from datetime import datetime

from dangjian.accounts import policy, scope
from dangjian.accounts.policy import Perm
from dangjian.accounts.typing import Actor
from dangjian.activities import checkin
from dangjian.activities.models import Activity

from . import tokens

NO_MEMBER = "您的账号没有关联党员信息，不能扫码签到。请联系本支部的党组织管理员关联后再签到。"


def scan(
    user: Actor, activity: Activity, token: tokens.Token, *, scanned_at: datetime
) -> checkin.CheckInResult:
    """The signed-in `user` scanned `token` at `scanned_at`. Raises TokenRefused or CheckInRefused (both
    Refusal) with a message for the member, PermissionDenied for a role without 扫码签到."""
    policy.check(user, Perm.CHECK_IN)
    if token.activity_id != activity.pk:
        raise tokens.TokenRefused(tokens.FORGED)
    tokens.verify(token, scanned_at.timestamp())
    member = scope.member_record(user)
    if member is None:
        raise checkin.CheckInRefused(NO_MEMBER, code="no_member")
    return checkin.check_in(activity, member, actor=user, at=scanned_at)
