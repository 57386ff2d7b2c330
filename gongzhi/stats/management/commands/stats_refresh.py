from django.core.management.base import BaseCommand

from gongzhi.core.worker import repeat
from gongzhi.stats.rollup import refresh


class Command(BaseCommand):
    help = "把新的办理记录按差额汇入日统计表（--full 由原始事件全量重建，即修复；--loop 循环运行）"

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true")
        parser.add_argument("--loop", type=float, metavar="SECONDS")

    def handle(self, *args, full=False, loop=None, **opts):
        rounds = iter([full])                     # --full rebuilds once; later rounds are incremental

        def one_round():
            res = refresh(full=next(rounds, False))
            self.stdout.write(f"{'全量' if res.full else '增量'}：{res.days} 天，{res.actions} 条新记录，"
                              f"{res.events} 件事件，{res.seconds:.3f}s")
        repeat(loop, one_round)
