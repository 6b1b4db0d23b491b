"""The password policy (pure) and the password history (every change path records it)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from dangjian.accounts import services
from dangjian.accounts.models import PasswordHistory
from dangjian.accounts.passwords import (
    ComplexityValidator,
    NoUsernameValidator,
    password_problems,
    temporary_password,
)
from dangjian.accounts.roles import Role
from dangjian.factories import TEST_PASSWORD, user


@pytest.mark.parametrize(
    "password, ok",
    [
        ("Abcdef1!", True),  # four classes
        ("abcdef12!", True),  # lower + digit + special
        ("ABCDEF12a", True),  # upper + digit + lower
        ("Abc1!", False),  # too short
        ("abcdefgh", False),  # one class
        ("abcd1234", False),  # two classes
        ("ABCDEFGH!", False),  # two classes
    ],
)
def test_length_and_three_of_four_classes(password, ok):
    assert (password_problems(password) == []) is ok


def test_problems_name_each_rule_in_chinese():
    problems = password_problems("zhang", "zhang")
    assert "密码长度至少 8 位" in problems
    assert any("至少三类" in p for p in problems)
    assert "密码不能包含用户名" in problems


def test_username_is_matched_case_insensitively():
    assert "密码不能包含用户名" in password_problems("xxZhangSan#2026", "zhangsan")
    with pytest.raises(ValidationError, match="用户名"):
        NoUsernameValidator().validate("xxZhangSan#2026", type("U", (), {"username": "zhangsan"})())


def test_complexity_validator_raises_chinese():
    with pytest.raises(ValidationError, match="至少三类"):
        ComplexityValidator().validate("abcdefghij")


@pytest.mark.parametrize("username", ["", "bureau", "abc"])
def test_temporary_passwords_meet_the_policy(username):
    for _ in range(50):
        p = temporary_password(username)
        assert len(p) == 12 and password_problems(p, username) == []
        assert not set(p) & set("Il1O0o")


@pytest.mark.django_db
def test_every_change_path_keeps_the_previous_hash():
    u = user("hist", Role.INSPECTOR)
    assert PasswordHistory.objects.filter(user=u).count() == 0  # a new account has no previous password
    first_hash = u.password
    services.set_password(u, "Second#2026", actor=u)
    assert list(PasswordHistory.objects.filter(user=u).values_list("password", flat=True)) == [first_hash]
    services.reset_password(u, actor=None, actor_name="测试")
    assert PasswordHistory.objects.filter(user=u).count() == 2
    # Django's own path (createsuperuser / changepassword use set_password + save).
    u.refresh_from_db()
    u.set_password("Fourth#2026")
    u.save()
    assert PasswordHistory.objects.filter(user=u).count() == 3
    assert u.password_changed_at is not None


@pytest.mark.django_db
def test_hash_upgrade_on_login_is_not_a_password_change(settings):
    u = user("rehash", Role.INSPECTOR)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    before = u.password
    assert u.check_password(TEST_PASSWORD)  # rehashes MD5 → PBKDF2 and saves
    u.refresh_from_db()
    assert u.password != before
    assert PasswordHistory.objects.filter(user=u).count() == 0


@pytest.mark.django_db
def test_the_last_five_passwords_cannot_be_reused():
    u = user("reuse", Role.INSPECTOR, password="Passw0rd#1")
    for i in range(2, 7):
        services.set_password(u, f"Passw0rd#{i}", actor=u)
    # Current is #6; #2…#6 are the last five.
    for i in range(2, 7):
        with pytest.raises(ValidationError, match="最近 5 次"):
            validate_password(f"Passw0rd#{i}", u)
    validate_password("Passw0rd#1", u)  # the sixth most recent is allowed again


@pytest.mark.django_db
def test_a_hash_assigned_directly_is_recorded_too():
    from django.contrib.auth.hashers import make_password

    u = user("direct", Role.INSPECTOR)
    old = u.password
    fresh = type(u).objects.get(pk=u.pk)
    fresh.password = make_password("Direct#2026")
    fresh.save(update_fields=["password"])
    assert list(PasswordHistory.objects.filter(user=u).values_list("password", flat=True)) == [old]
    fresh.refresh_from_db()
    assert fresh.password_changed_at is not None
