from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.core.worker import repeat


class Command(BaseCommand):
    help = "倒逼核查：热线工单是否已由网格先行上报，未上报的计为应报未报（可循环运行）"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="核查最近 N 天的热线工单（默认 30）")
        parser.add_argument("--start", type=date.fromisoformat)
        parser.add_argument("--end", type=date.fromisoformat)
        parser.add_argument("--loop", type=float, metavar="SECONDS", help="每隔 SECONDS 秒重新核查最近 N 天")
        parser.add_argument("--reindex", action="store_true",
                            help="先重建网格上报索引（修复：手工改库、删除事件之后；ADR 0017）")
        parser.add_argument("--index-only", action="store_true",
                            help="只把新到的网格上报并入索引，不核查（与核查分开循环：并入只需毫秒）")

    def handle(self, *args, days=30, start=None, end=None, loop=None, reindex=False, index_only=False, **opts):
        from gongzhi.hotline import index
        from gongzhi.hotline.crosscheck import run
        if start and end and start > end:
            raise CommandError("--start 不能晚于 --end")
        if reindex:
            self.stdout.write(str(index.refresh(full=True)))

        if index_only:
            repeat(loop, lambda: self.stdout.write(str(index.refresh())))
            return

        def one_round():
            last = end or timezone.localdate()    # a loop follows the calendar day by day
            self.stdout.write(str(run(start or last - timedelta(days=days - 1), last)))
        repeat(loop, one_round)
