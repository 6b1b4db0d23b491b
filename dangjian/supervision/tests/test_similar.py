"""疑似雷同记录: the command (design §4 contract) and the pages."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from dangjian.supervision import similarity
from dangjian.supervision.services import similar
from dangjian.supervision.tests import factories as f

pytestmark = pytest.mark.django_db

OTHER = (
    "本次主题党日组织党员赴红旗渠纪念馆开展现场教学，重温入党誓词，参观了展馆并听取讲解员讲述修渠历史。"
    "党员们纷纷表示，要传承红旗渠精神，在本职岗位上攻坚克难。活动结束后各党小组进行了交流分享，形成心得体会八篇。"
)


def command_json(*args) -> dict:
    out = StringIO()
    call_command("similar_records", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def records(cast):
    a, b = cast["a"], cast["b"]
    copied_a = f.activity(a, on=date(2026, 3, 10))
    copied_b = f.activity(b, f.MINUTES.replace("12名", "9名").replace("11名", "8名"), on=date(2026, 3, 20))
    reused_1 = f.activity(b, OTHER, on=date(2026, 5, 1))
    reused_2 = f.activity(b, OTHER.replace("八篇", "六篇"), on=date(2026, 8, 1))
    unrelated = f.activity(
        a,
        "会议研究了年度预算执行情况，" * 2 + "对下半年重点工作作出安排，明确责任分工和完成时限。",
        on=date(2026, 4, 1),
    )
    return {"copied": (copied_a, copied_b), "reused": (reused_1, reused_2), "unrelated": unrelated}


def test_command_contract(records, cast):
    data = command_json("--year", "2026")
    assert list(data) == ["pairs"]
    pairs = data["pairs"]
    ca, cb = records["copied"]
    r1, r2 = records["reused"]
    assert {(p["a"], p["b"]) for p in pairs} == {(ca.pk, cb.pk), (r1.pk, r2.pk)}
    by = {(p["a"], p["b"]): p for p in pairs}
    assert by[(ca.pk, cb.pk)]["a_org"] == "A" and by[(ca.pk, cb.pk)]["b_org"] == "B"
    assert by[(r1.pk, r2.pk)]["a_org"] == by[(r1.pk, r2.pk)]["b_org"] == "B"
    for p in pairs:
        assert set(p) == {"a", "b", "a_org", "b_org", "similarity"}
        assert 0.8 <= p["similarity"] <= 1 and p["a"] < p["b"]
    # the reported figure is the exact Jaccard of the normalised 3-gram sets
    exact = similarity.jaccard(
        similarity.shingles(similarity.normalise(ca.minutes)),
        similarity.shingles(similarity.normalise(cb.minutes)),
    )
    assert by[(ca.pk, cb.pk)]["similarity"] == round(exact, 4)
    assert [p["similarity"] for p in pairs] == sorted((p["similarity"] for p in pairs), reverse=True)


def test_threshold_year_and_voided_records(records):
    assert command_json("--year", "2025") == {"pairs": []}
    assert len(command_json("--year", "2026", "--threshold", "0.99")["pairs"]) == 0
    r1, r2 = records["reused"]
    r2.is_deleted = True
    r2.save()
    assert [(p["a"], p["b"]) for p in command_json("--year", "2026")["pairs"]] == [
        tuple(x.pk for x in records["copied"])
    ]


def test_short_minutes_not_flagged(cast):
    f.activity(cast["a"], "传达学习文件精神，研究部署下阶段工作。")
    f.activity(cast["b"], "传达学习文件精神，研究部署下阶段工作。")
    assert command_json("--year", "2026") == {"pairs": []}


@pytest.mark.parametrize(
    "args",
    [["--year", "2026", "--threshold", "0"], ["--year", "2026", "--threshold", "1.5"], ["--year", "26"]],
)
def test_usage_errors(args):
    from django.core.management import CommandError

    with pytest.raises(CommandError) as exc:
        call_command("similar_records", *args)
    assert exc.value.returncode == 2


def test_human_output(records):
    out = StringIO()
    call_command("similar_records", "--year", "2026", stdout=out)
    text = out.getvalue()
    assert "2026 年发现 2 对疑似雷同记录" in text and "跨组织雷同" in text and "同一组织重复使用" in text


def test_page_lists_pairs_for_the_inspector_side(records, cast, login):
    r = login(cast["inspector"]).get("/supervision/similar/?year=2026&threshold=0.8")
    page = r.content.decode()
    assert len(r.context["rows"]) == 2
    assert "跨组织雷同" in page and "同一组织重复使用" in page
    ca, cb = records["copied"]
    assert f"/supervision/similar/{ca.pk}/{cb.pk}/" in page
    assert login(cast["admin_a"]).get("/supervision/similar/").status_code == 403
    r = login(cast["bureau"]).get("/supervision/similar/?year=2026&threshold=2")
    assert r.context["form"].errors["threshold"] and r.context["rows"] == []


def test_compare_highlights_and_escapes(cast, login):
    evil = f.MINUTES + "<script>alert('x')</script>"
    a = f.activity(cast["a"], evil)
    b = f.activity(cast["b"], f.MINUTES.replace("两名", "三名"))
    page = login(cast["inspector"]).get(f"/supervision/similar/{a.pk}/{b.pk}/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert '<del class="diff-del">两</del>' in page and '<ins class="diff-ins">三</ins>' in page
    assert login(cast["inspector"]).get(f"/supervision/similar/{a.pk}/999999/").status_code == 404
    assert login(cast["inspector"]).get(f"/supervision/similar/{a.pk}/{a.pk}/").status_code == 404


def test_page_queries_do_not_grow(cast, login):
    client = login(cast["bureau"])
    f.activity(cast["a"])
    f.activity(cast["b"])
    small = f.queries_for(client, "/supervision/similar/?year=2026")
    for i in range(6):
        f.activity(cast["a"], f.MINUTES + f"第{i}次", on=date(2026, 6, 1 + i))
        f.activity(cast["b"], OTHER * 2 + str(i), on=date(2026, 7, 1 + i))
    assert f.queries_for(client, "/supervision/similar/?year=2026") == small


@pytest.mark.django_db(transaction=True)
def test_pairs_are_memoised_until_a_record_of_the_year_is_written(settings, monkeypatch):
    from dangjian.factories import cast as build_cast

    settings.DANGJIAN_SIMILAR_MEMO = True
    cast = build_cast()
    computed = []
    real = similar._compute
    monkeypatch.setattr(similar, "_compute", lambda *a: computed.append(a) or real(*a))
    f.activity(cast["a"], on=date(2024, 3, 1))
    b = f.activity(cast["b"], on=date(2024, 3, 2))
    assert len(similar.find(2024, 0.8)) == 1 and len(similar.find(2024, 0.8)) == 1
    assert len(computed) == 1  # the second call is served from the memo
    f.activity(cast["b"], OTHER, on=date(2025, 3, 2))  # another year: still valid
    assert len(similar.find(2024, 0.8)) == 1 and len(computed) == 1
    b.minutes = OTHER
    b.save()  # an edit of a record of the year
    assert similar.find(2024, 0.8) == [] and len(computed) == 2
