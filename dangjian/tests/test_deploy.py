"""Production settings pass `dangjian check --deploy` with no warning; the console entry point is manage.py."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PROJECT_DIR = Path(settings.PROJECT_DIR)


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG", "DANGJIAN_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="dangjian.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="dangjian.example.gov.cn",
        DANGJIAN_VAR_DIR=str(tmp_path),
        **extra,
    )
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dangjian.manage", *args],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output and "ERRORS" not in output


def test_check_deploy_refuses_the_development_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = manage(env, "check", "--deploy")
    assert result.returncode != 0
    assert "dangjian.E001" in result.stderr


def test_check_deploy_flags_debug(tmp_path):
    result = manage(production_env(tmp_path, DEBUG="1"), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0 and "security.W018" in result.stderr


CONSOLE_SCRIPT = Path(sys.executable).with_name("dangjian")


@pytest.mark.skipif(
    not CONSOLE_SCRIPT.exists(), reason="项目未以 pip install -e . 安装到当前环境（scripts/test.sh 会安装）"
)
def test_console_entry_point_migrates(tmp_path):
    env = production_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'entry.sqlite3'}")
    result = subprocess.run(
        [str(CONSOLE_SCRIPT), "migrate", "--no-input", "-v", "1"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "entry.sqlite3").exists()
    assert "Applying accounts.0001_initial" in result.stdout
