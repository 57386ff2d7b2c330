import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.worker import repeat
from gongzhi.events.sweep import sla_sweep
from gongzhi.mediation.services import remind_sessions
from gongzhi.ops.sweep import sweep_cases


class Command(BaseCommand):
    help = "标记事件、调解案件与法律援助申请的黄灯/红灯，自动上报超期事件并发送调解提醒（可多进程并行、可循环运行）"

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, metavar="SECONDS", help="每隔 SECONDS 秒重复一次")
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--full", action="store_true", help="每一轮都检查全部在途时限（默认只查上一轮以来到期的）")

    def handle(self, *args, loop=None, batch=5000, full=False, **opts):
        failed = []
        # A full round (every threshold ever passed, core.sweep) first and then every
        # GONGZHI_SWEEP_FULL_EVERY seconds; the rounds between read only what fell since the last.
        last_full = [None]

        def one_round():
            t0 = time.perf_counter()
            whole = full or last_full[0] is None or t0 - last_full[0] >= settings.GONGZHI_SWEEP_FULL_EVERY
            if whole:
                last_full[0] = t0
            result = sla_sweep(batch=batch, full=whole)
            failed.extend(result.failed)
            cases = " ".join(f"{name}: yellow={y} red={r}"
                             for name, (y, r) in sweep_cases(batch=batch, full=whole).items())
            reminded = remind_sessions()          # 调解提醒: sessions in the next 24 hours, once each
            self.stdout.write(f"{result}, {cases}, reminded={reminded} in {time.perf_counter() - t0:.3f}s")
        repeat(loop, one_round)
        if failed:
            raise CommandError(f"{len(failed)} event(s) could not be escalated; see the log")
