"""``gongzhi duty_tasks``: generate (or bring up to date) the month's 清单任务 — run daily: a rerun
adds what is missing, hands open tasks to a grid's new holder and withdraws those whose object
left the list (gridwork.services.generate); the sweep marks the ones past due."""
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.core.errors import ServiceError
from gongzhi.gridwork.services import generate


class Command(BaseCommand):
    help = "生成本月（或指定月份）的网格清单任务；可每天运行，重复运行只补缺"

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM（默认本月）")

    def handle(self, *args, month=None, **opts):
        today = timezone.localdate()
        try:
            year, mon = (int(x) for x in month.split("-")) if month else (today.year, today.month)
            if not 1 <= mon <= 12:
                raise ValueError(month)
        except ValueError as exc:
            raise CommandError("月份格式应为 YYYY-MM") from exc
        try:
            self.stdout.write(str(generate(year=year, month=mon)))
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
