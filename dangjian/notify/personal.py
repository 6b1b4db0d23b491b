"""Messages to one person (issue 19 part 3): 企业微信 应用消息 and a generic SMS gateway, beside e-mail.

Both are called by `channels._send` for a claimed Delivery and return what the API answered (kept in the
delivery's log); a failure raises with a Chinese message, and the delivery is tried again later (backoff).
Their addresses come from the operator's settings (never from a page), so no address check is needed; the
requests still never follow a redirect.

企业微信: an access_token from /cgi-bin/gettoken (kept until shortly before it expires, fetched again when the
API says it is invalid), then /cgi-bin/message/send with `enable_duplicate_check`, so that 企业微信 itself drops
a message repeated within half an hour (a retry after an answer lost on the way). The deliveries log, unique
per channel, address and key, keeps the platform from queueing a message twice in the first place.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings

TIMEOUT_S = 10
DUPLICATE_CHECK_SECONDS = 1800
TOKEN_MARGIN_S = 300
TOKEN_INVALID = {40001, 40014, 42001}  # invalid credential, invalid token, token expired
SMS_MAX_CHARS = 300


def wecom_configured() -> bool:
    return bool(
        settings.DANGJIAN_WECOM_CORP_ID
        and settings.DANGJIAN_WECOM_AGENT_ID
        and settings.DANGJIAN_WECOM_SECRET
    )


def sms_configured() -> bool:
    return bool(settings.DANGJIAN_SMS_URL)


def _open(req: urllib.request.Request) -> tuple[int, str]:
    from .channels import _OPENER  # the same opener as the robots: no redirects

    try:
        with _OPENER.open(req, timeout=TIMEOUT_S) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"接口返回 HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RuntimeError(f"无法连接接口：{reason}") from None


def _json(text: str, what: str) -> dict[str, Any]:
    try:
        answer = json.loads(text or "{}")
    except ValueError:
        raise RuntimeError(f"{what}返回的不是 JSON：{text[:80]}") from None
    if not isinstance(answer, dict):
        raise RuntimeError(f"{what}返回格式不正确")
    return answer


# --- 企业微信 应用消息 -------------------------------------------------------------------------------------------
_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_lock = threading.Lock()


def _wecom_token(*, fresh: bool = False) -> str:
    key = (settings.DANGJIAN_WECOM_API, settings.DANGJIAN_WECOM_CORP_ID)
    with _lock:
        held = _tokens.get(key)
        if held and not fresh and held[1] > time.monotonic():
            return held[0]
    query = urllib.parse.urlencode(
        {"corpid": settings.DANGJIAN_WECOM_CORP_ID, "corpsecret": settings.DANGJIAN_WECOM_SECRET}
    )
    _status, text = _open(urllib.request.Request(f"{settings.DANGJIAN_WECOM_API}/cgi-bin/gettoken?{query}"))
    answer = _json(text, "企业微信")
    if answer.get("errcode", 0) != 0 or not answer.get("access_token"):
        raise RuntimeError(
            f"企业微信获取凭证失败：{answer.get('errcode')} {answer.get('errmsg', '')}".strip()
        )
    token = str(answer["access_token"])
    lifetime = max(int(answer.get("expires_in") or 7200) - TOKEN_MARGIN_S, 60)
    with _lock:
        _tokens[key] = (token, time.monotonic() + lifetime)
    return token


def forget_tokens() -> None:
    with _lock:
        _tokens.clear()


def wecom_message(userid: str, text: str) -> dict[str, Any]:
    return {
        "touser": userid,
        "msgtype": "text",
        "agentid": int(settings.DANGJIAN_WECOM_AGENT_ID),
        "text": {"content": text},
        "safe": 0,
        "enable_duplicate_check": 1,
        "duplicate_check_interval": DUPLICATE_CHECK_SECONDS,
    }


def send_wecom(userid: str, text: str) -> str:
    """One 应用消息 to `userid`; returns the API's answer for the log."""
    if not wecom_configured():
        raise RuntimeError("系统未配置企业微信应用（企业ID、应用AgentId、Secret）")
    body = json.dumps(wecom_message(userid, text), ensure_ascii=False).encode("utf-8")
    answer: dict[str, Any] = {}
    for fresh in (False, True):
        token = urllib.parse.quote(_wecom_token(fresh=fresh))
        req = urllib.request.Request(
            f"{settings.DANGJIAN_WECOM_API}/cgi-bin/message/send?access_token={token}",
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        answer = _json(_open(req)[1], "企业微信")
        if answer.get("errcode", 0) not in TOKEN_INVALID:
            break
    code = answer.get("errcode", 0)
    if code != 0:
        raise RuntimeError(f"企业微信返回错误 {code}：{answer.get('errmsg', '')}")
    if userid in str(answer.get("invaliduser") or "").split("|"):
        raise RuntimeError(f"企业微信账号“{userid}”不存在或不在应用的可见范围内")
    return f"errcode=0 msgid={answer.get('msgid', '')}"[:300]


# --- SMS gateway ----------------------------------------------------------------------------------------------
def sms_text(text: str) -> str:
    sign = settings.DANGJIAN_SMS_SIGN
    body = " ".join(text.split())
    room = SMS_MAX_CHARS - len(sign)
    return sign + (body if len(body) <= room else body[: room - 1] + "…")


def _fill(template: str, values: dict[str, str], escape: Any) -> str:
    out = template
    for name, value in values.items():
        out = out.replace("{" + name + "}", escape(value))
    return out


def _json_escape(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


def sms_request(phone: str, text: str) -> urllib.request.Request:
    """The gateway's request from the operator's template (settings.DANGJIAN_SMS_*)."""
    values = {"phone": phone, "text": sms_text(text)}
    url = _fill(settings.DANGJIAN_SMS_URL, values, lambda v: urllib.parse.quote(v, safe=""))
    content_type = settings.DANGJIAN_SMS_CONTENT_TYPE
    headers = {"Content-Type": content_type}
    if ":" in settings.DANGJIAN_SMS_HEADER:
        name, value = settings.DANGJIAN_SMS_HEADER.split(":", 1)
        headers[name.strip()] = value.strip()
    data = None
    method = settings.DANGJIAN_SMS_METHOD if settings.DANGJIAN_SMS_METHOD in ("GET", "POST") else "POST"
    if method == "POST":
        escape = _json_escape if "json" in content_type.lower() else (lambda v: urllib.parse.quote_plus(v))
        data = _fill(settings.DANGJIAN_SMS_BODY, values, escape).encode("utf-8")
    else:
        headers.pop("Content-Type")
    return urllib.request.Request(url, data=data, headers=headers, method=method)


def send_sms(phone: str, text: str) -> str:
    """One text message to `phone` through the gateway; returns its answer for the log."""
    if not sms_configured():
        raise RuntimeError("系统未配置短信网关")
    status, body = _open(sms_request(phone, text))
    answer = " ".join(body.split())
    if settings.DANGJIAN_SMS_SUCCESS and settings.DANGJIAN_SMS_SUCCESS not in body:
        raise RuntimeError(f"短信网关未确认发送：{answer[:120]}")
    return f"HTTP {status} {answer}"[:300]
