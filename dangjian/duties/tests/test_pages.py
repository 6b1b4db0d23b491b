"""The duties pages through HTTP: what each role sees and does, exports, and constant query counts."""

import io
from datetime import date

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from dangjian.duties import services
from dangjian.duties.models import (
    BrandCase,
    CasePhoto,
    Duty,
    DutyList,
    DutyReport,
    Notice,
    NoticeStatus,
    RuleCitation,
    RuleDocument,
)
from dangjian.factories import org, term

from . import factories as f

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def text(response) -> str:
    return response.content.decode()


def queries(client: Client, url: str) -> int:
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, url
    return len(ctx.captured_queries)


# --- 我的责任 and reporting ------------------------------------------------------------------------------------


def test_member_sees_and_reports_own_duty_with_evidence(cast, travel):
    travel(2026, 3, 10)
    dl = f.duty_list(cast["a"], year=2026)
    d = f.duty(dl, responsible_user=cast["member"], content="每月组织一次主题党日")
    c = client_for(cast["member"])
    page = text(c.get("/duties/mine/"))
    assert "每月组织一次主题党日" in page and "逾期未完成" in page and "2026年3月" in page
    home = text(c.get("/"))
    # a member's home lists their own items under 待我办理 (issue 18: the member's own page)
    assert "待我办理" in home and "每月组织一次主题党日" in home
    form = text(c.get(f"/duties/items/{d.pk}/report/"))
    assert 'value="2026-01" selected' in form  # the earliest unreported period is proposed
    r = c.post(
        f"/duties/items/{d.pk}/report/",
        {
            "period": "2026-03",
            "text": "3月5日开展主题党日",
            "files": [f.upload("现场.jpg", f.JPEG), f.upload("签到.pdf", f.PDF)],
        },
    )
    assert r.status_code == 302 and r["Location"] == f"/duties/items/{d.pk}/"
    report = DutyReport.objects.get(duty=d, period_key="2026-03")
    assert report.files.count() == 2 and report.reported_by == cast["member"]
    detail = text(c.get(f"/duties/items/{d.pk}/"))
    assert "3月5日开展主题党日" in detail and "已完成" in detail and "签到.pdf" in detail


def test_report_form_rejects_bad_files_and_empty_text(cast, travel):
    travel(2026, 3, 10)
    d = f.duty(f.duty_list(cast["a"], year=2026), responsible_user=cast["member"])
    r = client_for(cast["member"]).post(
        f"/duties/items/{d.pk}/report/",
        {"period": "2026-03", "text": "", "files": [f.upload("病毒.jpg", b"MZ\x90")]},
    )
    assert r.status_code == 200
    page = text(r)
    assert "“病毒.jpg”的内容不是可接受的类型" in page and "这个字段是必填项" in page
    assert not DutyReport.objects.exists()


def test_inspector_reads_but_cannot_report_and_admin_b_cannot_see(cast):
    d = f.duty(f.duty_list(cast["a"]))
    assert client_for(cast["inspector"]).get(f"/duties/items/{d.pk}/").status_code == 200
    assert client_for(cast["inspector"]).get(f"/duties/items/{d.pk}/report/").status_code == 403
    assert client_for(cast["admin_b"]).get(f"/duties/items/{d.pk}/").status_code == 404


# --- lists: create, edit, print, export ---------------------------------------------------------------------------


def test_branch_admin_creates_a_list_for_own_branch_only(cast):
    c = client_for(cast["admin_a"])
    form = text(c.get("/duties/lists/new/"))
    assert cast["a"].name in form and cast["b"].name not in form and cast["root"].name not in form
    data = {
        "organization": cast["b"].pk,
        "kind": "branch",
        "title": "乙支部清单",
        "year": 2026,
        "status": "draft",
    }
    r = c.post("/duties/lists/new/", data)
    assert r.status_code == 200 and "选择一个有效的选项" in text(r)
    r = c.post(
        "/duties/lists/new/", {**data, "organization": cast["a"].pk, "title": "甲支部2026年党建责任清单"}
    )
    dl = DutyList.objects.get(title="甲支部2026年党建责任清单")
    assert r.status_code == 302 and dl.organization == cast["a"] and dl.created_by == cast["admin_a"]
    r = c.post(
        f"/duties/lists/{dl.pk}/items/new/",
        {
            "content": "每季度召开一次党员大会",
            "cadence": "quarterly",
            "responsible_name": "张三",
            "responsible_post": "支部书记",
        },
    )
    assert r.status_code == 302 and Duty.objects.get(duty_list=dl).seq == 1
    r = c.post(f"/duties/lists/{dl.pk}/items/new/", {"content": "换届", "cadence": "once"})
    assert "一次性事项须填写完成时限" in text(r)


def test_stale_edit_is_refused_with_a_clear_message(cast):
    dl = f.duty_list(cast["a"], year=2026)
    base = {
        "organization": cast["a"].pk,
        "kind": "branch",
        "year": 2026,
        "status": "issued",
        "issued_on": "2026-01-10",
    }
    c = client_for(cast["admin_a"])
    assert (
        c.post(f"/duties/lists/{dl.pk}/edit/", {**base, "title": "第一次修改", "version": 1}).status_code
        == 302
    )
    r = c.post(f"/duties/lists/{dl.pk}/edit/", {**base, "title": "旧页面上的修改", "version": 1})
    assert r.status_code == 200 and "已被他人修改" in text(r)
    dl.refresh_from_db()
    assert dl.title == "第一次修改" and dl.version == 2


def test_list_printed_as_the_document(cast):
    dl = f.duty_list(
        cast["root"],
        kind="dual",
        title="党组落实党建工作“一岗双责”责任清单",
        doc_number="商党〔2026〕3号",
        holder_name="李明",
        holder_post="党组成员、副局长",
    )
    services.save_duty_list(
        dl,
        {
            "organization": dl.organization,
            "kind": dl.kind,
            "title": dl.title,
            "year": dl.year,
            "status": dl.status,
            "issued_on": dl.issued_on,
            "holder_name": "李明",
            "holder_post": "党组成员、副局长",
            "doc_number": dl.doc_number,
        },
        cast["bureau"],
        units=list(cast["b"].units.all()),
        version=dl.version,
    )
    f.duty(dl, category="一、政治建设", content="带头学习贯彻党的创新理论")
    f.duty(dl, category="一、政治建设", cadence="quarterly", content="每季度听取分管单位党建汇报")
    f.duty(
        dl,
        category="二、组织建设",
        cadence="once",
        deadline=date(dl.year, 6, 30),
        content="督促分管单位按期换届",
    )
    r = client_for(cast["bureau"]).get(f"/duties/lists/{dl.pk}/docx/")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    doc = Document(io.BytesIO(r.content))
    section = doc.sections[0]
    assert abs(section.page_width - Cm(21.0)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)
    title = next(p for p in doc.paragraphs if "一岗双责" in p.text)
    run = title.runs[0]
    assert run.font.size == Pt(22) and run.font.name == "方正小标宋简体"  # the one 公文 builder (core)
    body = next(p for p in doc.paragraphs if p.text.startswith("责任人："))
    assert body.text == "责任人：李明（党组成员、副局长）"
    assert body.runs[0].font.name == "仿宋_GB2312" and body.runs[0].font.size == Pt(16)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin)] == [
        37,
        35,
        28,
    ]
    assert "PAGE" in "".join(t.text or "" for t in section.footer._element.iter(qn("w:instrText")))
    assert any(p.text == "分管单位：测试国有企业乙" for p in doc.paragraphs)
    (table,) = doc.tables
    assert [c.text for c in table.rows[0].cells] == ["序号", "责任内容", "责任人", "完成时限", "工作要求"]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert rows[0][0] == "一、政治建设"  # the group heading spans the row
    assert rows[1][:4] == ["1", "带头学习贯彻党的创新理论", "李明（党组成员、副局长）", "每月底前"]
    assert "佐证材料：会议记录照片" in rows[1][4]
    assert rows[2][3] == "每季度末前" and rows[3][0] == "二、组织建设"
    assert rows[4][3] == f"{dl.year}年6月30日前"


def test_list_exported_to_xlsx(cast):
    dl = f.duty_list(cast["a"])
    f.duty(dl, content="按月召开支委会")
    r = client_for(cast["admin_a"]).get(f"/duties/lists/{dl.pk}/xlsx/")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in ws[1]][:6] == ["序号", "类别", "责任内容", "责任人", "完成时限", "工作要求"]
    assert ws.cell(2, 3).value == "按月召开支委会" and ws.cell(2, 5).value == "每月底前"


def test_rates_page_and_export(cast, travel):
    travel(2026, 5, 10)
    d = f.duty(f.duty_list(cast["a"], year=2026, title="甲支部清单"), responsible_user=cast["member"])
    services.report_duty(d, "2026-04", "四月已完成", cast["member"])
    c = client_for(cast["inspector"])
    page = text(c.get("/duties/rates/?year=2026"))
    assert "甲支部清单" in page and "25%" in page  # 1 of 4 due months done
    wb = openpyxl.load_workbook(io.BytesIO(c.get("/duties/rates/?year=2026&export=xlsx").content))
    assert wb.sheetnames == ["按清单", "按责任人", "按事项"]
    assert wb["按责任人"].cell(2, 1).value == "member_a"


# --- 责任体系 ---------------------------------------------------------------------------------------------------------


def test_system_page_shows_group_office_and_first_responsibles(cast):
    g = f.group(cast["root"], actor=cast["bureau"])
    services.save_group_member(
        None,
        g,
        {"role": "office_head", "person_name": "赵主任", "post": "机关党委专职副书记", "sort": 1},
        None,
    )
    term(cast["a"], elected_on=date(2024, 5, 1), secretary="钱书记")
    services.set_first_responsible(
        cast["b"], {"person_name": "孙经理", "post": "支部书记", "user": None}, None
    )
    page = text(client_for(cast["member"]).get("/duties/system/"))
    assert "王书记" in page and "赵主任" in page and "领导小组办公室" in page
    assert "钱书记" in page and "按现任书记" in page
    assert "孙经理" not in page  # the member sees their own branch only
    page = text(client_for(cast["bureau"]).get("/duties/system/"))
    assert "孙经理" in page and "未确定" in page  # the 党组 and 机关党委 have nobody yet
    r = client_for(cast["admin_a"]).post(
        f"/duties/system/first/{cast['a'].pk}/", {"person_name": "钱书记", "post": "支部书记"}
    )
    assert r.status_code == 302


# --- notices -----------------------------------------------------------------------------------------------------------


def test_monthly_notice_from_template_to_home_panel_ack_and_feedback(cast, travel):
    travel(2026, 4, 1)
    f.template(cast["bureau"])
    bureau = client_for(cast["bureau"])
    r = bureau.post("/duties/notices/generate/", {"year": 2026, "month": 4})
    n = Notice.objects.get()
    assert r["Location"] == f"/duties/notices/{n.pk}/edit/"
    form = text(bureau.get(r["Location"]))
    assert "关于做好2026年4月份党建重点工作的通知" in form
    r = bureau.post(f"/duties/notices/{n.pk}/issue/", {"version": n.version})
    n.refresh_from_db()
    assert n.status == NoticeStatus.ISSUED and n.targets.count() == 2
    admin_a = client_for(cast["admin_a"])
    home = text(admin_a.get("/"))
    assert "重点工作通知" in home and "2026年4月份" in home and "签收" in home
    t = f.target(n, cast["a"])
    travel(2026, 4, 2)
    admin_a = client_for(cast["admin_a"])  # a day later: the idle session has expired, sign in again
    r = admin_a.post(f"/duties/targets/{t.pk}/ack/", {"next": "/"})
    assert r.status_code == 302 and r["Location"] == "/"
    r = admin_a.post(f"/duties/targets/{t.pk}/ack/", {"next": "https://evil.example/"})
    assert r["Location"] == f"/duties/notices/{n.pk}/"  # never redirected off the site
    r = admin_a.post(
        f"/duties/targets/{t.pk}/feedback/",
        {"feedback_text": "已传达学习", "files": [f.upload("学习.png", f.PNG)], "version": 2},
    )
    assert r.status_code == 302
    travel(2026, 4, 30)
    bureau = client_for(cast["bureau"])
    tracking = text(bureau.get(f"/duties/notices/{n.pk}/"))
    assert "已反馈" in tracking and "逾期" in tracking  # A fed back; B never did
    ws = openpyxl.load_workbook(io.BytesIO(bureau.get(f"/duties/notices/{n.pk}/?export=xlsx").content)).active
    assert [c.value for c in ws[1]] == ["党组织", "状态", "签收时间", "签收逾期", "反馈时间", "反馈内容"]
    assert {ws.cell(r, 1).value: ws.cell(r, 2).value for r in (2, 3)} == {
        cast["a"].name: "已反馈",
        cast["b"].name: "逾期",
    }
    inbox = text(client_for(cast["admin_b"]).get("/duties/notices/"))
    assert "逾期" in inbox and cast["a"].name not in inbox


def test_notice_form_chosen_targets_need_a_choice(cast, travel):
    travel(2026, 4, 1)
    c = client_for(cast["bureau"])
    data = {
        "kind": "general",
        "title": "关于报送材料的通知",
        "year": 2026,
        "body": "请报送",
        "target_mode": "chosen",
        "deadline": "2026-04-20",
        "ack_days": 3,
        "requires_feedback": "on",
    }
    r = c.post("/duties/notices/new/", data)
    assert "请至少选择一个党组织" in text(r)
    r = c.post(
        "/duties/notices/new/",
        {**data, "chosen_orgs": [cast["b"].pk], "files": [f.upload("附件.docx", f.docx_bytes())]},
    )
    n = Notice.objects.get()
    assert r.status_code == 302 and n.attachments.get().content_type.endswith("wordprocessingml.document")
    assert "附件.docx" in text(c.get(f"/duties/notices/{n.pk}/"))
    assert client_for(cast["admin_b"]).get(f"/duties/notices/{n.pk}/").status_code == 404  # a draft


# --- brand cases ----------------------------------------------------------------------------------------------------


def test_case_submitted_reviewed_published_and_shown(cast):
    a_admin, bureau = client_for(cast["admin_a"]), client_for(cast["bureau"])
    r = a_admin.post(
        "/duties/cases/new/",
        {
            "organization": cast["a"].pk,
            "kind": "brand",
            "year": 2026,
            "title": "“党员先锋岗”品牌",
            "brand_name": "先锋岗",
            "story": "设立党员先锋岗",
            "results": "群众满意度提升",
            "photos": [f.upload("岗.png", f.PNG)],
        },
    )
    case = BrandCase.objects.get()
    assert r.status_code == 302 and CasePhoto.objects.filter(case=case).count() == 1
    a_admin.post(f"/duties/cases/{case.pk}/act/", {"action": "submit", "version": case.version})
    assert a_admin.post(f"/duties/cases/{case.pk}/act/", {"action": "approve"}).status_code == 403
    r = bureau.post(f"/duties/cases/{case.pk}/act/", {"action": "return", "comment": ""}, follow=True)
    assert "退回时须填写审核意见" in text(r)
    bureau.post(f"/duties/cases/{case.pk}/act/", {"action": "return", "comment": "请补充群众评价"})
    case.refresh_from_db()
    assert case.status == "returned"
    assert "请补充群众评价" in text(a_admin.get(f"/duties/cases/{case.pk}/"))
    a_admin.post(f"/duties/cases/{case.pk}/act/", {"action": "submit"})
    bureau.post(f"/duties/cases/{case.pk}/act/", {"action": "approve"})
    assert "党员先锋岗" not in text(client_for(cast["admin_b"]).get("/duties/showcase/"))
    bureau.post(f"/duties/cases/{case.pk}/act/", {"action": "publish"})
    bureau.post(f"/duties/cases/{case.pk}/exemplary/", {"flag": "1"})
    show = text(client_for(cast["admin_b"]).get("/duties/showcase/?exemplary=1"))
    assert "党员先锋岗" in show and "典型" in show
    assert client_for(cast["admin_b"]).get(f"/duties/cases/{case.pk}/").status_code == 200
    assert services.published_case_count(2026) == 1


# --- rules ------------------------------------------------------------------------------------------------------------


def test_rule_library_versions_search_and_citations(cast):
    c = client_for(cast["bureau"])
    r = c.post(
        "/duties/rules/new/",
        {
            "category": "system",
            "issuer": cast["root"].pk,
            "title": "党建工作十四项制度",
            "doc_number": "商党〔2023〕8号",
            "issued_on": "2023-04-01",
            "effective_on": "2023-04-01",
            "body": "一、“三会一课”制度\n二、主题党日制度",
        },
    )
    doc = RuleDocument.objects.get()
    assert r.status_code == 302
    r = c.post(
        f"/duties/rules/{doc.pk}/revise/",
        {
            "title": "党建工作十四项制度",
            "doc_number": "商党〔2026〕1号",
            "issued_on": "2026-01-08",
            "effective_on": "2026-01-08",
            "body": "一、“三会一课”制度\n二、党员政治生日制度",
            "change_note": "增加政治生日",
            "doc_version": doc.version,
        },
    )
    assert r.status_code == 302
    page = text(c.get(f"/duties/rules/{doc.pk}/"))
    assert "商党〔2026〕1号" in page and "现行" in page and "第1版" in page
    old = text(client_for(cast["member"]).get(f"/duties/rules/{doc.pk}/v1/"))
    assert "历史版本" in old and "主题党日制度" in old
    assert "党建工作十四项制度" in text(c.get("/duties/rules/?q=政治生日"))
    assert "没有找到" in text(c.get("/duties/rules/?q=主题党日"))
    assert "党建工作十四项制度" in text(c.get("/duties/rules/?q=主题党日&history=1"))
    req = f.requirement()
    ct = ContentType.objects.get_for_model(req)
    assert f'value="{ct.pk}:{req.pk}"' in text(c.get(f"/duties/rules/{doc.pk}/"))
    c.post(f"/duties/rules/{doc.pk}/cite/", {"target": f"{ct.pk}:{req.pk}", "clause": "第一项"})
    page = text(client_for(cast["inspector"]).get(f"/duties/rules/{doc.pk}/"))
    assert "制度要求" in page and "主题党日" in page and "第一项" in page
    cit = RuleCitation.objects.get()
    c.post(f"/duties/citations/{cit.pk}/remove/")
    assert "尚无要求或检查项引用本制度" in text(c.get(f"/duties/rules/{doc.pk}/"))


# --- work plan --------------------------------------------------------------------------------------------------------


def test_work_plan_progress_and_assessment(cast, travel):
    travel(2026, 7, 1)
    p = f.plan(2026)
    item = f.plan_item(p, cast["a"], target="全年开展主题党日12次")
    r = client_for(cast["admin_a"]).post(
        f"/duties/plan-items/{item.pk}/progress/",
        {"reported_on": "2026-06-30", "text": "已开展6次", "percent": 50},
    )
    assert r.status_code == 302
    assert (
        client_for(cast["admin_b"])
        .post(f"/duties/plan-items/{item.pk}/progress/", {"reported_on": "2026-06-30", "text": "x"})
        .status_code
        == 403
    )
    c = client_for(cast["bureau"])
    r = c.post(
        f"/duties/plan-items/{item.pk}/assess/",
        {"year_end_status": "not_done", "year_end_note": "", "version": item.version},
    )
    assert "须说明原因" in text(r)
    c.post(
        f"/duties/plan-items/{item.pk}/assess/",
        {"year_end_status": "done", "year_end_note": "", "version": item.version},
    )
    page = text(client_for(cast["member"]).get(f"/duties/plans/{p.pk}/"))
    assert "已开展6次" in page and "全年开展主题党日12次" in page and "完成" in page
    ws = openpyxl.load_workbook(io.BytesIO(c.get(f"/duties/plans/{p.pk}/?export=xlsx").content)).active
    assert ws.cell(2, 11).value == "完成"


# --- query counts stay constant as data grows ---------------------------------------------------------------------------


def _grow(cast, n: int, tag: str) -> None:
    bureau = cast["bureau"]
    for i in range(n):
        branch = org(f"扩充党支部{tag}{i}", parent=cast["organ"], code=f"X{tag}{i}")
        dl = f.duty_list(branch, title=f"清单{tag}{i}")
        for cadence in ("monthly", "quarterly"):
            d = f.duty(dl, cadence=cadence, responsible_user=cast["member"])
            services.report_duty(d, services.year_occurrences(d)[0].key, "已完成", bureau)
        n_ = f.notice(cast["root"], actor=bureau, orgs=[branch, cast["a"]], title=f"通知{tag}{i}")
        services.acknowledge(f.target(n_, cast["a"]), cast["admin_a"])
        f.case(branch, to="published", title=f"案例{tag}{i}", photos=[f.checked()])
        f.rule(cast["root"], title=f"制度{tag}{i}")
        services.set_first_responsible(
            branch, {"person_name": f"书记{i}", "post": "书记", "user": None}, None
        )


@pytest.mark.parametrize(
    "who,url",
    [
        ("bureau", "/duties/lists/"),
        ("bureau", "/duties/rates/"),
        ("member", "/duties/mine/"),
        ("admin_a", "/duties/mine/"),
        ("bureau", "/duties/system/"),
        ("bureau", "/duties/notices/"),
        ("admin_a", "/duties/notices/"),
        ("bureau", "/duties/cases/"),
        ("admin_b", "/duties/showcase/"),
        ("inspector", "/duties/rules/"),
        ("bureau", "/duties/rules/?q=制度"),
        ("admin_a", "/"),
    ],
)
def test_list_pages_keep_a_constant_number_of_queries(cast, who, url, travel):
    travel(2026, 6, 15)
    f.template()
    _grow(cast, 1, "a")
    c = client_for(cast[who])
    small = queries(c, url)
    _grow(cast, 4, "b")
    big = queries(c, url)
    assert small == big, f"{url}: {small} → {big} queries"
    assert big <= 30


def test_detail_pages_keep_a_constant_number_of_queries(cast, travel):
    travel(2026, 6, 15)
    p = f.plan(2026)
    n = f.notice(cast["root"], actor=cast["bureau"])
    dl = f.duty_list(cast["a"])
    c = client_for(cast["bureau"])

    def grow(k: int) -> None:
        for i in range(k):
            f.plan_item(p, cast["a"] if i % 2 else cast["b"])
            d = f.duty(dl, responsible_user=cast["member"])
            services.report_duty(d, "2026-05", "已完成", cast["bureau"], files=[f.checked()])
            services.add_progress(p.items.last(), cast["bureau"], text="进展")
            o = org(f"收文党支部{k}{i}", parent=cast["organ"], code=f"R{k}{i}")
            n.targets.create(organization=o)

    grow(1)
    urls = [f"/duties/plans/{p.pk}/", f"/duties/notices/{n.pk}/", f"/duties/lists/{dl.pk}/"]
    small = [queries(c, u) for u in urls]
    grow(4)
    big = [queries(c, u) for u in urls]
    assert small == big


def test_branch_admin_names_only_accounts_of_own_branch(cast):
    dl = f.duty_list(cast["a"])
    form = text(client_for(cast["admin_a"]).get(f"/duties/lists/{dl.pk}/items/new/"))
    assert "member_a" in form and "admin_a" in form
    assert "admin_b" not in form and "（bureau）" not in form
    r = client_for(cast["admin_a"]).post(
        f"/duties/lists/{dl.pk}/items/new/",
        {"content": "x", "cadence": "monthly", "responsible_user": cast["admin_b"].pk},
    )
    assert "选择一个有效的选项" in text(r)
    assert "admin_b" in text(client_for(cast["bureau"]).get(f"/duties/lists/{dl.pk}/items/new/"))
