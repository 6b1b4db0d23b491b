"""The demo is not part of the product (issue 17 part 5): no production module imports dangjian.demo, and the
site runs without the demo and bench apps installed. Only seed_demo, the bench and tests use the demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dangjian

ROOT = Path(dangjian.__file__).resolve().parent.parent

# Imports every production module of dangjian in a fresh interpreter and prints the dangjian.demo modules loaded.
SCRIPT = """
import importlib, json, pathlib, sys
import django
django.setup()
import dangjian

root = pathlib.Path(dangjian.__file__).parent
names = []
for path in sorted(root.rglob("*.py")):
    parts = ("dangjian", *path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    skip = {"demo", "bench", "tests", "conftest", "settings_test", "factories"}
    if len(parts) > 1 and (parts[1] in skip or "tests" in parts or parts[-1].startswith("test_")):
        continue
    names.append(".".join(parts))
for name in names:
    importlib.import_module(name)
print(json.dumps({"imported": len(names), "demo": sorted(m for m in sys.modules if m.startswith("dangjian.demo"))}))
"""


WITHOUT_DEMO = """
from dangjian.settings_test import *  # the test settings as production may run them: no demo, no bench
INSTALLED_APPS = [a for a in INSTALLED_APPS if a not in ("dangjian.demo", "dangjian.bench")]
"""


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "settings_without_demo.py").write_text(WITHOUT_DEMO)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings_without_demo",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)]),
    }
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_no_production_module_imports_the_demo(tmp_path):
    result = json.loads(_run(tmp_path, "-c", SCRIPT).stdout.strip().splitlines()[-1])
    assert result["imported"] > 100  # the walk did reach the apps
    assert result["demo"] == []


def test_the_site_checks_clean_and_has_no_seed_demo_without_the_demo_app(tmp_path):
    assert "System check identified no issues" in _run(tmp_path, "manage.py", "check").stdout
    assert "seed_demo" not in _run(tmp_path, "manage.py", "help", "--commands").stdout
