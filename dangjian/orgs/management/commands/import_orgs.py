"""`dangjian import_orgs FILE [--dry-run] [--skip-invalid] [--errors-out PATH] [--json]` (design §4–§5)."""

from __future__ import annotations

import sys

from dangjian.core.commands import EXIT_REJECTED, ImportCommand, print_json
from dangjian.orgs.importing import ACTOR_NAME, ImportWriteError, OrgImporter


class Command(ImportCommand):
    help = "导入党组织和单位（.xlsx）：按组织代码（未填则按组织名称）新增或更新，行可按任意顺序排列"

    def make_importer(self, options):
        return OrgImporter(actor_name=ACTOR_NAME)

    def handle(self, *args, **options):
        try:
            super().handle(*args, **options)
        except ImportWriteError as exc:
            if options["json"]:
                print_json(
                    self,
                    {
                        "rows": 0,
                        "created": 0,
                        "updated": 0,
                        "unchanged": 0,
                        "rejected": 0,
                        "errors": [{"row": exc.row, "column": "", "value": "", "message": str(exc)}],
                    },
                )
            else:
                self.stderr.write(str(exc))
            sys.exit(EXIT_REJECTED)
