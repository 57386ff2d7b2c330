"""Import a district's registry sheet (.xlsx or CSV in UTF-8/GBK) with a progress bar; the rejected
rows (row number and reason) are printed and can be written to a CSV with --rejected."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from gongzhi.core.errors import ServiceError
from gongzhi.domain.registry import ImportKind
from gongzhi.registry.imports import rejected_csv, run_import


class Command(BaseCommand):
    help = "导入实有人口或场所登记表（.xlsx / CSV），重复导入不会重复登记"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--user", required=True, help="以该账号的身份和辖区导入")
        parser.add_argument("--kind", default=ImportKind.PEOPLE, choices=[k.value for k in ImportKind])
        parser.add_argument("--grid", default="", help="表中未填写网格时使用的网格编码")
        parser.add_argument("--map", dest="columns", action="append", default=[], metavar="表头=字段",
                            help="本地表头对应的字段，如 --map 户主姓名=name")
        parser.add_argument("--rejected", default="", help="把未导入的行写入该 CSV 文件")

    def handle(self, *args, path, user, kind, grid, columns, rejected, **opts):
        console = Console()
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"账号不存在：{user}")
        mapping = dict(m.split("=", 1) for m in columns if "=" in m)
        content = Path(path).read_bytes()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=console) as progress:
            task = progress.add_task(f"导入 {Path(path).name}", total=None)
            try:
                run = run_import(actor=actor, kind=ImportKind(kind), filename=Path(path).name, content=content,
                                 grid_code=grid, mapping=mapping,
                                 progress=lambda done, total: progress.update(task, completed=done, total=total))
            except ServiceError as exc:
                raise CommandError(f"{exc.message} {exc.fields or ''}") from exc
        console.print(f"导入记录 #{run.pk}（{run.encoding}）：数据行 {run.rows}，新增 {run.created}，"
                      f"更新 {run.updated}，无变化 {run.unchanged}，未导入 {len(run.rejected)}，空行 {run.blank}")
        if run.unknown_headers:
            console.print(f"未识别的列（未导入）：{'、'.join(run.unknown_headers)}")
        for r in run.rejected[:50]:
            console.print(f"  第 {r['row']} 行：{r['reason']}")
        if len(run.rejected) > 50:
            console.print(f"  …… 另有 {len(run.rejected) - 50} 行，见 --rejected 文件或导入页面")
        if rejected:
            Path(rejected).write_bytes(rejected_csv(run))
