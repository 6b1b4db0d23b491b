"""Shared pytest fixtures: the cast of users and organisations (dangjian.factories.cast)."""

from __future__ import annotations

import pytest


@pytest.fixture
def cast(db):
    from dangjian.factories import cast as build

    return build()


@pytest.fixture
def login(db):
    """login(user) → a NEW client signed in as that user (so two users never share one client)."""
    from django.test import Client

    def _login(user):
        client = Client()
        client.force_login(user)
        return client

    return _login
