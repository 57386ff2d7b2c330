import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError

from gongzhi.events.sweep import sla_sweep
from gongzhi.mediation.services import remind_sessions


class Command(BaseCommand):
    help = "标记黄灯/红灯、自动上报超期事件并发送调解提醒（可多进程并行、可循环运行）"

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, metavar="SECONDS", help="每隔 SECONDS 秒重复一次")
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args, loop=None, batch=5000, **opts):
        stop = threading.Event()      # SIGTERM finishes the current round, then exits at once
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        failed = 0
        while True:
            t0 = time.perf_counter()
            result = sla_sweep(batch=batch)
            failed += len(result.failed)
            reminded = remind_sessions()          # 调解提醒: sessions in the next 24 hours, once each
            self.stdout.write(f"{result}, reminded={reminded} in {time.perf_counter() - t0:.3f}s")
            if not loop or stop.is_set() or stop.wait(loop):
                break
        if failed:
            raise CommandError(f"{failed} event(s) could not be escalated; see the log")
