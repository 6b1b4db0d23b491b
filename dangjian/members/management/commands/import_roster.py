"""`dangjian import_roster FILE [--dry-run] [--skip-invalid] [--errors-out PATH] [--json]` (design §4)."""

from __future__ import annotations

from typing import Any

from dangjian.core.commands import ImportCommand
from dangjian.members.roster import RosterImporter


class Command(ImportCommand):
    help = "导入党员名册（.xlsx，第一个工作表，第1行为表头；以公民身份号码识别党员）"

    def make_importer(self, options: dict[str, Any]) -> RosterImporter:
        return RosterImporter(actor_name="命令行 import_roster")
