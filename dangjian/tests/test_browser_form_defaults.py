"""Every business form, submitted with its default values in chromium at 390 px (issue 18, "one browser test per
form").

The class of bug this guards against is issue 18's item 1: a form whose pre-filled values the browser itself
rejects (`step`/`min` that exclude the default, a date pre-filled as "2026/12/02" in an <input type="date">), so
that pressing 提交 does nothing. For each page of the permission matrix that carries a business POST form, the
role named in `FORMS` opens it at 390 px, and:

1. every control the browser validates and that is not simply an empty required field passes the browser's own
   check (`validity.valid`) — a pre-filled value the browser rejects fails here;
2. the form is submitted as it stands (an empty required field, which the browser would flag with its own
   "请填写此字段", is sent anyway with `noValidate`, so that the server's answer is checked too);
3. the answer is not a server error, and it is the outcome `FORMS` expects: `SAVED` (a redirect, or a success
   message) or `ERROR` (a Chinese message shown on the form). No answer at all — a submission blocked silently —
   fails.

The pages come from the URL matrix (each app's `tests/urls_matrix.py`): a page whose rendering carries a POST form
with fields a person fills in, and which has no entry in `FORMS`, fails the test — a new form cannot go untested.
One browser for the module, one context per role (`module_browser`); 1280 px is not walked again: no form
changes its controls or its submission with the width (the layout at 1280 px is checked by the axe test).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dangjian.conftest import PHONE
from dangjian.core.testing import CAST_USERS

from .htmlcheck import inspect_html
from .matrix import collect_cases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED, ERROR = "saved", "error"
# Forms on every page that are not a business form: the header's 退出 and 大字 switches.
CHROME = {"accounts:logout", "accounts:large_text"}

# Each business form: which role submits it, and what its defaults must give. The key is the page's URL name, and
# for a form posting to another URL "page → action's URL name".
FORMS: dict[str, tuple[str, str]] = {
    "accounts:otp_setup": ("secadmin", ERROR),
    "accounts:password_change": ("auditor", ERROR),
    "accounts:security": ("sysadmin", SAVED),
    "accounts:user_create": ("sysadmin", ERROR),
    "accounts:user_edit": ("sysadmin", SAVED),
    "accounts:user_scope": ("secadmin", SAVED),
    "activities:detail → activities:void": ("admin_a", ERROR),
    "activities:edit": ("admin_a", SAVED),
    "activities:import": ("admin_a", ERROR),
    "activities:kind_edit": ("bureau", SAVED),
    "activities:kinds": ("bureau", ERROR),
    "activities:new": ("admin_a", ERROR),
    "activities:queue → activities:change_decide": ("bureau", SAVED),
    "compliance:exemption_add": ("bureau", ERROR),
    "compliance:exemption_detail → compliance:exemption_revoke": ("bureau", ERROR),
    "compliance:requirement_add": ("bureau", ERROR),
    "compliance:requirement_edit": ("bureau", SAVED),
    "dues:base_add": ("admin_a", ERROR),
    "dues:base_edit": ("admin_a", SAVED),
    "dues:case_add": ("admin_a", ERROR),
    "dues:case → dues:case_close": ("admin_a", SAVED),
    "dues:case → dues:case_step": ("admin_a", ERROR),
    "dues:config": ("bureau", SAVED),
    "dues:import_bases": ("admin_a", ERROR),
    "dues:import_payments": ("admin_a", ERROR),
    "dues:payment_add": ("admin_a", ERROR),
    "dues:remittance_add": ("admin_a", ERROR),
    "duties:case_create": ("admin_a", ERROR),
    "duties:case_detail → duties:case_act": ("bureau", SAVED),
    "duties:case_edit": ("admin_a", SAVED),
    "duties:first_responsible": ("admin_a", SAVED),
    "duties:group_create": ("bureau", SAVED),
    "duties:group_edit": ("bureau", SAVED),
    "duties:group_member_add": ("bureau", ERROR),
    "duties:group_member_edit": ("bureau", SAVED),
    "duties:item_create": ("admin_a", ERROR),
    "duties:item_edit": ("admin_a", SAVED),
    "duties:item_report": ("member", ERROR),
    "duties:list_create": ("admin_a", ERROR),
    "duties:list_edit": ("admin_a", SAVED),
    "duties:notice_create": ("bureau", ERROR),
    "duties:notice_detail → duties:notice_withdraw": ("bureau", ERROR),
    "duties:notice_edit": ("bureau", SAVED),
    "duties:notice_feedback": ("admin_a", SAVED),
    "duties:plan_create": ("bureau", ERROR),
    "duties:plan_edit": ("bureau", SAVED),
    "duties:plan_item_assess": ("bureau", ERROR),
    "duties:plan_item_create": ("bureau", ERROR),
    "duties:plan_item_detail → duties:plan_item_progress": ("admin_a", ERROR),
    "duties:plan_item_edit": ("bureau", SAVED),
    "duties:rule_create": ("bureau", ERROR),
    "duties:rule_detail → duties:rule_cite": ("bureau", ERROR),
    "duties:rule_edit": ("bureau", SAVED),
    "duties:rule_revise": ("bureau", ERROR),
    "duties:template_create": ("bureau", ERROR),
    "duties:template_edit": ("bureau", SAVED),
    "honors:grades": ("admin_a", SAVED),
    "honors:list": ("bureau", ERROR),
    "honors:nominate": ("admin_a", ERROR),
    "honors:nomination": ("bureau", SAVED),
    "honors:report": ("admin_a", ERROR),
    "honors:review → honors:review_settings": ("bureau", SAVED),
    "honors:reviews": ("bureau", ERROR),
    "honors:rounds": ("bureau", ERROR),
    "jobs:list → jobs:start_remind": ("bureau", SAVED),
    "jobs:list → jobs:start_report": ("inspector", SAVED),
    "members:create": ("admin_a", ERROR),
    "members:edit": ("admin_a", SAVED),
    "members:import": ("admin_a", ERROR),
    "members:leave": ("admin_a", ERROR),
    "members:move": ("admin_a", ERROR),
    "notify:settings": ("member", SAVED),
    "notify:centre → notify:preferences": ("member", SAVED),
    "notify:webhook": ("admin_a", ERROR),
    "orgs:create": ("bureau", ERROR),
    "orgs:dissolve": ("bureau", ERROR),
    "orgs:edit": ("admin_a", SAVED),
    "orgs:group_create": ("admin_a", ERROR),
    "orgs:group_edit": ("admin_b", SAVED),
    "orgs:move": ("bureau", ERROR),
    "orgs:renewal": ("admin_a", SAVED),
    "orgs:term_delay": ("admin_a", ERROR),
    "orgs:term_edit": ("admin_a", SAVED),
    "orgs:unit_create": ("bureau", ERROR),
    "orgs:unit_edit": ("bureau", SAVED),
    "orgs:unit_kind_change": ("bureau", SAVED),
    "recruitment:create": ("admin_a", ERROR),
    "recruitment:override": ("bureau", ERROR),
    "recruitment:plan_edit": ("admin_a", ERROR),
    "recruitment:settings": ("bureau", SAVED),
    "recruitment:step": ("admin_a", ERROR),
    "recruitment:terminate": ("admin_a", ERROR),
    "reports:rules": ("bureau", SAVED),
    "study:add": ("member", ERROR),
    "study:config": ("bureau", SAVED),
    "study:import": ("admin_a", ERROR),
    "supervision:appraisal_adjustments": ("bureau", ERROR),
    "supervision:appraisal_create": ("bureau", ERROR),
    "supervision:appraisal_detail → supervision:appraisal_publish": ("bureau", SAVED),
    "supervision:appraisal_edit": ("bureau", SAVED),
    "supervision:appraisal_indicators": ("bureau", ERROR),
    "supervision:appraisal_manual": ("bureau", SAVED),
    "supervision:appraisals → supervision:appraisal_create": ("bureau", ERROR),
    "supervision:checklist_add": ("bureau", ERROR),
    "supervision:checklist_edit": ("bureau", SAVED),
    "supervision:draw": ("bureau", "#draw-size"),
    "supervision:observation_create": ("bureau", ERROR),
    "supervision:observation_detail → supervision:observation_final": ("bureau", ERROR),
    "supervision:observation_edit": ("bureau", SAVED),
    "supervision:observation_rubric": ("bureau", SAVED),
    "supervision:observation_score": ("inspector", SAVED),
    "supervision:rectification_detail → supervision:rectification_action": ("inspector", ERROR),
    "supervision:target_detail": ("inspector", SAVED),
}


@dataclass(frozen=True)
class FormPage:
    key: str
    url: str
    action: str  # the form's action attribute as written ("" = the page itself)


def _action_name(action: str, page_path: str) -> str | None:
    """The URL name a form posts to; None for the page itself."""
    path = urlsplit(action).path
    if not path or path == page_path:
        return None
    try:
        return resolve(path).view_name
    except Resolver404:
        return f"?{path}"


def form_pages(cast, cases, who: str) -> list[FormPage]:
    """The pages `who` may open (matrix GET cases, one per URL name) with a business POST form: one entry per page
    and form target (the first form of each)."""
    client = Client()
    client.force_login(cast[who])
    found: dict[str, FormPage] = {}
    names: set[str] = set()
    for case in cases:
        if case.method != "get" or case.public or who not in case.allow or 200 not in case.ok:
            continue
        if case.name in names:
            continue
        r = client.get(case.url, case.data)
        if r.status_code != 200 or not r["Content-Type"].startswith("text/html"):
            continue
        names.add(case.name)
        path = r.wsgi_request.path
        for form in inspect_html(r.content.decode()).forms:
            if form.method != "post" or not form.controls:
                continue
            target = _action_name(form.action, path)
            if target in CHROME:
                continue
            key = case.name if target is None else f"{case.name} → {target}"
            found.setdefault(key, FormPage(key, case.url, form.action))
    return list(found.values())


# --- in the browser -------------------------------------------------------------------------------------------

FIND = """([action, mark]) => {
  const forms = Array.from(document.querySelectorAll('form')).filter(f =>
    (f.getAttribute('method') || '').toLowerCase() === 'post' && (f.getAttribute('action') || '') === action &&
    Array.from(f.elements).some(el => el.name && !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)));
  if (!forms.length) return false;
  forms[0].setAttribute('data-under-test', mark);
  return true;
}"""

# Controls whose pre-filled value the browser refuses: invalid for any reason but an empty required field
# (valueMissing alone), or a value attribute the browser dropped (an <input type="date"> given "2026/12/02" is
# sanitised to "", and would then read as merely empty).
REFUSED = """form => Array.from(form.elements).filter(el => el.willValidate && (
  ['badInput', 'customError', 'patternMismatch', 'rangeOverflow', 'rangeUnderflow', 'stepMismatch', 'tooLong',
   'tooShort', 'typeMismatch'].some(k => el.validity[k]) ||
  (el.tagName === 'INPUT' && !['checkbox', 'radio', 'file'].includes(el.type) &&
   (el.getAttribute('value') || '') !== '' && el.value === '')
)).map(el => ({name: el.name, type: el.type, value: el.getAttribute('value'), message: el.validationMessage}))"""

SUBMIT = """form => {
  const button = Array.from(form.elements).find(el =>
    (el.tagName === 'BUTTON' && (el.getAttribute('type') || 'submit') === 'submit') ||
    (el.tagName === 'INPUT' && el.type === 'submit'));
  form.noValidate = true;
  form.requestSubmit(button || undefined);
}"""

# What the answer shows: the messages of the request (`.messages`: success, or a refusal after a redirect) and
# the errors of a form sent back (field errors, a refusal on the form); Chinese text only.
OUTCOME = """() => {
  const shown = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const text = sel => Array.from(document.querySelectorAll(sel)).filter(shown)
    .map(el => el.innerText.trim()).filter(t => /[\\u4e00-\\u9fff]/.test(t));
  return {
    refused: text('.messages .msg-error, .messages .msg-warning'),
    errors: text('.errorlist, form .msg-error, [role=alert]'),
    success: text('.messages .msg-success, .messages .msg-info'),
  };
}"""


def submit_with_defaults(p, base: str, fp: FormPage, expected: str) -> tuple[str | None, str]:
    """(outcome, detail): outcome None when the form misbehaves, with what went wrong in detail."""
    p.goto(base + fp.url)
    if not p.evaluate(FIND, [fp.action, fp.key]):
        return None, "页面上找不到该表单"
    form = p.locator(f"form[data-under-test='{fp.key}']")
    refused = form.evaluate(REFUSED)
    if refused:
        return None, f"预填值未通过浏览器校验，表单无法提交：{refused}"
    try:
        # no form of the site posts through htmx: an answer is a new document
        with (
            p.expect_navigation(timeout=10_000),
            p.expect_response(lambda r: r.request.method == "POST", timeout=10_000) as answer,
        ):
            form.evaluate(SUBMIT)
    except PlaywrightTimeout:
        return None, "点击提交后没有发出请求或没有得到回应（提交被静默阻止）"
    response = answer.value
    if response.status >= 500:
        return None, f"服务器错误 {response.status}"
    if response.status in (403, 404, 405):
        return None, f"状态码 {response.status}：{p.locator('main').inner_text()[:120]}"
    # a redirect (saved, or refused with a message), or the form sent back with its errors (200, or 400)
    shown = p.evaluate(OUTCOME)
    if shown["refused"]:
        return ERROR, shown["refused"][0][:80]
    if response.status not in (301, 302, 303) and shown["errors"]:
        return ERROR, shown["errors"][0][:80]
    if response.status in (301, 302, 303) or shown["success"]:
        return SAVED, (shown["success"] or [response.headers.get("location", "")])[0][:80]
    if expected.startswith("#") and p.locator(expected).is_visible():
        return expected, p.locator(expected).inner_text()[:80]
    return None, f"提交后页面既无保存结果也无中文错误提示（状态码 {response.status}）"


@pytest.mark.parametrize("who", CAST_USERS)
def test_forms_submit_with_their_defaults_at_390(who, cast, live_server, module_browser):
    cases = collect_cases(cast)
    pages = form_pages(cast, cases, who)
    untested = [fp.key for fp in pages if fp.key not in FORMS]
    assert not untested, (
        f"以下表单页面缺少用例（请在 FORMS 中写明由哪个角色提交、默认值提交后应保存还是提示错误）：{untested}"
    )
    mine = [fp for fp in pages if FORMS[fp.key][0] == who]
    gone = sorted(k for k, (role, _) in FORMS.items() if role == who and k not in {fp.key for fp in pages})
    assert not gone, f"角色 {who} 已看不到这些表单，请更新 FORMS：{gone}"
    if not mine:
        return
    context = module_browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE)
    context.set_default_timeout(15_000)
    p = context.new_page()
    p.on("dialog", lambda d: d.accept())
    from dangjian.factories import TEST_PASSWORD

    p.goto(f"{live_server.url}/accounts/login/")
    p.fill("#id_username", cast[who].username)
    p.fill("#id_password", TEST_PASSWORD)
    with p.expect_navigation():
        p.click("button[type=submit]")
    failures, seen = [], []
    for fp in mine:
        expected = FORMS[fp.key][1]
        outcome, detail = submit_with_defaults(p, live_server.url, fp, expected)
        seen.append(f"{fp.key}\t{outcome}\t{detail}")
        if outcome is None:
            failures.append(f"{fp.key}（{fp.url}）：{detail}")
        elif outcome != expected:
            failures.append(f"{fp.key}（{fp.url}）：应为 {expected}，实际 {outcome}：{detail}")
    context.close()
    print("\n".join(seen))
    assert not failures, f"角色 {who}：{len(failures)} 个表单按默认值提交不正常：\n" + "\n".join(failures)
