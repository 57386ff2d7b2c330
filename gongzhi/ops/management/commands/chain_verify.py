"""chain-verify: walk every registered hash chain (ballots, points postings, credit entries…) and
name the first broken link of each; exit non-zero when any chain is broken, so cron or a monitor
can alert on it."""
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "核验所有哈希链（票决选票、积分流水、信用记录等），指出每条链第一个断裂的位置"

    def handle(self, *args, **opts):
        from gongzhi.core.chain import verify_all
        from gongzhi.points import checks as points_checks

        findings = verify_all()
        bad = 0
        for f in findings:
            if f.broken_at is None:
                self.stdout.write(f"OK      {f.label} [{f.chain}] {f.rows} 条")
            else:
                bad += 1
                self.stdout.write(f"BROKEN  {f.label} [{f.chain}] {f.rows} 条，第 {f.broken_at} 条起断裂")
        extra = points_checks.problems()
        for text in extra:
            self.stdout.write(f"BROKEN  {text}")
        if not findings:
            self.stdout.write("没有登记的哈希链")
        if bad or extra:
            raise CommandError(f"{bad + len(extra)} 处断裂或不符")
        self.stdout.write(f"全部 {len(findings)} 条链完好")
