"""Issue 14 item 5: 述职评议 ballots cannot be linked to voters through the tally.

The attack: read the tally while voting is open, let one person vote, read it again; the difference is that
person's grades. Now every page every role can open is the same before and after a vote while voting is open;
the tallies appear only once voting has closed and the bureau has published the round."""

from __future__ import annotations

import re
from datetime import date

import pytest

from dangjian import factories
from dangjian.core.actions import Refusal
from dangjian.honors import services

ROLES = ("bureau", "admin_a", "admin_b", "member", "inspector", "auditor", "sysadmin", "secadmin")
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"')  # masked anew per page


@pytest.fixture
def open_round(cast):
    for org in (cast["a"], cast["b"]):
        factories.term(org, elected_on=date(2025, 1, 1), secretary=f"{org.code}书记")
    rnd = services.create_review_round(2026, "2026年度述职评议", actor=cast["bureau"])
    services.set_voting(rnd, open_=True, actor=cast["bureau"])
    return rnd


def _urls(rnd) -> list[str]:
    reports = [f"/honors/reports/{r.pk}/" for r in rnd.reports.all()]
    return ["/honors/reviews/", f"/honors/reviews/{rnd.pk}/", f"/honors/reviews/{rnd.pk}/vote/", *reports]


def _seen(clients, urls) -> dict[tuple[str, str], tuple[int, str]]:
    out = {}
    for role, client in clients.items():
        for url in urls:
            r = client.get(url)
            out[role, url] = (r.status_code, _CSRF.sub("", r.content.decode()))
    return out


def _vote(rnd, user, grade: str) -> None:
    services.vote(rnd, user, {rep.id: grade for rep in rnd.reports.all()})


@pytest.mark.django_db
def test_no_role_sees_anything_change_when_one_person_votes_while_open(open_round, cast, login):
    _vote(open_round, cast["bureau"], "好")  # an earlier ballot: the tally would not be empty
    voter = "inspector"
    clients = {role: login(cast[role]) for role in ROLES if role != voter}
    urls = _urls(open_round)
    before = _seen(clients, urls)
    assert before["bureau", f"/honors/reviews/{open_round.pk}/"][0] == 200
    _vote(open_round, cast[voter], "差")
    after = _seen(clients, urls)
    changed = [key for key in before if before[key] != after[key]]
    assert not changed, changed
    page = after["bureau", f"/honors/reviews/{open_round.pk}/"][1]
    assert "review-results" not in page and "票数" not in page


@pytest.mark.django_db
def test_results_appear_only_after_close_and_publication(open_round, cast, login):
    _vote(open_round, cast["bureau"], "好")
    url = f"/honors/reviews/{open_round.pk}/"
    bureau, inspector = login(cast["bureau"]), login(cast["inspector"])
    assert services.results(open_round) == []
    with pytest.raises(Refusal, match="测评结束后"):
        services.publish_results(open_round, actor=cast["bureau"])
    bureau.post(f"/honors/reviews/{open_round.pk}/settings/", {"action": "close"})
    open_round.refresh_from_db()
    assert "review-results" not in inspector.get(url).content.decode()  # closed, not yet published
    assert services.results(open_round) == []
    # only the bureau publishes
    inspector.post(f"/honors/reviews/{open_round.pk}/settings/", {"action": "publish"})
    open_round.refresh_from_db()
    assert not open_round.is_published
    bureau.post(f"/honors/reviews/{open_round.pk}/settings/", {"action": "publish"})
    open_round.refresh_from_db()
    assert open_round.is_published
    page = inspector.get(url).content.decode()
    assert "review-results" in page and "已投票 1 人" in page
    assert {r.tally.total for r in services.results(open_round)} == {1}
