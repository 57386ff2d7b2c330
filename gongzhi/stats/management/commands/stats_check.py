from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "抽样核对日统计表与原始事件（区域×日×维度），发现不一致时以非零状态退出；修复：stats-refresh --full"

    def add_arguments(self, parser):
        parser.add_argument("--sample", type=int, default=200, metavar="N", help="抽查的单元数")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, sample=200, seed=None, **opts):
        from gongzhi.stats.check import check
        res = check(sample=sample, seed=seed)
        if not res.built:
            raise CommandError("日统计表尚未建立：先运行 stats-refresh")
        for drift in res.drifts[:50]:
            self.stdout.write(str(drift))
        if res.drifts:
            raise CommandError(f"抽查 {res.cells} 个单元，{len(res.drifts)} 处不一致（修复：stats-refresh --full）")
        self.stdout.write(f"抽查 {res.cells} 个单元，全部一致")
