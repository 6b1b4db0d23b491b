"""Types shared by views and services: who acts on a write, and the request of a logged-in user."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.http import HttpRequest

if TYPE_CHECKING:
    from .models import User

# The acting user of a service call; None when a command or a scheduled job acts (audit then records actor_name).
Actor: TypeAlias = "User | None"


class AuthenticatedHttpRequest(HttpRequest):
    """The request a @login_required view receives: `user` is a User, never AnonymousUser (for mypy only)."""

    user: User
