"""The job runner's part in delivery: try again what failed, when its pause is over (channels.schedule_retry)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_deliveries() -> None:
    from . import channels

    channels.send_pending()
