from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "批量生成一年的模拟事件（季节性、分类结构、网格偏斜、超期），用于统计大屏与性能测试"

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, required=True)
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-refresh", action="store_true", help="不重建统计表")

    def handle(self, *args, events, days, seed, no_refresh, **opts):
        from tqdm import tqdm

        from gongzhi.stats.generate import generate
        from gongzhi.stats.rollup import refresh
        try:
            with tqdm(total=events, unit="件", desc="生成事件") as bar:
                n = generate(events, end=timezone.localdate(), days=days, seed=seed, progress=bar.update)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已写入 {n} 件事件")
        if not no_refresh:
            res = refresh(full=True, progress=lambda xs: tqdm(xs, desc="重建日统计", unit="维度"))
            self.stdout.write(f"统计表重建完成：{res.days} 天，用时 {res.seconds:.1f}s")
