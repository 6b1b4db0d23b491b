"""Password policy (等保三级, GB/T 22239-2019 身份鉴别): ≥ 8 characters with three of four character classes, not
containing the username, no reuse of the last five passwords, expiry after PASSWORD_EXPIRY_DAYS (90)."""

from __future__ import annotations

import re
import secrets
import string

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

MIN_LENGTH = 8
CLASSES = [re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^a-zA-Z0-9]")]


def password_problems(password: str, username: str = "") -> list[str]:
    """Pure check used by the validators and by `add_user` before it touches the database."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"密码长度至少 {MIN_LENGTH} 位")
    if sum(bool(c.search(password)) for c in CLASSES) < 3:
        problems.append("密码须包含大写字母、小写字母、数字、特殊字符中的至少三类")
    if username and username.lower() in password.lower():
        problems.append("密码不能包含用户名")
    return problems


class ComplexityValidator:
    def validate(self, password, user=None):
        problems = [p for p in password_problems(password) if "用户名" not in p]
        if problems:
            raise ValidationError("；".join(problems), code="password_too_weak")

    def get_help_text(self):
        return "密码至少 8 位，并包含大写字母、小写字母、数字、特殊字符中的至少三类。"


class NoUsernameValidator:
    def validate(self, password, user=None):
        username = getattr(user, "username", "") or ""
        if username and username.lower() in password.lower():
            raise ValidationError("密码不能包含用户名", code="password_contains_username")

    def get_help_text(self):
        return "密码不能包含用户名。"


class HistoryValidator:
    """The last PASSWORD_HISTORY passwords: the current one and the previous ones kept in PasswordHistory
    (the model records every change, see User.save)."""

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        keep = settings.PASSWORD_HISTORY - 1
        recent = list(user.password_history.values_list("password", flat=True)[:keep]) if keep > 0 else []
        if user.password:
            recent.append(user.password)
        if any(check_password(password, h) for h in recent if h):
            raise ValidationError(
                f"不能使用最近 {settings.PASSWORD_HISTORY} 次用过的密码", code="password_reused"
            )

    def get_help_text(self):
        return f"不能与最近 {settings.PASSWORD_HISTORY} 次使用的密码相同。"


TEMP_ALPHABET = string.ascii_letters + string.digits + "#%+=@"
# Characters people misread when a password is read out or copied by hand.
TEMP_AMBIGUOUS = set("Il1O0o")


def temporary_password(username: str = "", length: int = 12) -> str:
    """A random password that meets the policy, for a new account or a reset (changed at first login)."""
    alphabet = [c for c in TEMP_ALPHABET if c not in TEMP_AMBIGUOUS]
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(c.search(candidate) for c in CLASSES) and not password_problems(candidate, username):
            return candidate
