"""The draw page in chromium (issue 18 item 9): when more organisations failed last quarter than places were
asked for, the preview says how many are inspected and why — not "抽取数量 6 个（其中上季度未达标必查 17 个）" —
and the method is written for a party worker, not as "Python 的 random.Random"."""

from __future__ import annotations

import re

import pytest
import time_machine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@time_machine.travel("2026-11-20 10:00 +0800", tick=True)
def test_draw_preview_counts_agree(bureau_tree, live_server, phone_page, browser_login, horizontal_overflow):
    p = phone_page
    browser_login(p, "bureau")
    p.goto(f"{live_server.url}/supervision/inspections/draw/")
    method = p.locator("#draw-method").inner_text()
    assert "Python" not in method and "random" not in method and "随机种子" in method
    p.fill("#id_quarter", "2026Q4")
    p.locator("input[name=method][value=count]").check()
    p.fill("#id_count", "3")
    p.check("#id_include_failing")
    with p.expect_navigation():
        p.click("button[name=preview]")
    size = p.locator("#draw-size").inner_text()
    rows = p.locator("table tbody tr").count()
    forced = p.locator("table tbody .tag-warn").count()
    assert forced > 3, "fixture: more failing branches than places"
    m = re.search(r"共 (\d+) 个：上季度未达标必查 (\d+) 个，随机抽取 (\d+) 个", size)
    assert m, size
    assert (int(m[1]), int(m[2]), int(m[3])) == (rows, forced, rows - forced)
    assert "不再随机抽取" in size
    assert horizontal_overflow(p) == 0
