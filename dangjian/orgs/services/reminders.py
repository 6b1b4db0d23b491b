"""换届提醒: a superior organisation (the bureau, or the admin of a 党委 / 总支 over the organisation) reminds an
organisation whose term has expired or will within six months — by 站内通知 to its admins (提醒) or by a printed
提醒函 (发函), as 支部条例 asks: "上级党组织对任期届满的党支部，一般提前6个月以发函或者电话通知等形式，提醒做好换届准备"
(/work/shared/rules.md §3.3)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.scope import org_in_scope, scope_root
from dangjian.accounts.typing import Actor
from dangjian.core import audit, events
from dangjian.core.actions import Refusal
from dangjian.core.official_docx import OfficialDocument

from ..asof import term_on
from ..models import Organization
from ..terms import TermStatus, term_status

RULE_QUOTE = (
    "《中国共产党支部工作条例（试行）》规定：“上级党组织对任期届满的党支部，一般提前6个月以发函或者电话通知等形式，"
    "提醒做好换届准备。对需要延期或者提前换届的，应当认真审核、从严把关，延长或者提前期限一般不超过1年。”"
)
DUE = (TermStatus.OVERDUE, TermStatus.EXPIRING)
EVENTS = {"term.remind": "换届提醒", "term.letter": "生成换届提醒函"}


def may_remind(user: Any, org: Organization) -> bool:
    """The bureau, or an admin whose scope holds the organisation from above (never the organisation's own)."""
    if not org_in_scope(user, org, write=True):
        return False
    root = scope_root(user)
    return root is None or root.pk != org.pk


def due_status(org: Organization, today: date) -> tuple[TermStatus, date | None]:
    term = term_on(org, today)
    expiry = term.effective_expiry if term is not None else None
    return term_status(expiry, today, elected=org.has_elected_term), expiry


def _check(org: Organization, actor: Actor, today: date) -> tuple[TermStatus, date]:
    if not may_remind(actor, org):
        raise Refusal("只有上级党组织可以提醒该组织换届", code="not_superior")
    status, expiry = due_status(org, today)
    if status not in DUE or expiry is None:
        raise Refusal(f"{org.name}任期状态为“{status}”，无需提醒换届", code="not_due")
    return status, expiry


def _what(status: TermStatus, expiry: date) -> str:
    if status is TermStatus.OVERDUE:
        return f"本届任期已于{expiry:%Y年%m月%d日}届满，尚未换届"
    return f"本届任期将于{expiry:%Y年%m月%d日}届满"


@transaction.atomic
def remind_renewal(org: Organization, actor: Actor, *, today: date | None = None) -> None:
    """提醒: a notification to the organisation's admins; once a day (a second click the same day tells no one
    again — the event's key), audited each time as `term.remind`."""
    today = today or timezone.localdate()
    status, expiry = _check(org, actor, today)
    events.emit(
        "term.remind",
        title=f"换届提醒：{org.name}{_what(status, expiry)}",
        body=f"请按期做好换届准备，及时向上级党组织报送换届请示。{RULE_QUOTE}",
        url=reverse("orgs:renewal", args=[org.pk]),
        key=f"{org.pk}:{today:%Y-%m-%d}",
        org=org,
        audience="org_admins",
        org_summary=f"{org.name}{_what(status, expiry)}，请做好换届准备。",
        actor=actor,
    )
    audit.record("term.remind", actor=actor, instance=org, note=f"换届提醒：{_what(status, expiry)}")


def _sender(actor: Actor) -> str:
    root = scope_root(actor)
    if root is None:
        root = Organization.get_root_nodes().first()
    return root.name if root is not None else ""


@transaction.atomic
def renewal_letter(org: Organization, actor: Actor, *, today: date | None = None) -> bytes:
    """发函: the 换届提醒函 as a 公文格式 .docx (core.official_docx), audited as `term.letter`."""
    today = today or timezone.localdate()
    status, expiry = _check(org, actor, today)
    sender = _sender(actor)
    doc = OfficialDocument()
    doc.title("关于做好党组织换届工作的提醒函")
    doc.blank()
    doc.para(f"{org.name}：")
    doc.para(
        f"经查，你单位{_what(status, expiry)}。{RULE_QUOTE}"
        "《中国共产党基层组织选举工作条例》规定：任期届满应当按期进行换届选举。"
    )
    doc.para(
        "请你单位接此函后，认真做好换届准备：由支部委员会（或书记）研究提出换届工作安排，"
        "及时向上级党组织报送换届请示（一般提前1个月），经批复后按程序召开党员大会进行选举，"
        "选举结果于选举后1个月内报上级党组织审批或备案。确需延期换届的，应当书面说明理由，报上级党组织批准，"
        "延期一般不超过1年。"
    )
    doc.para("特此函告。")
    doc.blank()
    doc.signature(sender, f"{today.year}年{today.month}月{today.day}日")
    audit.record("term.letter", actor=actor, instance=org, note=f"生成换届提醒函：{_what(status, expiry)}")
    return doc.to_bytes()
