"""The yearly report's web preview shows all five parts, as the Word document does (issue 18 item 9: the preview
was reported to skip 原因分析 and 思考和建议)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTS = ("一、基本情况", "二、存在的问题", "三、原因分析", "四、主要做法和成效", "五、思考和建议")


def test_preview_has_every_part(cast, live_server, phone_page, browser_login, horizontal_overflow):
    from dangjian.reports import annual

    p = phone_page
    p.set_default_timeout(120_000)  # the report is computed on the request: slow on a loaded machine
    browser_login(p, "bureau")
    p.goto(f"{live_server.url}/reports/annual/?year=2026")
    headings = [h.strip() for h in p.locator("#annual-report section > h2").all_inner_texts()]
    assert headings == list(PARTS), headings
    report = annual.build(2026, None)
    text = p.locator("#annual-report").inner_text()
    for heading, subs in report.sections():
        for _sub, paras in subs:
            for para in paras:
                assert para in text, (heading, para)
    for i in range(len(PARTS)):  # each part is shown (not collapsed or hidden) and has content under it
        section = p.locator("#annual-report section").nth(i)
        assert section.is_visible() and len(section.inner_text()) > len(PARTS[i]) + 4
    assert horizontal_overflow(p) == 0
