"""The inspector on a phone (issue 18 item 2): choosing 不符合, typing the problem and choosing a photo for one item,
and results for another, are saved together by one 保存 — nothing chosen or typed is lost to a reload; a refused
photo leaves every choice and text on the page."""

import os
from pathlib import Path

import pytest

from dangjian.factories import TEST_PASSWORD
from dangjian.supervision.models import ChecklistItem, Finding, FindingPhoto, Rectification
from dangjian.supervision.tests import factories as f

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium 未安装"),
]


def test_inspector_records_a_failure_with_its_photo_in_one_save(live_server, cast, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    if ChecklistItem.objects.filter(is_active=True).count() < 2:
        for i in range(2):
            ChecklistItem.objects.create(name=f"检查项目{i}", sort=i, is_active=True)
    first, second = ChecklistItem.objects.filter(is_active=True).order_by("sort", "id")[:2]
    target = f.inspection_round([cast["a"]]).targets.get()
    good = tmp_path / "现场.png"
    good.write_bytes(f.PNG_BYTES)
    bad = tmp_path / "伪装.png"
    bad.write_bytes(b"this is not an image")
    problem = "第三季度未召开支部党员大会"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "inspector")
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/supervision/inspections/targets/{target.pk}/")
        page.check(f"input[name=result_{first.pk}][value=fail]")
        page.fill(f"#note_{first.pk}", problem)
        page.check(f"input[name=result_{second.pk}][value=pass]")
        # a refused photo: the page comes back with every choice and text as they were
        page.set_input_files(f"#photos-{first.pk}", str(bad))
        page.click("button:has-text('保存检查结果')")
        expect(page.locator(".msg-error")).to_contain_text("请重新选择")
        expect(page.locator(f"input[name=result_{first.pk}][value=fail]")).to_be_checked()
        expect(page.locator(f"input[name=result_{second.pk}][value=pass]")).to_be_checked()
        expect(page.locator(f"#note_{first.pk}")).to_have_value(problem)
        assert not Finding.objects.exists()
        # the photo chosen again, one save keeps it all
        page.set_input_files(f"#photos-{first.pk}", str(good))
        page.click("button:has-text('保存检查结果')")
        expect(page.locator(".msg-success")).to_contain_text("上传照片 1 张")
        expect(page.locator(f"input[name=result_{first.pk}][value=fail]")).to_be_checked()
        expect(page.locator(f"input[name=result_{second.pk}][value=pass]")).to_be_checked()
        expect(page.locator(f"#note_{first.pk}")).to_have_value(problem)
        expect(page.locator(f"#item-{first.pk} .photos img")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        browser.close()
    assert Finding.objects.filter(target=target).count() == 2
    assert FindingPhoto.objects.filter(finding__item=first, is_deleted=False).count() == 1
    assert Rectification.objects.get().problem == problem
