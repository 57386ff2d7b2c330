import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "导入 12345 热线工单（.xlsx 或 CSV；按工单编号幂等，可重复导入；被拒的行写入 *.rejected.csv）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--map", help='列名映射 JSON，如 {"number": "工单号", "content": "来电内容"}')

    def handle(self, *args, file, map=None, **opts):
        from tqdm import tqdm

        from gongzhi.hotline import orders as hotline
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{file}")
        try:
            mapping = json.loads(map) if map else None
        except json.JSONDecodeError as exc:
            raise CommandError(f"--map 不是合法的 JSON：{exc}") from exc
        try:
            with tqdm(desc="导入工单", unit="行") as bar:
                report = hotline.import_file(path, mapping, progress=bar.update)
        except hotline.FileError as exc:
            raise CommandError(str(exc)) from exc
        rejected = report.count("rejected")
        self.stdout.write(f"共 {report.total} 行：新建 {report.count('created')}，"
                          f"已导入未变 {report.count('unchanged')}，拒绝 {rejected}")
        if rejected:
            out = path.with_suffix(path.suffix + ".rejected.csv")
            hotline.write_rejected(report, out)
            self.stdout.write(f"被拒的行及原因：{out}")
