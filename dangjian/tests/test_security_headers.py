"""Security headers on every response; with production settings HSTS on TLS and cookies Secure + HttpOnly."""

from __future__ import annotations

import os
import runpy
import secrets
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from dangjian.factories import TEST_PASSWORD

from .htmlcheck import csp_directives

PAGES = ["/accounts/login/", "/healthz"]


@pytest.fixture
def production(monkeypatch, tmp_path) -> dict:
    """The hardening settings exactly as dangjian/settings.py computes them with DEBUG unset."""
    for name in list(os.environ):
        if name == "DEBUG" or name.startswith("DANGJIAN_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(64))
    monkeypatch.setenv("ALLOWED_HOSTS", "testserver")
    monkeypatch.setenv("DANGJIAN_VAR_DIR", str(tmp_path))
    values = runpy.run_path(str(Path(settings.BASE_DIR) / "settings.py"))
    assert values["DEBUG"] is False
    return {
        k: v
        for k, v in values.items()
        if k.startswith(("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_")) or k in {"X_FRAME_OPTIONS", "DEBUG"}
    }


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_headers_on_public_pages(client, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = csp_directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"], "script-src 只允许本站脚本"
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-inline'" not in csp["default-src"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"] and csp["base-uri"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_signed_in_pages_are_not_cached(cast, login):
    response = login(cast["bureau"]).get("/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert "'unsafe-inline'" not in csp_directives(response["Content-Security-Policy"])["script-src"]


def test_production_settings_harden_everything(production):
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"] and production["CSRF_COOKIE_HTTPONLY"]
    assert production["X_FRAME_OPTIONS"] == "DENY"


@pytest.mark.django_db
def test_production_tls_responses_carry_hsts_and_secure_cookies(cast, production):
    with override_settings(**production):
        client = Client()
        page = client.get("/accounts/login/", secure=True)
        assert page.status_code == 200
        hsts = page["Strict-Transport-Security"]
        assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
        csrf = page.cookies["csrftoken"]
        assert csrf["secure"] and csrf["httponly"]
        response = client.post(
            "/accounts/login/", {"username": "bureau", "password": TEST_PASSWORD}, secure=True
        )
        assert response.status_code == 302 and response["Location"] == "/"
        session = response.cookies[settings.SESSION_COOKIE_NAME]
        assert session["secure"] and session["httponly"]
        assert session["samesite"] == "Lax"


@pytest.mark.django_db
def test_production_redirects_plain_http_and_trusts_the_proxy_header(production):
    with override_settings(**production):
        client = Client()
        plain = client.get("/accounts/login/")
        assert plain.status_code == 301 and plain["Location"].startswith("https://")
        assert "Strict-Transport-Security" not in plain  # HSTS only over TLS
        # Behind nginx: TLS ends at the proxy, which says so in X-Forwarded-Proto.
        proxied = client.get("/accounts/login/", headers={"x-forwarded-proto": "https"})
        assert proxied.status_code == 200 and "Strict-Transport-Security" in proxied
        # The health check answers over plain HTTP for the load balancer.
        assert client.get("/healthz").status_code == 200
