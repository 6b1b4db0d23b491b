"""Honours (两优一先 and those from higher levels) on the organisation's and the member's page."""

from datetime import date

import pytest

from dangjian.honors.models import Honor

pytestmark = pytest.mark.django_db


def _honor(**kw) -> Honor:
    return Honor.objects.create(category=kw.pop("category", "表彰"), awarded_by="中共某县委", **kw)


def test_org_page_shows_its_honours(cast, login):
    a, b = cast["a"], cast["b"]
    _honor(title="先进基层党组织", level="县级", organization=a, awarded_on=date(2026, 7, 1))
    _honor(
        title="优秀共产党员",
        level="本局",
        organization=a,
        member=cast["members_a"][0],
        awarded_on=date(2026, 7, 1),
    )
    _honor(title="五星级党支部", level="市级", organization=b, awarded_on=date(2025, 7, 1))
    html = login(cast["admin_a"]).get(f"/orgs/{a.pk}/").content.decode()
    assert "表彰荣誉" in html and "先进基层党组织" in html and "县（区）级" in html
    assert "优秀共产党员" not in html  # a member's honour is on the member's page
    assert "五星级党支部" not in html


def test_member_page_shows_their_honours(cast, login):
    m = cast["members_a"][0]
    _honor(title="优秀共产党员", level="本局", organization=cast["a"], member=m, awarded_on=date(2026, 7, 1))
    _honor(
        title="优秀党务工作者", level="市级", organization=cast["a"], member=m, awarded_on=date(2024, 7, 1)
    )
    html = login(cast["admin_a"]).get(f"/members/{m.pk}/").content.decode()
    assert html.index("优秀共产党员") < html.index("优秀党务工作者")  # newest first
    other = cast["members_a"][1]
    assert "暂无表彰荣誉记录" in login(cast["admin_a"]).get(f"/members/{other.pk}/").content.decode()
