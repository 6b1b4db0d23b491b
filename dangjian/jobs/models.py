"""A job: long work (an import, the yearly report, a big export, 月提醒, the cache warm-up) run by the task
worker instead of the web request, with its progress (stage, done / total), its error and its result."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.core.files import StoredFile


class JobKind(models.TextChoices):
    IMPORT = "import", "导入"
    REPORT = "report", "年度分析报告"
    EXPORT = "export", "导出"
    REMIND = "remind", "月提醒"
    WARM = "warm", "缓存预热"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "完成"
    FAILED = "failed", "失败"


FINISHED = (JobStatus.DONE, JobStatus.FAILED)


class JobFile(StoredFile):
    """A file a job produced (a report, an export): downloaded only by the job's owner."""

    class Meta(StoredFile.Meta):
        verbose_name = "任务结果文件"
        verbose_name_plural = "任务结果文件"


class Job(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="jobs"
    )
    kind = models.CharField("类型", max_length=20, choices=JobKind.choices)
    title = models.CharField("名称", max_length=200)
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    stage = models.CharField("当前阶段", max_length=100, blank=True, default="")
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    error = models.TextField("错误信息", blank=True, default="")
    summary = models.TextField("结果摘要", blank=True, default="")
    result_url = models.CharField("结果页面", max_length=300, blank=True, default="")
    result_file = models.ForeignKey(
        JobFile, verbose_name="结果文件", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task_id = models.CharField("队列任务编号", max_length=64, blank=True, default="")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    # The worker running the job touches this while it runs; a job that stops being touched lost its worker
    # (killed, the machine restarted) and is queued again (`services.reclaim_stale`).
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="jobs_owner_created")]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))
