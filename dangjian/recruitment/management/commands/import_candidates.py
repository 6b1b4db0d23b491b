"""`dangjian import_candidates FILE [--dry-run] [--skip-invalid] [--errors-out PATH] [--json]` (design §4–§5)."""

from __future__ import annotations

from typing import Any

from dangjian.core.commands import ImportCommand
from dangjian.recruitment.importer import CandidateImporter


class Command(ImportCommand):
    help = "导入进行中的发展党员（.xlsx，第一个工作表，第1行为表头；以公民身份号码识别）"

    def make_importer(self, options: dict[str, Any]) -> CandidateImporter:
        return CandidateImporter(actor_name="命令行 import_candidates")
