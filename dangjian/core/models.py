"""The audit log: append-only, each entry chained to the previous by a keyed hash (core.audit)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    """The generic verbs. `core.audit.record` names an entry written with one of them `<model>.<verb>`
    (core.audit_events.default_name); a service that knows what happened passes a named event instead."""

    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除/注销"
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGOUT = "logout", "退出"
    EXPORT = "export", "导出"
    VIEW_SENSITIVE = "view_sensitive", "查看敏感信息"
    PERMISSION = "permission", "权限变更"
    IMPORT = "import", "导入"
    OTHER = "other", "其他"


class AuditQuerySet(models.QuerySet):
    def delete(self):  # noqa: D401 - the log is append-only
        raise PermissionError("审计日志只能追加，不能删除")

    def update(self, **kwargs):
        raise PermissionError("审计日志只能追加，不能修改")


class AuditEntry(models.Model):
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人名称", max_length=150, blank=True)
    # A named event, `<subject>.<verb>` (core.audit_events): member.create, activity.approve, account.login …
    action = models.CharField("操作", max_length=64, db_index=True)
    # Both served by audit_object_idx (model, object_id); single-column copies only slowed every write.
    model = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64, blank=True)
    hash = models.CharField("哈希", max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-id"]
        indexes = [models.Index(fields=["model", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除")

    def get_action_display(self) -> str:
        from .audit_events import label

        return label(self.action, self.model)

    @property
    def verb(self) -> str:
        """The last part of the event name (create, login_failed, approve …), for styling."""
        return self.action.rsplit(".", 1)[-1]


class AuditChainHead(models.Model):
    """A single row holding the latest hash; locked while an entry is appended so the chain never forks.
    `genesis_hash` is the hash of the keyed segment's genesis entry, empty until it is written."""

    last_hash = models.CharField(max_length=64, blank=True)
    count = models.BigIntegerField(default=0)
    genesis_hash = models.CharField("创世记录哈希", max_length=64, blank=True)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"{self.count} 条，链头 {self.last_hash[:12]}"


class DataStamp(models.Model):
    """How many committed writes each tracked table (or table × month) has seen: the version that results cached
    by `core.memo` are keyed by. Written only by database triggers (`core.stamps`), so that bulk inserts, imports
    and restores are counted too. On PostgreSQL each writing transaction counts in its own row (`txn`), so that
    writers never wait for one another; a topic's version is the sum of its rows."""

    topic = models.CharField("数据主题", max_length=80)
    txn = models.BigIntegerField("事务号", default=0)
    n = models.BigIntegerField("写入次数", default=0)

    class Meta:
        verbose_name = "数据版本"
        verbose_name_plural = "数据版本"
        constraints = [models.UniqueConstraint(fields=["topic", "txn"], name="core_datastamp_topic_txn")]

    def __str__(self) -> str:
        return f"{self.topic}@{self.txn}: {self.n}"
