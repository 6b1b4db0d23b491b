"""半年观摩: events, rubric, score sheets, results at 4, 5 and 6 raters, ranking, export, the appraisal hook."""

from datetime import date
from decimal import Decimal

import pytest

from dangjian.core.xlsx import iter_rows
from dangjian.supervision import services
from dangjian.supervision.models import Observation, ObservationRater, ObservationScore, RubricItem
from dangjian.supervision.tests import factories as f
from dangjian.supervision.tests.conftest import make_raters

pytestmark = pytest.mark.django_db


def sheet(obs, totals_by_org: dict) -> None:
    """Give each rater, for each organisation, the whole total on the first item and 0 on the others."""
    items = list(RubricItem.objects.filter(observation=obs, is_active=True).order_by("sort"))
    seats = list(ObservationRater.objects.filter(observation=obs).order_by("sort"))
    targets = {t.organization_id: t for t in obs.targets.all()}
    for org_id, totals in totals_by_org.items():
        for seat, total in zip(seats, totals, strict=False):
            if total is None:
                continue
            values = {
                (targets[org_id].pk, i.pk): (Decimal(total) if n == 0 else Decimal(0))
                for n, i in enumerate(items)
            }
            services.save_scores(obs, seat, values, enforce_role=False)


def _rubric_100(obs):
    items = list(obs.rubric.all())
    first = items[0]
    first.name, first.max_points = "综合评价", Decimal(100)
    first.save()
    RubricItem.objects.filter(pk__in=[i.pk for i in items[1:]]).delete()


@pytest.mark.parametrize(
    "totals,expected",
    [
        ([80, 90, 70, 100], Decimal("85.00")),  # 4 raters: plain mean
        ([80, 90, 70, 100, 60], Decimal("80.00")),  # 5: drop 100 and 60
        ([88.5, 92, 75, 99, 60, 80], Decimal("83.88")),  # 6: drop 99 and 60 -> 335.5 / 4
        ([90, 90, 80, 70, 70], Decimal("80.00")),  # ties: one highest and one lowest dropped
    ],
)
def test_results_at_4_5_6_raters(cast, totals, expected):
    obs = f.observation([cast["a"], cast["b"]], make_raters(len(totals)))
    _rubric_100(obs)
    sheet(obs, {cast["a"].pk: totals})
    res = services.results(obs)
    row = next(r for r in res.rows if r.organization == cast["a"])
    from dangjian.supervision.scoring import as_decimal

    assert as_decimal(row.result.score) == expected
    assert res.trimmed == (len(totals) >= 5)
    unscored = next(r for r in res.rows if r.organization == cast["b"])
    assert unscored.result.score is None and unscored.rank is None


def test_ranking_with_ties_and_page(cast, login, bureau_tree):
    c1, c2 = bureau_tree["extra"][:2]
    obs = f.observation([cast["a"], cast["b"], c1, c2], make_raters(5))
    _rubric_100(obs)
    sheet(
        obs,
        {
            cast["a"].pk: [90, 80, 85, 70, 95],  # drop 95, 70 -> 85
            cast["b"].pk: [85, 85, 85, 85, 85],  # 85: tie with A
            c1.pk: [99, 98, 97, 96, 95],  # 97
            c2.pk: [60, 70, None, 80, 90],  # one rater unfinished: 4 counted, plain mean 75
        },
    )
    res = services.results(obs)
    ranks = {r.organization.code: r.rank for r in res.rows}
    assert ranks == {"C1": 1, "A": 2, "B": 2, "C2": 4}
    assert [r.organization.code for r in res.rows][0] == "C1"
    page = login(cast["inspector"]).get(f"/supervision/observations/{obs.pk}/").content.decode()
    assert "97.00" in page and "75.00" in page and "未完成" in page and "去掉最高" in page


def test_score_sheet_by_the_rater_and_by_proxy(cast, login):
    rater = cast["inspector"]
    obs = f.observation([cast["a"], cast["b"]], [rater, cast["bureau"]])
    items = list(obs.rubric.order_by("sort"))
    targets = list(obs.targets.order_by("sort"))
    url = f"/supervision/observations/{obs.pk}/score/"
    client = login(rater)
    page = client.get(url)
    assert page.status_code == 200 and page.context["seat"].user == rater
    data = {f"s_{t.pk}_{i.pk}": str(i.max_points - 1) for t in targets for i in items}
    data[f"s_{targets[0].pk}_{items[0].pk}"] = "25"  # more than the item's 20
    r = client.post(url, data)
    assert r.status_code == 400 and "超过该项满分 20" in r.content.decode()
    assert not ObservationScore.objects.exists()
    data[f"s_{targets[0].pk}_{items[0].pk}"] = "-1"
    assert "不能为负数" in client.post(url, data).content.decode()
    data[f"s_{targets[0].pk}_{items[0].pk}"] = "19.25"
    assert "最多保留一位小数" in client.post(url, data).content.decode()
    data[f"s_{targets[0].pk}_{items[0].pk}"] = "19.5"
    assert client.post(url, data).status_code == 302
    assert ObservationScore.objects.count() == len(items) * 2
    # a rater cannot open someone else's sheet; the bureau admin enters a paper sheet for a rater
    bureau_seat = ObservationRater.objects.get(observation=obs, user=cast["bureau"])
    rater_seat = ObservationRater.objects.get(observation=obs, user=rater)
    assert client.get(f"{url}?rater={bureau_seat.pk}").status_code == 403
    corrected = {**data, f"s_{targets[1].pk}_{items[0].pk}": "12", "rater": rater_seat.pk}
    proxy = login(cast["bureau"]).post(f"{url}?rater={rater_seat.pk}", corrected)
    assert proxy.status_code == 302
    assert set(ObservationScore.objects.values_list("entered_by", flat=True)) == {rater.pk, cast["bureau"].pk}
    # not a rater: refused
    assert login(cast["admin_a"]).get(url).status_code == 403


def test_final_locks_scores(cast, login):
    obs = f.observation([cast["a"]], [cast["inspector"]])
    client = login(cast["bureau"])
    client.post(f"/supervision/observations/{obs.pk}/final/", {"final": "1", "version": obs.version})
    obs.refresh_from_db()
    assert obs.is_final
    item = obs.rubric.first()
    target = obs.targets.first()
    r = login(cast["inspector"]).post(
        f"/supervision/observations/{obs.pk}/score/", {f"s_{target.pk}_{item.pk}": "10"}
    )
    assert r.status_code == 400 and "已定稿" in r.content.decode()
    with pytest.raises(services.ServiceError, match="已定稿"):
        services.save_rubric(obs, [], actor=cast["bureau"])


def test_rubric_editing_rules(cast, login):
    obs = f.observation([cast["a"]], [cast["inspector"]])
    items = list(obs.rubric.order_by("sort"))
    target = obs.targets.first()
    seat = obs.raters.first()
    services.save_scores(obs, seat, {(target.pk, items[0].pk): Decimal("18")}, enforce_role=False)
    client = login(cast["bureau"])
    url = f"/supervision/observations/{obs.pk}/rubric/"

    def form(rows, version):
        data = {"version": version, "rows": len(rows)}
        for n, (pk, name, mx, remove) in enumerate(rows):
            data.update({f"id_{n}": pk or "", f"name_{n}": name, f"max_{n}": mx, f"guidance_{n}": ""})
            if remove:
                data[f"remove_{n}"] = "1"
        return data

    obs.refresh_from_db()
    rows = [(i.pk, i.name, str(i.max_points), False) for i in items]
    rows[0] = (items[0].pk, items[0].name, "15", False)
    r = client.post(url, form(rows, obs.version))
    assert r.status_code == 400 and "已有评委打出 18.0 分" in r.content.decode()
    rows[0] = (items[0].pk, "阵地建设与氛围", "20", True)  # scored: switched off, not deleted
    rows[1] = (items[1].pk, items[1].name, "25", True)  # unscored: deleted
    rows.append((None, "创新做法", "10", False))
    r = client.post(url, form(rows, obs.version))
    assert r.status_code == 302
    assert RubricItem.objects.filter(pk=items[0].pk, is_active=False).exists()
    assert not RubricItem.objects.filter(pk=items[1].pk).exists()
    assert RubricItem.objects.filter(observation=obs, name="创新做法", max_points=10).exists()
    r = client.post(url, form([(None, "重复", "5", False), (None, "重复", "5", False)], obs.version + 1))
    assert "重名" in r.content.decode()
    r = client.post(url, form(rows, 1))
    assert "已被他人修改" in r.content.decode()


def test_create_and_edit_pages(cast, login, bureau_tree):
    client = login(cast["bureau"])
    raters = make_raters(3)
    data = {
        "title": "2026年上半年党建观摩",
        "year": "2026",
        "half": "1",
        "held_on": "2026-06-18",
        "place": "",
        "note": "",
        "orgs": [cast["a"].pk, cast["b"].pk],
        "raters": [u.pk for u in raters],
    }
    r = client.post("/supervision/observations/new/", data)
    obs = Observation.objects.get()
    assert r.status_code == 302 and obs.targets.count() == 2 and obs.raters.count() == 3
    assert obs.rubric.count() == 5 and sum(i.max_points for i in obs.rubric.all()) == 100
    r = client.post("/supervision/observations/new/", {**data, "held_on": "2025-06-18"})
    assert "不在 2026 年内" in r.content.decode()
    # edit: add an organisation and a rater; a scored organisation cannot be removed
    seat = obs.raters.first()
    t_a = obs.targets.get(organization=cast["a"])
    services.save_scores(obs, seat, {(t_a.pk, obs.rubric.first().pk): Decimal(10)}, enforce_role=False)
    obs.refresh_from_db()
    c1 = bureau_tree["extra"][0]
    edit = {**data, "orgs": [cast["b"].pk, c1.pk], "version": obs.version}
    r = client.post(f"/supervision/observations/{obs.pk}/edit/", edit)
    assert "已有评分的观摩对象不能移出" in r.content.decode()
    r = client.post(f"/supervision/observations/{obs.pk}/edit/", {**edit, "orgs": [cast["a"].pk, c1.pk]})
    assert r.status_code == 302
    assert set(obs.targets.values_list("organization__code", flat=True)) == {"A", "C1"}


def test_list_shows_raters_their_events_only(cast, login):
    mine = f.observation([cast["a"]], [cast["admin_b"]], title="乙评委参加的观摩")
    f.observation([cast["a"]], [cast["inspector"]], title="其他观摩")
    page = login(cast["admin_b"]).get("/supervision/observations/")
    assert [o.pk for o in page.context["observations"]] == [mine.pk]
    assert "我的评分" in page.content.decode()
    assert len(login(cast["inspector"]).get("/supervision/observations/").context["observations"]) == 2
    home = login(cast["admin_b"]).get("/").content.decode()
    assert "乙评委参加的观摩" in home


def test_export_xlsx(cast, login):
    obs = f.observation([cast["a"], cast["b"]], make_raters(5))
    _rubric_100(obs)
    sheet(obs, {cast["a"].pk: [80, 90, 70, 100, 60], cast["b"].pk: [90, 90, 90, 90, 90]})
    r = login(cast["inspector"]).get(f"/supervision/observations/{obs.pk}/export/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(iter_rows(r.content))
    assert rows[0][:3] == ["名次", "组织代码", "党组织"] and rows[0][-3:] == [
        "去掉最高分",
        "去掉最低分",
        "最后得分",
    ]
    assert rows[1][1] == "B" and rows[1][-1] == 90
    assert rows[2][0] == 2 and rows[2][1] == "A" and rows[2][-1] == 80 and rows[2][-3:-1] == [100, 60]
    from dangjian.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="observation.export", model="supervision.observation").exists()


def test_observation_score_for_the_appraisal(cast):
    obs1 = f.observation([cast["a"], cast["b"]], make_raters(2), half=1)
    _rubric_100(obs1)
    sheet(obs1, {cast["a"].pk: [80, 90]})  # 85 of 100
    obs2 = f.observation([cast["a"]], make_raters(1), half=2)
    # obs2 keeps the default five-item rubric; the rater gives 70% of every item: 70 on the 100-point scale
    items = list(obs2.rubric.order_by("sort"))
    t = obs2.targets.first()
    seat = obs2.raters.first()
    services.save_scores(
        obs2, seat, {(t.pk, i.pk): i.max_points * Decimal("0.7") for i in items}, enforce_role=False
    )
    assert services.observation_score(cast["a"].pk, 2026) == pytest.approx((85 + 70) / 2)
    assert services.observation_score(cast["b"].pk, 2026) is None  # observed but never scored
    assert services.observation_score(cast["a"].pk, 2025) is None
    obs2.is_cancelled = True
    obs2.save()
    assert services.observation_score(cast["a"].pk, 2026) == pytest.approx(85)


def f_user(name):
    from dangjian import factories
    from dangjian.accounts.roles import Role

    return factories.user(name, Role.INSPECTOR)


def test_detail_queries_do_not_grow(cast, login, bureau_tree):
    client = login(cast["inspector"])
    obs = f.observation([cast["a"], cast["b"]], make_raters(5))
    sheet(obs, {cast["a"].pk: [10, 11, 12, 13, 14]})
    url = f"/supervision/observations/{obs.pk}/"
    small = f.queries_for(client, url)
    big = f.observation(bureau_tree["extra"][:8] + [cast["a"]], [f_user(f"big{i}") for i in range(7)])
    sheet(big, {o.pk: [10, 12, 14, 16, 18, 20, 5] for o in bureau_tree["extra"][:8]})
    assert f.queries_for(client, f"/supervision/observations/{big.pk}/") == small
    assert f.queries_for(client, "/supervision/observations/") == f.queries_for(
        client, "/supervision/observations/"
    )


def test_list_queries_do_not_grow(cast, login):
    client = login(cast["bureau"])
    f.observation([cast["a"]], make_raters(1))
    small = f.queries_for(client, "/supervision/observations/")
    for i in range(5):
        f.observation([cast["a"], cast["b"]], [f_user(f"more{i}")], held_on=date(2026, 5, 1 + i))
    assert f.queries_for(client, "/supervision/observations/") == small


def test_cancel_keeps_the_record_and_drops_it_from_the_appraisal(cast, login):
    obs = f.observation([cast["a"]], make_raters(1))
    _rubric_100(obs)
    sheet(obs, {cast["a"].pk: [90]})
    assert services.observation_score(cast["a"].pk, 2026) == 90
    client = login(cast["bureau"])
    url = f"/supervision/observations/{obs.pk}/final/"
    r = client.post(url, {"cancel": "1", "reason": "", "version": obs.version}, follow=True)
    assert "须填写原因" in r.content.decode()
    client.post(url, {"cancel": "1", "reason": "因故改期，另行组织", "version": obs.version})
    obs.refresh_from_db()
    assert obs.is_cancelled and "因故改期" in obs.note
    assert Observation.objects.filter(pk=obs.pk).exists()
    assert services.observation_score(cast["a"].pk, 2026) is None
    assert "已取消" in client.get(f"/supervision/observations/{obs.pk}/").content.decode()
