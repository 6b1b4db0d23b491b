"""The phone (390 px): the organisation hands in rectification material; a rater fills a score sheet."""

import os
from datetime import date
from pathlib import Path

import pytest

from dangjian.factories import TEST_PASSWORD
from dangjian.supervision.models import ObservationScore, Rectification
from dangjian.supervision.tests import factories as f

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium 未安装"),
]


@pytest.fixture
def phone():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 390, "height": 844})
        yield context.new_page()
        browser.close()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_org_admin_hands_in_material_on_a_phone(live_server, cast, phone, tmp_path, settings):
    settings.DANGJIAN_UPLOAD_MAX_BYTES = 6 * 1024 * 1024  # the help follows the configured limit
    rect = f.rectification(cast["a"], deadline=date(2030, 1, 1))
    sign_in(phone, live_server.url, "admin_a")
    phone.goto(f"{live_server.url}/supervision/rectifications/")
    assert no_sideways_scroll(phone)
    phone.click(f"a[href='/supervision/rectifications/{rect.pk}/']")
    assert no_sideways_scroll(phone)
    # the attachment help says the size limit of the upload policy (core/uploads.py POLICIES)
    help_text = phone.locator("#files-help-evidence").inner_text()
    assert "不超过 6 MB" in help_text and "PDF" in help_text, help_text
    photo = tmp_path / "整改照片.png"
    photo.write_bytes(f.PNG_BYTES)
    form = phone.locator("form.rect-action", has=phone.locator("input[name=action][value=evidence]"))
    form.locator("textarea[name=text]").fill("已补开支部党员大会，会议记录已归档")
    form.locator("input[type=file]").set_input_files(str(photo))
    form.locator("button[type=submit]").click()
    phone.wait_for_selector("text=提交整改材料：已完成")
    assert phone.locator("figure.photo img").count() == 1
    assert no_sideways_scroll(phone)
    rect.refresh_from_db()
    assert rect.status == "in_progress"
    phone.locator("form.rect-action", has=phone.locator("input[value=submit]")).locator("button").click()
    phone.wait_for_selector("text=提交验收：已完成")
    assert Rectification.objects.get(pk=rect.pk).status == "submitted"


def test_rater_scores_on_a_phone(live_server, cast, phone):
    obs = f.observation([cast["a"], cast["b"]], [cast["inspector"]])
    sign_in(phone, live_server.url, "inspector")
    phone.goto(f"{live_server.url}/supervision/observations/{obs.pk}/score/")
    assert no_sideways_scroll(phone)
    inputs = phone.locator("input.points")
    for i in range(inputs.count()):
        inputs.nth(i).fill("10")
    phone.click("text=保存评分")
    phone.wait_for_selector("text=评分已保存")
    assert ObservationScore.objects.filter(rater__user=cast["inspector"]).count() == inputs.count()
    assert no_sideways_scroll(phone)
