"""Shared pytest fixtures: the cast of users and organisations (dangjian.factories.cast), and the browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# The suite runs on a 2-core machine, two workers at a time, twice in CI: speed health checks would fail on
# load alone, not on a property. The number of examples stays each test's own.
hypothesis_settings.register_profile("dangjian", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("dangjian")


@pytest.fixture(autouse=True)
def _audit_checkpoint(tmp_path, settings):
    """Each test its own audit checkpoint file: a checkpoint left by another test's chain would not match."""
    settings.DANGJIAN_AUDIT_CHECKPOINT = tmp_path / "audit-checkpoint.json"


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


# --- browser tests (Playwright driving Debian's chromium) ---------------------------------------------------
# Use with pytest-django's `live_server`, `@pytest.mark.browser` and `@pytest.mark.django_db(transaction=True)`.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS_DIR = Path(__file__).resolve().parent.parent / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _launch_chromium():
    """Start Playwright and a headless chromium: yields the browser, closes both. Missing chromium skips the test
    (or the module) — except in CI, where it fails."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"CI 环境缺少 {CHROMIUM}：浏览器测试不能跳过，请先 apt-get install chromium", pytrace=False
            )
        pytest.skip(f"未安装 {CHROMIUM}，跳过浏览器测试（apt-get install chromium fonts-noto-cjk）")
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests make around it
    # are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def browser():
    """A headless chromium for one test (function scope: some browser tests drive Playwright themselves, and
    two sync Playwright sessions cannot be alive in one thread)."""
    yield from _launch_chromium()


@pytest.fixture(scope="module")
def module_browser():
    """One headless chromium for every test of a module that walks many pages (one context per role and
    width): launching costs a second or two a time. A module using it must not use `browser` as well."""
    yield from _launch_chromium()


def _new_page(browser, **options):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.fixture
def page(browser):
    """A desktop-sized page (1280×800)."""
    context, p = _new_page(browser, viewport=DESKTOP)
    yield p
    context.close()


@pytest.fixture
def phone_page(browser):
    """A phone-sized page (390×844, touch)."""
    context, p = _new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield p
    context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """test-artifacts/ (git-ignored): screenshots worth a look after a run."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture
def browser_login(live_server):
    """browser_login(page, username, password) signs in through the login form and waits for the home page."""
    from dangjian.factories import TEST_PASSWORD

    def _login(p, username: str, password: str = TEST_PASSWORD) -> None:
        p.goto(f"{live_server.url}/accounts/login/")
        p.fill("#id_username", username)
        p.fill("#id_password", password)
        with p.expect_navigation():
            p.click("button[type=submit]")

    return _login


@pytest.fixture
def horizontal_overflow():
    """horizontal_overflow(page) → how many CSS pixels the page is wider than its viewport (0 = none)."""

    def _overflow(p) -> int:
        return p.evaluate("() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")

    return _overflow


def reseed_builtin_data() -> None:
    """Run every data migration of the project again (they are idempotent): a transactional test flushes the
    database, which empties the rows migrations seed (activity kinds, requirements, checklist, report rules)."""
    from django.apps import apps as global_apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    for key in sorted(loader.disk_migrations):
        if key[0] not in {c.label for c in global_apps.get_app_configs() if c.name.startswith("dangjian.")}:
            continue
        for op in loader.disk_migrations[key].operations:
            if isinstance(op, RunPython):
                op.code(global_apps, None)


@pytest.fixture(autouse=True)
def _fresh_memo():
    """Test databases are rolled back or flushed between tests, so data versions repeat with other data."""
    from dangjian.core import memo

    memo.clear()
    yield
    memo.clear()


@pytest.fixture(autouse=True)
def _builtin_data_in_transactional_tests(request):
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        reseed_builtin_data()
    yield
