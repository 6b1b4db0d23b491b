"""`dangjian worker` — run the jobs (imports, reports, exports, 月提醒, warm-up) queued by the web pages: the
database queue's `db_worker` by default, RQ's worker on Redis when `REDIS_URL` is set. Extra options pass on."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "运行后台任务进程：处理网页提交的导入、报告、导出、月提醒和缓存预热任务（未设置 REDIS_URL 时使用数据库队列）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="处理完当前队列中的任务后退出")

    def handle(self, *args, **options):
        from dangjian.jobs.services import reclaim_stale

        # the jobs a worker that died (with this machine, say) left running are queued again first
        again = reclaim_stale()
        if again:
            self.stderr.write(f"已将 {again} 个中断的后台任务重新排队")
        backend = str(settings.TASKS["default"]["BACKEND"])
        if backend.startswith("django_tasks_rq"):
            extra = {"burst": True} if options["batch"] else {}
            call_command("rqworker", "default", job_class="django_tasks_rq.Job", **extra)
        else:
            call_command(
                "db_worker", batch=options["batch"], startup_delay=not options["batch"], reload=False
            )
