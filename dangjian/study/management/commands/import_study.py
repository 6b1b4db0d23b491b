from dangjian.core.commands import ImportCommand
from dangjian.study.importing import StudyImporter


class Command(ImportCommand):
    help = (
        "导入学习记录（学习强国等网络学习平台导出的表格）：姓名、公民身份号码、日期、学时、学习内容、学习形式"
    )
    supports_errors_out = True

    def make_importer(self, options):
        return StudyImporter(actor_name="命令行 import_study")
