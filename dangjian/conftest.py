"""Shared pytest fixtures: the cast of users and organisations (dangjian.factories.cast)."""

from __future__ import annotations

import pytest


@pytest.fixture
def cast(db):
    from dangjian.factories import cast as build

    return build()


@pytest.fixture
def login(client):
    """login(user) → a client signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
