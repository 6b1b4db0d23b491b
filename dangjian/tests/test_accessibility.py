"""Every page of the permission matrix passes axe-core in chromium, at 390 px and at 1280 px (issue 18).

GB/T 37668 (无障碍) and the 适老化 guidance: no *serious* or *critical* violation of WCAG 2.x A/AA on any page a
role may open. One chromium for the module; for each role, one context per width walks that role's allowed GET
pages (the URL list of `tests/test_permission_matrix.py`, built by each app's `tests/urls_matrix.py`), each page
loaded at that width. axe-core is vendored under `static/vendor/` and injected here only (an init script of the
test's context), never served to users by a page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from dangjian.conftest import DESKTOP, PHONE
from dangjian.core.testing import CAST_USERS

from .matrix import collect_cases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent.parent / "static" / "vendor" / "axe-core-4.14.1.min.js"
BLOCKING = ("serious", "critical")
AXE_RUN = """async () => {
  const result = await window.axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    resultTypes: ['violations'],
  });
  return result.violations
    .filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')), count: v.nodes.length}));
}"""


def html_pages(cast, who: str) -> list[str]:
    """The GET pages `who` may open that answer an HTML document (files, workbooks and fragments excluded)."""
    client = Client()
    client.force_login(cast[who])
    urls: list[str] = []
    names: set[str] = set()
    for case in collect_cases(cast):
        if case.method != "get" or case.public or who not in case.allow or 200 not in case.ok:
            continue
        if case.name in names:
            continue  # one page per URL name: its other cases render the same template
        r = client.get(case.url, case.data)
        if r.status_code != 200 or not r["Content-Type"].startswith("text/html"):
            continue
        if b"<html" not in r.content[:300]:
            continue  # an htmx fragment, checked inside the page that loads it
        urls.append(case.url)
        names.add(case.name)
    return urls


def axe_context(browser):
    """A context with axe-core loaded into every document before the page's own scripts."""
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=PHONE,
        bypass_csp=True,  # axe is not among the scripts the policy allows
    )
    context.set_default_timeout(15_000)
    context.add_init_script(AXE.read_text(encoding="utf-8"))
    return context


def axe_violations(p, url: str) -> list[str]:
    """Load the page once; check it at 390 px, then laid out again at 1280 px."""
    found: list[str] = []
    p.set_viewport_size(PHONE)
    p.goto(url)
    for size in (PHONE, DESKTOP):
        p.set_viewport_size(size)
        found += [
            f"{size['width']}px {url} [{v['impact']}] {v['id']}（{v['help']}）×{v['count']}: {v['targets']}"
            for v in p.evaluate(AXE_RUN)
        ]
    return found


@pytest.mark.parametrize("who", [w for w in CAST_USERS])
def test_every_page_passes_axe(who, cast, live_server, module_browser):
    from dangjian.factories import TEST_PASSWORD

    urls = html_pages(cast, who)
    assert urls, f"{who} 没有可检查的页面"
    context = axe_context(module_browser)
    p = context.new_page()
    p.goto(f"{live_server.url}/accounts/login/")
    p.fill("#id_username", cast[who].username)
    p.fill("#id_password", TEST_PASSWORD)
    with p.expect_navigation():
        p.click("button[type=submit]")
    failures: list[str] = []
    for url in urls:
        failures += axe_violations(p, live_server.url + url)
    context.close()
    assert not failures, f"角色 {who}：axe-core 发现严重无障碍问题 {len(failures)} 项：\n" + "\n".join(
        failures
    )


def test_login_page_passes_axe(live_server, module_browser):
    context = axe_context(module_browser)
    failures = axe_violations(context.new_page(), f"{live_server.url}/accounts/login/")
    context.close()
    assert not failures, "\n".join(failures)
