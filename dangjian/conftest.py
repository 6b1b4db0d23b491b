"""Shared pytest fixtures: the cast of users and organisations (dangjian.factories.cast)."""

from __future__ import annotations

import pytest


@pytest.fixture
def cast(db):
    from dangjian.factories import cast as build

    return build()


@pytest.fixture
def login(db, client):
    """login(user) → a new client signed in as that user, so clients kept for two users never mix; the
    `client` fixture is signed in as the last user too, for tests that go on with it."""
    from django.test import Client

    def _login(user):
        client.force_login(user)
        own = Client()
        own.force_login(user)
        return own

    return _login
