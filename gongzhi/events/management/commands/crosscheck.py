from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "倒逼核查：热线工单是否已由网格先行上报，未上报的计为应报未报"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="核查最近 N 天的热线工单（默认 30）")
        parser.add_argument("--start", type=date.fromisoformat)
        parser.add_argument("--end", type=date.fromisoformat)

    def handle(self, *args, days=30, start=None, end=None, **opts):
        from gongzhi.events.crosscheck import run
        end = end or timezone.localdate()
        start = start or end - timedelta(days=days - 1)
        if start > end:
            raise CommandError("--start 不能晚于 --end")
        self.stdout.write(str(run(start, end)))
