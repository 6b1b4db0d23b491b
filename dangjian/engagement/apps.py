from django.apps import AppConfig


class EngagementConfig(AppConfig):
    """The member's side (design §3: above activities and honors): QR 签到 for now."""

    name = "dangjian.engagement"
    verbose_name = "党员参与"
