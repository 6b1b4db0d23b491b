"""`dangjian import_activities FILE [--dry-run] [--skip-invalid] [--errors-out PATH] [--json]` (design §4)."""

from __future__ import annotations

from typing import Any

from dangjian.activities.importer import ActivityImporter
from dangjian.core.commands import ImportCommand


class Command(ImportCommand):
    help = "导入组织生活台账（.xlsx）：党组织、活动类型、日期、主题、主持人、应到人数、实到人数、缺席人员及原因、内容摘要"

    def make_importer(self, options: dict[str, Any]) -> ActivityImporter:
        return ActivityImporter(actor_name="命令行导入台账")
