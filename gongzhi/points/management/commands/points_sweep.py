"""points-sweep: award valid reports (key event:<id>), lapse unfetched redemption codes and expire
points past their validity.  Idempotent and safe on several workers (keys and guarded UPDATEs)."""
from django.core.management.base import BaseCommand

from gongzhi.core.worker import repeat


class Command(BaseCommand):
    help = "积分超市定时任务：有效报事计分、过期兑换码退回、到期积分清零（可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="为最近 N 天内归档的有效报事计分（默认 30）")
        parser.add_argument("--loop", type=float, metavar="SECONDS", help="每隔 SECONDS 秒运行一次")

    def handle(self, *args, days=30, loop=None, **opts):
        from gongzhi.points import services, shop

        def one_round():
            reports = services.award_valid_reports(since_days=days)
            lapsed = shop.lapse_codes()
            expired = services.expire_points()
            self.stdout.write(f"有效报事计分 {reports['awarded']} 条（超上限 {reports['capped']} 条），"
                              f"过期兑换码 {lapsed} 个，积分到期 {expired} 个账户")
        repeat(loop, one_round)
