"""The one task the queue knows: run a job by its id (the job row holds everything else)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: int) -> None:
    from . import services

    services.run(job_id)
