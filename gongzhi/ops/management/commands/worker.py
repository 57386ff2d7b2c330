import logging

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("运行后台任务：消息通知的投递与重试，以及定时任务（时限巡检、统计汇总、应报未报核查，"
            "原 sla-sweep / stats-refresh / crosscheck 的 --loop）")

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2, help="并发执行任务的线程数（默认 2）")
        parser.add_argument("--no-periodic", action="store_true", help="只执行队列中的任务，不运行定时任务")
        parser.add_argument("--list", dest="list_only", action="store_true", help="列出定时任务后退出")

    def handle(self, *args, workers=2, no_periodic=False, list_only=False, **opts):
        from huey.consumer import Consumer

        from gongzhi.notify.queue import huey, schedule
        from gongzhi.ops import periodic  # registers the loops before the queue is made
        if list_only:
            for name, minutes in schedule().items():
                self.stdout.write(f"{name}\t每 {minutes} 分钟")
            return
        # gongzhi's loggers go where config/settings.py LOGGING sends them; huey's consumer lines
        # (task started, executed, retried) to this process's stderr.
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logging.getLogger("huey").addHandler(handler)
        logging.getLogger("huey").setLevel(logging.INFO)
        h = huey()
        self.stdout.write(f"队列：{type(h).__name__}；定时任务：{', '.join(schedule())}")
        if not no_periodic:
            # As `sla-sweep --loop` did: a full round when the worker starts (whatever fell while
            # no worker ran), then rounds since the mark.
            try:
                self.stdout.write(periodic.sla_sweep_full())
            except Exception:           # a failing round must not keep the queue from running
                logging.getLogger("gongzhi.worker").exception("the starting full sweep failed")
        # Threads: tasks wait on the network (gateways) and the database, not the CPU; a SIGTERM
        # lets running tasks finish (huey's graceful stop), as the --loop commands did.
        Consumer(h, workers=workers, worker_type="thread", periodic=not no_periodic, check_worker_health=True).run()
