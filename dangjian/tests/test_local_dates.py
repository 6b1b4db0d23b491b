"""Local dates only: `date.today()` / naive `datetime.now()` read the server's clock zone, not Asia/Shanghai.

The server may run in UTC, where between 00:00 and 08:00 Beijing time `date.today()` is still yesterday: a 三会一课
held this morning would be "in the future" and a deadline would look a day early. Code means the local date, so it
asks `timezone.localdate()` (or `timezone.now()` for an instant). Migrations are history and are not scanned.
"""

from __future__ import annotations

import re
from pathlib import Path

import dangjian

ROOT = Path(dangjian.__file__).parent
FORBIDDEN = re.compile(r"\bdate\.today\(\)|\bdatetime\.(?:now|today)\(\)|\bdatetime\.utcnow\(\)")
# Files allowed to name the forbidden calls, with the reason. Keep it short.
ALLOWED = {
    "tests/test_local_dates.py": "this guard names the calls it forbids",
}


def offenders(root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if "/migrations/" in f"/{rel}" or rel in ALLOWED:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line.split("#", 1)[0]):
                found.append(f"{rel}:{n}: {line.strip()}")
    return found


def test_no_server_clock_dates_outside_the_allow_list():
    assert not offenders(), (
        "用 timezone.localdate() / timezone.now()，不要用服务器时区的日期：\n" + "\n".join(offenders())
    )


def test_the_guard_sees_a_server_clock_date(tmp_path):
    (tmp_path / "views.py").write_text("from datetime import date\nyear = date.today().year\n")
    (tmp_path / "ok.py").write_text("x = timezone.localdate()  # not date.today()\n")
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_x.py").write_text("d = date.today()\n")
    assert offenders(tmp_path) == ["views.py:2: year = date.today().year"]
