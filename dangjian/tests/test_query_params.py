"""A malformed query parameter answers 400 with a Chinese message (core.params), never 500 nor a silent default."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import BadRequest
from django.test import RequestFactory

from dangjian.core import params

from .matrix import collect_cases

# (who, URL with one bad parameter): every list page that reads a year, a page number or a page size.
BAD_QUERIES = [
    ("bureau", "/honors/grades/?year=abc"),
    ("bureau", "/honors/grades/?year=99999"),
    ("bureau", "/honors/?year=abc"),
    ("bureau", "/duties/lists/?year=abc"),
    ("bureau", "/duties/lists/?page=abc"),
    ("bureau", "/duties/notices/?year=2024x"),
    ("bureau", "/duties/showcase/?year=abc"),
    ("bureau", "/duties/cases/?page=abc"),
    ("bureau", "/duties/rates/?year=abc"),
    ("bureau", "/compliance/org/{a}/?year=abc"),
    ("bureau", "/compliance/org/{a}/?year=1800"),
    ("bureau", "/compliance/exemptions/?page=abc"),
    ("bureau", "/reports/annual/?year=abc"),
    ("bureau", "/reports/ledgers/?year=abc"),
    ("bureau", "/study/?year=abc"),
    ("bureau", "/study/members/?year=abc"),
    ("bureau", "/study/members/?page=abc"),
    ("bureau", "/members/?page=abc"),
    ("bureau", "/members/?per=abc"),
    ("bureau", "/activities/?page=0"),
    ("bureau", "/notify/?page=abc"),
    ("sysadmin", "/accounts/users/?page=abc"),
    ("auditor", "/audit/?page=-1"),
    ("bureau", "/supervision/inspections/?page=abc"),
    ("bureau", "/dues/?year=abc"),
    ("bureau", "/dues/export/?year=1800"),
    ("bureau", "/dues/bases/?year=abc"),
    ("bureau", "/dues/ledger/?month=abc"),
    ("bureau", "/dues/ledger/?month=2026-13"),
    ("admin_a", "/dues/payments/new/?month=2026-3x"),
]


@pytest.mark.django_db
def test_honors_grades_with_a_bad_year_is_a_400_not_a_500(cast, client):
    client.force_login(cast["bureau"])
    response = client.get("/honors/grades/?year=abc")
    assert response.status_code == 400
    assert "参数“year”应为整数" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who,url", BAD_QUERIES)
def test_every_list_page_refuses_a_bad_parameter_with_400(cast, client, who, url):
    client.force_login(cast[who])
    response = client.get(url.format(a=cast["a"].pk))
    assert response.status_code == 400, response.status_code
    html = response.content.decode()
    assert "请求有误" in html and "参数“" in html


@pytest.mark.django_db
def test_no_page_answers_500_to_garbage_parameters(cast, client):
    """Every GET page of the permission matrix, as a user allowed to see it, with every common parameter bad."""
    garbage = "year=abc&page=abc&per=abc&org=abc&date=abc&status=%00&kind=abc&month=abc&edit=abc"
    failures = []
    for case in collect_cases(cast):
        if case.method != "get" or case.public or not case.allow:
            continue
        client.force_login(cast[sorted(case.allow)[0]])
        sep = "&" if "?" in case.url else "?"
        response = client.get(f"{case.url}{sep}{garbage}")
        if response.status_code >= 500:
            failures.append((case.name, response.status_code))
    assert not failures


def _get(query: str):
    return RequestFactory().get(f"/x/?{query}")


@pytest.mark.parametrize(
    "query", ["year=abc", "year=２０２５", "year=1999", "year=2101", "year=20 25", "year=-2025"]
)
def test_year_param_refuses_what_is_not_a_year(query):
    with pytest.raises(BadRequest):
        params.year_param(_get(query))


def test_year_param_takes_the_default_only_when_absent(time_machine):
    time_machine.move_to("2026-03-01 10:00+08:00")
    assert params.year_param(_get("year=2024")) == 2024
    assert params.year_param(_get("year=")) == 2026
    assert params.year_param(_get("")) == 2026
    assert params.year_param(_get(""), 2020) == 2020
    assert params.optional_year_param(_get("")) is None


def test_int_choice_and_date_params():
    assert params.int_param(_get("n=7"), "n", 1, min=1, max=10) == 7
    assert params.int_param(_get(""), "n", None) is None
    with pytest.raises(BadRequest, match="1–10"):
        params.int_param(_get("n=11"), "n", 1, min=1, max=10)
    assert params.page_param(_get("page=3")) == 3
    with pytest.raises(BadRequest):
        params.page_param(_get("page=0"))
    assert params.choice_param(_get("k=a"), "k", ["a", "b"]) == "a"
    assert params.choice_param(_get(""), "k", ["a", "b"], "b") == "b"
    with pytest.raises(BadRequest):
        params.choice_param(_get("k=c"), "k", ["a", "b"])
    assert params.date_param(_get("d=2025年7月1日"), "d") == date(2025, 7, 1)
    assert params.date_param(_get(""), "d", date(2020, 1, 1)) == date(2020, 1, 1)
    with pytest.raises(BadRequest, match="不是可识别的日期"):
        params.date_param(_get("d=tomorrow"), "d")
