"""`dangjian similar_records --year Y [--threshold 0.8] [--json]` — near-duplicate 活动记录 (design §4)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from dangjian.core.commands import print_json, usage_error
from dangjian.supervision.services import similar


class Command(BaseCommand):
    help = "疑似雷同记录：找出一年内内容高度相似的组织生活记录（跨组织抄用或同一组织重复使用）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度，如 2026")
        parser.add_argument("--threshold", type=float, default=0.8, help="相似度阈值（0～1，默认 0.8）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        year, threshold = options["year"], options["threshold"]
        if not 1900 <= year <= 2100:
            raise usage_error("--year 不正确，应为四位年份，如 2026")
        if not 0 < threshold <= 1:
            raise usage_error("--threshold 须大于 0 且不超过 1，如 0.8")
        data = similar.pairs_json(year, threshold)
        if options["json"]:
            print_json(self, data)
            return
        pairs = data["pairs"]
        if not pairs:
            self.stdout.write(f"{year} 年未发现相似度不低于 {threshold} 的记录。")
            return
        self.stdout.write(f"{year} 年发现 {len(pairs)} 对疑似雷同记录（相似度不低于 {threshold}）：")
        for p in pairs:
            kind = "同一组织重复使用" if p["a_org"] == p["b_org"] else "跨组织雷同"
            self.stdout.write(
                f"  {p['similarity']:.2f}  记录 {p['a']}（{p['a_org']}）↔ 记录 {p['b']}（{p['b_org']}）  {kind}"
            )
