from django.core.management.base import BaseCommand, CommandError

from gongzhi.areas.services import ImportFailed, import_file


class Command(BaseCommand):
    help = "从 GeoJSON 导入区域/网格（按 code 新增或更新，出错则全部不导入）"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **opts):
        try:
            report = import_file(file)
        except ImportFailed as exc:
            raise CommandError("导入失败，未保存任何数据：\n" + "\n".join(exc.report.errors)) from exc
        self.stdout.write(f"导入完成：新增 {report.created}，更新 {report.updated}")
