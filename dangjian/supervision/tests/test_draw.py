"""季抽查 draw: the command (design §4 contract), the services and the page."""

import json
import sys
import types
from datetime import date

import pytest

from dangjian.core.periods import Period
from dangjian.supervision import sampling, services
from dangjian.supervision.models import InspectionRound, InspectionTarget
from dangjian.supervision.services import inspections
from dangjian.supervision.tests import factories as f
from dangjian.supervision.tests.factories import queries_for

pytestmark = pytest.mark.django_db

BRANCH_CODES = ["A", "B", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "P1A"]


@pytest.fixture
def run(monkeypatch, capsys):
    """Run the command as from the console (argparse errors exit 2); return (exit status, stdout, stderr)."""
    from io import StringIO

    from dangjian.supervision.management.commands.draw_inspection import Command

    # run_from_argv closes the connections when it ends; that would end the test's transaction.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)

    def _run(*args):
        out, err = StringIO(), StringIO()
        try:
            Command(stdout=out, stderr=err).run_from_argv(["dangjian", "draw_inspection", *args])
            status = 0
        except SystemExit as exc:
            status = exc.code
        return status, out.getvalue(), err.getvalue() + capsys.readouterr().err

    return _run


def test_candidates_are_branches_not_dissolved_never_the_dangzu(bureau_tree):
    codes = [o.code for o in inspections.candidate_orgs()]
    assert codes == sorted(BRANCH_CODES)
    assert "ROOT" not in codes and "JG" not in codes and "P1" not in codes and "X1" not in codes


def test_strata_first_unit_kind_or_no_unit(bureau_tree):
    from dangjian import factories
    from dangjian.orgs.models import UnitKind

    c1 = next(o for o in bureau_tree["extra"] if o.code == "C1")
    # a second unit with a higher id does not change the stratum
    c1.units.add(factories.unit("后加单位", UnitKind.PRIVATE))
    strata = {o.code: inspections.stratum_of(o) for o in inspections.candidate_orgs()}
    assert strata["C1"] == "国有企业"  # i % 3 == 1 -> SOE
    assert strata["C9"] == "无单位"
    assert strata["A"] == "事业单位"


def test_command_json_contract_and_reproducible(bureau_tree, run):
    code, out, _ = run("--quarter", "2026Q4", "--count", "4", "--seed", "17", "--dry-run", "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["quarter", "seed", "orgs"]
    assert data["quarter"] == "2026Q4" and data["seed"] == 17
    expected = sorted(sampling.draw([sampling.Candidate(c) for c in BRANCH_CODES], seed=17, count=4).codes)
    assert data["orgs"] == expected
    assert not InspectionRound.objects.exists()  # dry run writes nothing
    code, out2, _ = run("--quarter", "2026Q4", "--count", "4", "--seed", "17", "--json")
    assert code == 0 and json.loads(out2) == data  # same seed, same data: same draw
    rnd = InspectionRound.objects.get()
    assert sorted(rnd.targets.values_list("organization__code", flat=True)) == data["orgs"]
    assert rnd.seed == 17 and rnd.count == 4 and len(rnd.candidates) == len(BRANCH_CODES)
    assert services.replay_round(rnd)


def test_seed_generated_and_reported_when_omitted(bureau_tree, run):
    code, out, _ = run("--quarter", "2026Q4", "--ratio", "0.25", "--json")
    data = json.loads(out)
    assert code == 0 and isinstance(data["seed"], int) and len(data["orgs"]) == 3  # ceil(12 * 0.25)
    assert InspectionRound.objects.get().seed == data["seed"]


def test_second_round_for_a_quarter_refused_unless_replace(bureau_tree, run):
    assert run("--quarter", "2026Q4", "--count", "2", "--seed", "1")[0] == 0
    code, out, err = run("--quarter", "2026Q4", "--count", "3", "--seed", "2")
    assert code == 1 and "已有抽查轮次" in err and "--replace" in err
    code, out, _ = run("--quarter", "2026Q4", "--count", "3", "--seed", "2", "--json")
    assert code == 1 and json.loads(out)["error"]
    # dry run reports exactly what the real run would: refused too
    assert run("--quarter", "2026Q4", "--count", "3", "--seed", "2", "--dry-run")[0] == 1
    code, out, _ = run("--quarter", "2026Q4", "--count", "3", "--seed", "2", "--replace", "--json")
    assert code == 0 and len(json.loads(out)["orgs"]) == 3
    assert InspectionRound.objects.filter(status="active").count() == 1
    assert InspectionRound.objects.filter(status="void").count() == 1


def test_round_with_findings_is_never_replaced(bureau_tree, run):
    assert run("--quarter", "2026Q4", "--count", "2", "--seed", "1")[0] == 0
    f.finding(InspectionTarget.objects.first(), result="pass", note="")
    code, _, err = run("--quarter", "2026Q4", "--count", "2", "--seed", "5", "--replace")
    assert code == 1 and "已录入检查结果" in err


@pytest.mark.parametrize(
    "args",
    [
        ["--quarter", "2026Q5", "--count", "2"],
        ["--quarter", "2026-10", "--count", "2"],
        ["--quarter", "2026Q4"],
        ["--quarter", "2026Q4", "--count", "2", "--ratio", "0.3"],
        ["--quarter", "2026Q4", "--ratio", "abc"],
        ["--quarter", "2026Q4", "--ratio", "1.5"],
        ["--quarter", "2026Q4", "--count", "0"],
        ["--quarter", "2026Q4", "--count", "2", "--seed", "-1"],
    ],
)
def test_usage_errors_exit_2(bureau_tree, args, run):
    assert run(*args)[0] == 2


def test_more_than_candidates_is_rejected_with_exit_1(bureau_tree, run):
    code, _, err = run("--quarter", "2026Q4", "--count", "99")
    assert code == 1 and "超过可抽取的党组织数 12" in err


def test_stratified_command(bureau_tree, run):
    code, out, _ = run("--quarter", "2026Q4", "--count", "5", "--seed", "3", "--stratify", "--json")
    assert code == 0
    orgs = json.loads(out)["orgs"]
    strata = {o.code: inspections.stratum_of(o) for o in inspections.candidate_orgs()}
    # 4 strata (事业单位, 国有企业, 改制企业, 无单位), 5 places: each stratum at least one
    assert {strata[c] for c in orgs} == set(strata.values())
    assert InspectionTarget.objects.filter(stratum="无单位").count() >= 1


def test_include_failing_uses_last_quarter(bureau_tree, monkeypatch, run):
    asked = []
    c3 = next(o for o in bureau_tree["extra"] if o.code == "C3")

    def fake(period):
        asked.append(period)
        return {c3.pk, bureau_tree["committee"].pk}  # the 党委 is not a candidate and is ignored

    monkeypatch.setattr(inspections, "failing_org_ids", fake)
    code, out, _ = run("--quarter", "2026Q1", "--count", "2", "--seed", "8", "--include-failing", "--json")
    assert code == 0 and asked == [Period.parse("2025Q4")]
    assert "C3" in json.loads(out)["orgs"] and len(json.loads(out)["orgs"]) == 2
    assert InspectionTarget.objects.get(organization=c3).must_inspect


def test_failing_org_ids_calls_the_compliance_engine(monkeypatch):
    fake = types.ModuleType("dangjian.compliance.services")
    calls = []
    fake.failing_org_ids = lambda period: calls.append(str(period)) or [3, 5, 3]
    monkeypatch.setitem(sys.modules, "dangjian.compliance.services", fake)
    assert inspections.failing_org_ids(Period.parse("2026Q3")) == {3, 5}
    assert calls == ["2026Q3"]


def test_missing_compliance_engine_is_a_clear_refusal(bureau_tree, monkeypatch, run):
    def broken(period):
        raise services.ServiceError("无法取得2026年第三季度未达标党组织名单（达标情况模块不可用）")

    monkeypatch.setattr(inspections, "failing_org_ids", broken)
    code, _, err = run("--quarter", "2026Q4", "--count", "2", "--include-failing")
    assert code == 1 and "未达标" in err


def test_human_output_in_chinese(bureau_tree, run):
    code, out, _ = run("--quarter", "2026Q4", "--count", "2", "--seed", "4", "--dry-run")
    assert code == 0 and "【试运行，未保存】2026年第四季度" in out and "随机种子 4" in out


# --- the page ------------------------------------------------------------------------------------------------
def test_draw_page_preview_then_confirm_with_the_same_seed(bureau_tree, login):
    client = login(bureau_tree["bureau"])
    data = {"quarter": "2026Q4", "method": "count", "count": "3", "ratio": "", "seed": "", "preview": "1"}
    r = client.post("/supervision/inspections/draw/", data)
    assert r.status_code == 200 and not InspectionRound.objects.exists()
    plan = r.context["plan"]
    assert len(plan.codes) == 3
    assert f'value="{plan.seed}"' in r.content.decode()
    confirm = {**data, "seed": str(plan.seed), "confirm": "1"}
    del confirm["preview"]
    r = client.post("/supervision/inspections/draw/", confirm)
    rnd = InspectionRound.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/supervision/inspections/{rnd.pk}/"
    assert sorted(rnd.targets.values_list("organization__code", flat=True)) == plan.codes
    assert rnd.drawn_by == bureau_tree["bureau"]


def test_draw_page_errors_are_shown(bureau_tree, login):
    client = login(bureau_tree["bureau"])
    r = client.post(
        "/supervision/inspections/draw/", {"quarter": "2026年4季度", "method": "ratio", "ratio": "0.3"}
    )
    assert "格式不正确" in r.content.decode()
    r = client.post("/supervision/inspections/draw/", {"quarter": "2026Q4", "method": "count", "count": ""})
    assert "请填写抽取数量" in r.content.decode()
    r = client.post(
        "/supervision/inspections/draw/",
        {"quarter": "2026Q4", "method": "ratio", "ratio": "30%", "confirm": "1"},
    )
    assert "请先“预览抽取结果”" in r.content.decode() and not InspectionRound.objects.exists()


def test_round_pages_show_replay_check(bureau_tree, login, run):
    run("--quarter", "2026Q4", "--count", "3", "--seed", "9")
    rnd = InspectionRound.objects.get()
    page = login(bureau_tree["inspector"]).get(f"/supervision/inspections/{rnd.pk}/").content.decode()
    assert "结果一致" in page and "9" in page
    listing = login(bureau_tree["inspector"]).get("/supervision/inspections/").content.decode()
    assert "2026年第四季度" in listing and "抽取 3 个" in listing
    # tampering with the stored draw is noticed
    InspectionTarget.objects.filter(round=rnd).first().delete()
    page = login(bureau_tree["inspector"]).get(f"/supervision/inspections/{rnd.pk}/").content.decode()
    assert "不一致" in page


def test_round_list_queries_do_not_grow(bureau_tree, login):
    client = login(bureau_tree["bureau"])

    def add(n, start):
        for i in range(n):
            rnd = f.inspection_round(bureau_tree["extra"][:4], quarter=f"{start + i}Q1")
            f.finding(rnd.targets.first())

    add(1, 2000)
    small = queries_for(client, "/supervision/inspections/")
    add(8, 2010)
    assert queries_for(client, "/supervision/inspections/") == small


def test_round_detail_queries_do_not_grow(bureau_tree, login):
    client = login(bureau_tree["bureau"])
    rnd = f.inspection_round(bureau_tree["extra"][:2])
    for t in rnd.targets.all():
        f.finding(t)
    url = f"/supervision/inspections/{rnd.pk}/"
    small = queries_for(client, url)
    more = bureau_tree["extra"][2:10]
    from dangjian.supervision.models import InspectionTarget as T

    for o in more:
        f.finding(T.objects.create(round=rnd, organization=o, org_code=o.code, stratum="事业单位"))
    assert queries_for(client, url) == small


def test_date_sanity(bureau_tree):
    # a quarter drawn before it starts is allowed (the bureau plans ahead)
    plan = services.plan_draw(services.DrawRequest(quarter=Period.parse("2030Q1"), count=1, seed=1))
    assert plan.codes and date(2030, 1, 1) == plan.request.quarter.start
