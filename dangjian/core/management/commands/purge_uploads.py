"""`dangjian purge_uploads [--json]` — delete import uploads never confirmed within a day (run from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from dangjian.core.commands import print_json
from dangjian.core.import_views import UNCONFIRMED_MAX_AGE_SECONDS, purge_unconfirmed_uploads


class Command(BaseCommand):
    help = "删除上传后超过一天仍未确认导入的文件（含党员身份证号等个人信息）"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        deleted = purge_unconfirmed_uploads(UNCONFIRMED_MAX_AGE_SECONDS)
        if options["json"]:
            print_json(self, {"deleted": deleted})
        else:
            self.stdout.write(f"已删除 {deleted} 个超过一天未确认的导入文件")
