"""The listener of core.events: each event becomes a 站内通知 for each person concerned (at once, in the caller's
transaction), an e-mail for those who want one (their 通知偏好), and — only when the event carries an
organisation-level summary — a line to the organisation's group robot. Never a person's item to a robot."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.events import Event
from dangjian.orgs.models import Organization

from . import channels
from .models import Channel, OrgWebhook, Preference
from .services import _Planned, notify_many


def _audience(event: Event) -> list[User]:
    org = event.org
    if not event.audience or not isinstance(org, Organization):
        return []
    active = User.objects.filter(is_active=True)
    if event.audience == "org_admins":
        return list(active.filter(role=Role.ORG_ADMIN, organization=org))
    # reviewers: admins of a strict ancestor, and the bureau admins
    ancestors = [org.path[: i * org.steplen] for i in range(1, org.depth)]
    return list(
        active.filter(
            Q(role=Role.BUREAU_ADMIN) | Q(role=Role.ORG_ADMIN, organization__path__in=ancestors or ["-"])
        )
    )


def recipients(event: Event) -> list[User]:
    people: dict[int, User] = {}
    for u in [*event.recipients, *_audience(event)]:
        if getattr(u, "pk", None) and getattr(u, "is_active", True):
            people.setdefault(u.pk, u)
    actor_id = getattr(event.actor, "pk", None)
    people.pop(actor_id, None)  # type: ignore[arg-type]
    return list(people.values())


def wants_email(users: list[User]) -> set[int]:
    off = set(Preference.objects.filter(user__in=users, email_events=False).values_list("user_id", flat=True))
    return {u.pk for u in users if u.pk not in off and u.email}


def handle(event: Event) -> None:
    users = recipients(event)
    org = event.org if isinstance(event.org, Organization) else None
    planned = [
        _Planned(u, event.name[:20], f"【{event.label}】{event.title}", event.body, event.url, event.key, org)
        for u in users
    ]
    notify_many(planned, email_to=wants_email(users))
    if event.org_summary and org is not None:
        hook = OrgWebhook.objects.filter(organization=org, is_active=True).first()
        if hook is not None:
            channels.queue_many(
                [
                    channels.Message(
                        Channel.WEBHOOK,
                        hook.url,
                        event.key,
                        event.title,
                        {
                            "message": channels.robot_payload(hook.kind, event.title, [event.org_summary]),
                            "secret": hook.secret,
                        },
                    )
                ]
            )
    transaction.on_commit(_send_soon)


def _send_soon() -> None:
    """Send what the event queued after the action commits (a failure stays queued for `remind` to retry)."""
    channels.send_pending(limit=50)
