"""Jobs: enqueue long work on the task queue (django-tasks: the database queue by default, RQ on Redis when
`REDIS_URL` is set) and run it in the worker, recording its progress on the job row for the page to poll.

The work reports through `core.progress`; `run` listens and writes what it hears (throttled). While the work
writes inside a transaction (an import's write phase) its own connection's updates would stay invisible to the
page until the commit, so progress is also kept in the shared "memo" cache, which the page reads first.

Each kind is one runner here, `RUNNERS[kind](job) -> Outcome`. A runner raises `JobFailed` (or an
`actions.Refusal`) with a message in Chinese for the owner; any other exception is logged and shown as an
internal error.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any, cast

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import F
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string

from dangjian.accounts import scope
from dangjian.accounts.policy import Perm, check
from dangjian.core import actions, audit, progress, replica

from .models import Job, JobFile, JobKind, JobStatus

logger = logging.getLogger(__name__)

PROGRESS_CACHE = "memo"
THROTTLE_SECONDS = 0.5
HEARTBEAT_SECONDS = 30.0
STALE_AFTER = timedelta(minutes=5)  # ten missed heartbeats: the worker is gone
MAX_ATTEMPTS = 3
EVENTS = {
    "job.create": "提交后台任务",
    "job.reclaim": "重新排队中断的后台任务",
    "job.abandon": "中断的后台任务不再重试",
}
INTERNAL_ERROR = "任务执行时发生内部错误，已记入系统日志，请联系系统管理员。"


class JobFailed(actions.Refusal):
    """The work could not be done, for a reason the owner can act on (the message says it in Chinese)."""

    default_code = "job_failed"


@dataclass
class Outcome:
    summary: str = ""
    url: str = ""  # a page to see the result on (the imported list)
    file_name: str = ""  # a file to download
    data: bytes = b""
    content_type: str = ""


# --- enqueue -------------------------------------------------------------------------------------------------
def enqueue(owner: Any, kind: str, title: str, params: dict[str, Any] | None = None) -> Job:
    """A new queued job; handed to the task queue once the transaction that created it commits."""
    job = Job.objects.create(owner=owner, kind=kind, title=title[:200], params=params or {})
    audit.record(
        "job.create",
        actor=owner,
        instance=job,
        changes={"kind": [None, kind], "params": [None, _shown_params(job.params)]},
        note=job.title,
    )
    _hand_over(job)
    return job


def _shown_params(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters as audited: an upload's token is a capability to its file, not a fact to keep."""
    return {k: ("***" if k == "token" else v) for k, v in params.items()}


def _hand_over(job: Job) -> None:
    """Give the job to the task queue once the transaction that queued it commits."""

    def hand_over() -> None:
        from .tasks import run_job

        result = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])

    if getattr(settings, "DANGJIAN_JOBS_EAGER", False):
        hand_over()  # tests: the job runs at once (with the immediate backend, inside this request)
    else:
        transaction.on_commit(hand_over)


def reclaim_stale(now: Any = None) -> int:
    """Jobs whose worker stopped touching them (killed, its machine restarted) are queued again, up to
    MAX_ATTEMPTS runs in all; then they fail with a message to submit them again. Safe to run again: an
    import writes in one transaction (an interrupted one wrote nothing), a report or an export is only read,
    月提醒 sends each item once. Called when a worker starts and when the jobs pages are opened. Returns how
    many jobs were queued again."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    stale = Job.objects.filter(status=JobStatus.RUNNING, started_at__lt=cutoff).filter(
        models.Q(heartbeat_at__lt=cutoff) | models.Q(heartbeat_at__isnull=True)
    )
    requeued = 0
    for job in stale.select_related("owner"):
        beat = last_beat(job)
        if beat is not None and beat >= cutoff:
            continue  # its worker beats (in the cache): alive
        with transaction.atomic():
            again = job.attempts < MAX_ATTEMPTS
            fields = (
                {"status": JobStatus.QUEUED, "stage": "重新排队（后台任务进程中断）"}
                if again
                else {
                    "status": JobStatus.FAILED,
                    "stage": "失败",
                    "finished_at": now,
                    "error": f"后台任务进程中断，已尝试 {job.attempts} 次仍未完成；请重新提交该任务。",
                }
            )
            # only if still stale: a worker that just touched it keeps it
            if not stale.filter(pk=job.pk).update(**fields):
                continue
            audit.record(
                "job.reclaim" if again else "job.abandon",
                actor_name="后台任务",
                instance=job,
                note=f"{job.title}：最近心跳 {job.heartbeat_at or job.started_at}，已执行 {job.attempts} 次",
            )
            if again:
                requeued += 1
                _hand_over(job)
    return requeued


def for_user(user: Any):
    """The jobs a user may see: their own, never anybody else's."""
    return Job.objects.filter(owner=user)


# --- progress ------------------------------------------------------------------------------------------------
def _key(job_id: int) -> str:
    return f"dangjian:job-progress:{job_id}"


class _Recorder:
    """The progress listener of one job: the cache at most every THROTTLE_SECONDS (and at every new stage and
    the last row), the row too when the work is not inside a transaction."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.stage = ""
        self.last = 0.0

        self.seen: tuple[str, int, int] | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.seen = (stage, max(done, 0), max(total, 0))
        now = time.monotonic()
        last_row = bool(total) and done >= total
        if stage == self.stage and now - self.last < THROTTLE_SECONDS and not last_row:
            return
        self.stage, self.last = stage, now
        caches[PROGRESS_CACHE].set(
            _key(self.job_id), {"stage": stage[:100], "done": done, "total": total}, timeout=24 * 3600
        )
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job_id).update(
                stage=stage[:100], done=max(done, 0), total=max(total, 0)
            )


def live(job: Job) -> Job:
    """The job with the latest progress the worker reported (the cache is ahead of the row mid-transaction)."""
    if job.status == JobStatus.RUNNING:
        seen = caches[PROGRESS_CACHE].get(_key(job.pk))
        if seen:
            job.stage, job.done, job.total = seen["stage"], seen["done"], seen["total"]
    return job


# --- run -----------------------------------------------------------------------------------------------------
def run(job_id: int) -> None:
    """Run one job (in the worker): its runner inside a progress listener; the result or the error on the row."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, stage="开始", attempts=F("attempts") + 1
    )
    if not claimed:
        return  # delivered twice, or taken by another worker: it ran (or runs) already
    job = Job.objects.select_related("owner").get(pk=job_id)
    recorder = _Recorder(job.pk)
    try:
        with progress.listening(recorder), _Heartbeat(job.pk):
            outcome = RUNNERS[job.kind](job)
    except (JobFailed, actions.Refusal, PermissionDenied, Http404) as exc:
        # the owner's own cause (a refusal; a permission or scope lost since the job was queued)
        _last_seen(job, recorder)
        _finish(
            job, JobStatus.FAILED, error=str(getattr(exc, "message", "") or exc) or "没有执行该任务的权限"
        )
    except Exception:
        _last_seen(job, recorder)
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, JobStatus.FAILED, error=INTERNAL_ERROR)
    else:
        _last_seen(job, recorder)
        if outcome.data:
            row = JobFile(
                original_name=outcome.file_name,
                content_type=outcome.content_type,
                size=len(outcome.data),
                sha256=_sha256(outcome.data),
                uploaded_by=job.owner,
            )
            ext = outcome.file_name.rsplit(".", 1)[-1].lower()
            folder = f"jobs/{timezone.localdate():%Y}"
            row.file.name = default_storage.save(
                f"{folder}/{secrets.token_hex(16)}.{ext}", ContentFile(outcome.data)
            )
            row.save()
            job.result_file = row
        job.summary, job.result_url = outcome.summary, outcome.url[:300]
        _finish(job, JobStatus.DONE)
    caches[PROGRESS_CACHE].delete_many([_key(job.pk), _beat_key(job.pk)])


def _beat_key(job_id: int) -> str:
    return f"dangjian:job-heartbeat:{job_id}"


def last_beat(job: Job) -> Any:
    """When the job's worker last showed it was alive: the later of the row's `heartbeat_at` and the shared
    cache's beat (None if neither)."""
    seen = caches[PROGRESS_CACHE].get(_beat_key(job.pk))
    beats = [t for t in (job.heartbeat_at, seen) if t is not None]
    return max(beats) if beats else None


class _Heartbeat:
    """Shows the job alive every HEARTBEAT_SECONDS from a thread of its own: in the shared cache (as the
    progress), and on PostgreSQL in the row too. Not in the row on SQLite, where the work's open write
    transaction (an import's) holds the one write lock the touch would wait for."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat", daemon=True)

    def _beat(self) -> None:
        from django.db import connections

        try:
            while not self.stop.wait(HEARTBEAT_SECONDS):
                now = timezone.now()
                caches[PROGRESS_CACHE].set(_beat_key(self.job_id), now, timeout=24 * 3600)
                if connection.vendor == "postgresql":
                    Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(heartbeat_at=now)
        except Exception:  # noqa: BLE001 - a missed beat must not kill the work; a long silence reclaims it
            logger.exception("job %s: heartbeat failed", self.job_id)
        finally:
            connections.close_all()

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def _last_seen(job: Job, recorder: _Recorder) -> None:
    """The last progress the work reported (the row may have missed it: throttled, or inside a transaction)."""
    if recorder.seen is not None:
        _, job.done, job.total = recorder.seen


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _finish(job: Job, status: str, error: str = "") -> None:
    job.status, job.error, job.finished_at = status, error, timezone.now()
    if status == JobStatus.DONE and job.total:
        job.done = job.total
    job.stage = "完成" if status == JobStatus.DONE else "失败"
    job.save()


# --- runners -------------------------------------------------------------------------------------------------
def _request_for(user: Any) -> HttpRequest:
    """What an import spec builds its importer from: only `.user` is read."""
    return cast(HttpRequest, SimpleNamespace(user=user))


def run_import_job(job: Job) -> Outcome:
    from dangjian.core import import_views
    from dangjian.core.importing import run_import

    params = job.params
    request = _request_for(job.owner)
    spec = import_string(params["factory"])(request)
    path = import_views.upload_path(params["token"])
    if path is None:
        raise JobFailed("导入文件已过期或不存在，请重新上传。")
    report = run_import(spec.make_importer(request), path, skip_invalid=bool(params.get("skip_invalid")))
    if not report.written:
        shown = "；".join(
            f"第{e.row}行{('“' + e.column + '”') if e.column else ''}：{e.message}" for e in report.errors[:5]
        )
        more = f"（共 {len(report.errors)} 处）" if len(report.errors) > 5 else ""
        raise JobFailed(f"文件中仍有错误，未导入任何数据。{shown}{more}")
    path.unlink(missing_ok=True)
    progress.report("完成", report.rows, report.rows)
    return Outcome(summary=f"导入完成：{report.summary()}", url=spec.back_url)


def run_report_job(job: Job) -> Outcome:
    from dangjian.core import audit
    from dangjian.core.models import AuditAction
    from dangjian.reports import annual

    check(job.owner, Perm.VIEW_STAFF)
    year = int(job.params["year"])
    root = None
    if job.params.get("org"):
        root = scope.get_org_for_user(job.owner, job.params["org"])
    else:
        root = scope.home_org(job.owner)  # an org admin's report is of their own subtree
    progress.report("统计数据", 0, 2)
    with replica.reads():
        report = annual.build(year, root)
    progress.report("生成文档", 1, 2)
    data = report.to_document().to_bytes()
    progress.report("生成文档", 2, 2)
    audit.record(
        AuditAction.EXPORT, actor=job.owner, model="reports.annual", object_repr=f"{year}年度分析报告"
    )
    return Outcome(
        summary=f"发现问题 {len(report.problems)} 项，统计指标 {len(report.metrics.rows())} 项",
        file_name=f"{report.subject}{year}年度党建工作情况分析报告.docx",
        data=data,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def run_remind_job(job: Job) -> Outcome:
    from dangjian.core import stamps
    from dangjian.core.periods import Period
    from dangjian.notify import monthly
    from dangjian.notify import services as notify

    check(job.owner, Perm.SEND_NOTIFICATIONS)
    month = Period.parse(job.params["month"])
    progress.report("汇总待办事项", 0, 2)
    org_items = monthly.build(month)
    progress.report("推送提醒", 1, 2)
    report = notify.deliver(month, org_items)
    stamps.compact()
    progress.report("推送提醒", 2, 2)
    with_items = sum(1 for oi in org_items if oi.items)
    return Outcome(
        summary=(
            f"{month.label}提醒：{with_items} 个党组织有待办事项；新推送站内通知 {report.notifications} 条，"
            f"外部推送 {report.deliveries} 条（成功 {report.sent}，失败 {report.failed}）"
        )
    )


def warm(today: date | None = None) -> int:
    """Compute and memoise the figures the first pages after a restart need (the 驾驶舱 of the whole system and
    of each top-level organisation); returns how many scopes were warmed. Reports progress per scope."""
    from dangjian.orgs.models import Organization
    from dangjian.reports import dashboard

    today = today or timezone.localdate()
    roots: list[Organization | None] = [None, *Organization.objects.filter(depth__lte=2).order_by("path")]
    total = len(roots)
    progress.report("预热驾驶舱", 0, total)
    for i, root in enumerate(roots, start=1):
        dashboard.build(root, today)
        progress.report("预热驾驶舱", i, total)
    return total


def run_warm_job(job: Job) -> Outcome:
    check(job.owner, Perm.MANAGE_BUREAU)
    n = warm()
    return Outcome(summary=f"已预热 {n} 个范围的驾驶舱数据")


def run_export_job(job: Job) -> Outcome:
    """A big export: `params["export"]` names a function (dotted path) `(user, params) -> (name, bytes, type)`
    that reports its own progress; the permission and scope checks are the function's."""
    export = cast(
        Callable[[Any, dict[str, Any]], tuple[str, bytes, str]], import_string(job.params["export"])
    )
    with replica.reads():
        name, data, content_type = export(job.owner, job.params)
    return Outcome(summary=f"已生成 {name}", file_name=name, data=data, content_type=content_type)


RUNNERS: dict[str, Callable[[Job], Outcome]] = {
    JobKind.IMPORT: run_import_job,
    JobKind.REPORT: run_report_job,
    JobKind.REMIND: run_remind_job,
    JobKind.WARM: run_warm_job,
    JobKind.EXPORT: run_export_job,
}
