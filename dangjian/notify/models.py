"""Notifications (in-app) and their deliveries over other channels; each delivered at most once."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.orgs.models import Organization


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="相关党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("类别", max_length=20, db_index=True)  # monthly / term / …
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    dedupe_key = models.CharField("去重键", max_length=200)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_once")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    EMAIL = "email", "电子邮件"
    WEBHOOK = "webhook", "群机器人"
    WECOM = "wecom", "企业微信"  # 应用消息 to one person (issue 19 part 3)
    SMS = "sms", "短信"


# The channels that reach one person (chosen in their 通知设置); group robots reach an organisation.
PERSONAL_CHANNELS = (Channel.EMAIL, Channel.WECOM, Channel.SMS)


class WebhookKind(models.TextChoices):
    WECOM = "wecom", "企业微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"


class OrgWebhook(models.Model):
    """A group robot of an organisation (企业微信 / 钉钉); its 月提醒 is posted there."""

    organization = models.OneToOneField(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="webhook"
    )
    kind = models.CharField("类型", max_length=10, choices=WebhookKind.choices, default=WebhookKind.WECOM)
    url = models.URLField("机器人地址", max_length=500)
    secret = models.CharField("加签密钥（钉钉）", max_length=100, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "群机器人"
        verbose_name_plural = "群机器人"

    def __str__(self) -> str:
        return f"{self.organization} {self.get_kind_display()}"


class Delivery(models.Model):
    """One message over one channel to one address, claimed before sending so two runs never both send it; the
    log of that message too: each attempt's result, and when a failed one is tried again (backoff)."""

    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    address = models.CharField("地址", max_length=500)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    dedupe_key = models.CharField("去重键", max_length=200)
    subject = models.CharField("标题", max_length=200)
    payload = models.JSONField("内容", default=dict)
    status = models.CharField(
        "状态",
        max_length=10,
        default="pending",
        choices=[("pending", "待发送"), ("sent", "已发送"), ("failed", "发送失败")],
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    error = models.CharField("错误", max_length=300, blank=True)
    response = models.CharField("接口返回", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_attempt_at = models.DateTimeField("最近尝试时间", null=True, blank=True)
    next_attempt_at = models.DateTimeField("下次重试时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "外部推送"
        verbose_name_plural = "外部推送"
        constraints = [
            models.UniqueConstraint(fields=["channel", "address", "dedupe_key"], name="delivery_once")
        ]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="delivery_recipient_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.subject}"


class Preference(models.Model):
    """A person's 通知偏好: over which channels the notifications that concern them (退回, 通过, 新通知, 月提醒 …)
    also come: e-mail, 企业微信 应用消息, 短信. 站内通知 always arrive."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="notify_preference",
    )
    email_events = models.BooleanField("事项通知同时发送电子邮件", default=True)
    wecom_events = models.BooleanField("同时发送企业微信消息", default=False)
    sms_events = models.BooleanField("同时发送短信", default=False)
    wecom_userid = models.CharField(
        "企业微信账号",
        max_length=64,
        blank=True,
        help_text="企业微信通讯录中的账号（UserID），由本人或管理员填写",
    )
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "通知偏好"
        verbose_name_plural = "通知偏好"

    def __str__(self) -> str:
        return f"{self.user} 通知偏好"
