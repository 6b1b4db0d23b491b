"""Events: a service action announces what happened to whom; the apps that listen (notify) turn it into 站内通知,
e-mails and organisation-level robot summaries. Core names no domain app, and an app that emits imports no
listener: notify subscribes in its AppConfig.ready (design §3, the events registry).

An event says who is concerned in one of three ways, together or apart:
- `recipients`: the accounts concerned by name (the one who entered the record, the inspector …);
- `org` with `audience="org_admins"`: the administrators of that organisation;
- `org` with `audience="reviewers"`: those who review that organisation (admins of its superiors, the bureau).
The acting person is never told of their own action.

`key` names the occurrence: the same key never notifies the same person twice (a repeated 催办 on the same day,
a retried request), as `remind` is idempotent per month. `org_summary`, when given, is a line fit for the
organisation's group robot — an organisation-level summary, never a person's item; events without it reach no
robot.

Listeners run synchronously inside the caller's transaction: the notification is in the bell in the same
request, and an action rolled back leaves none."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .audit import AuditActor

AUDIENCES = ("", "org_admins", "reviewers")

# name -> Chinese label (the kind shown in 通知中心); apps may add their own with `register`.
NAMES: dict[str, str] = {
    "activity.submit": "待审核",
    "activity.approve": "审核通过",
    "activity.return": "退回",
    "notice.issue": "新通知",
    "notice.urge": "催办",
    "notice.proxy_ack": "代签收",
    "rectification.create": "新整改",
    "rectification.submit": "整改待审核",
    "rectification.return": "整改退回",
    "rectification.close": "整改销号",
}


@dataclass(frozen=True)
class Event:
    name: str
    title: str
    key: str
    body: str = ""
    url: str = ""
    recipients: tuple[Any, ...] = ()
    org: Any = None
    audience: str = ""
    org_summary: str = ""
    actor: AuditActor = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return NAMES.get(self.name, self.name)


Handler = Callable[[Event], None]
_handlers: list[Handler] = []


def register(names: dict[str, str]) -> None:
    """Add an app's event names with their labels; a name keeps the label it was first given."""
    for name, label in names.items():
        NAMES.setdefault(name, label)


def subscribe(handler: Handler) -> None:
    """Listen to every event (call from an AppConfig.ready); subscribing twice is harmless."""
    if handler not in _handlers:
        _handlers.append(handler)


def emit(
    name: str,
    *,
    title: str,
    key: str,
    body: str = "",
    url: str = "",
    recipients: Iterable[Any] = (),
    org: Any = None,
    audience: str = "",
    org_summary: str = "",
    actor: AuditActor = None,
    **extra: Any,
) -> Event:
    """Announce an event to every listener and return it."""
    if name not in NAMES:
        raise ValueError(f"unknown event {name!r}: register it in core.events.NAMES or with register()")
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    if audience and org is None:
        raise ValueError("an audience needs the organisation it is drawn from")
    event = Event(
        name=name,
        title=title,
        key=f"{name}:{key}",
        body=body,
        url=url,
        recipients=tuple(r for r in recipients if r is not None),
        org=org,
        audience=audience,
        org_summary=org_summary,
        actor=actor,
        extra=extra,
    )
    for handler in list(_handlers):
        handler(event)
    return event
