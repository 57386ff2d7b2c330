import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from gongzhi.accounts.models import ApiToken
from gongzhi.areas.models import Area


class Command(BaseCommand):
    help = "建立演示城区（芗城区：3个街道×4个社区×3个网格、各角色用户、一个月的模拟事件）并启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--fresh", action="store_true", help="删除现有演示数据库后重建")
        parser.add_argument("--no-serve", action="store_true", help="只建数据，不启动服务")
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--per-day", type=int, default=12)

    def handle(self, *args, host, port, fresh, no_serve, days, per_day, **opts):
        console = Console()
        db = settings.DATABASES["default"]
        if fresh and db["ENGINE"].endswith("sqlite3") and os.path.exists(db["NAME"]):
            from django.db import connection
            connection.close()
            os.remove(db["NAME"])
        call_command("migrate", verbosity=0)
        if not Area.objects.exists():
            self._build(console, days, per_day)
        else:
            console.print("[yellow]已有数据，直接启动（--fresh 可重建）[/]")
        self._print_logins(console, host, port)
        if no_serve:
            return
        # DEBUG is off here as on a server (config/settings.py): static files are collected and
        # WhiteNoise serves them, errors are the Chinese pages, the secret key is the machine's.
        call_command("collectstatic", interactive=False, verbosity=0)
        cmd = [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port),
               "--workers", "1", "--blocking-threads", "4", "config.wsgi:application"]
        env = dict(os.environ)
        if host not in settings.ALLOWED_HOSTS and host not in {"0.0.0.0", "::"}:
            env["GONGZHI_ALLOWED_HOSTS"] = ",".join([*settings.ALLOWED_HOSTS, host])
        elif host in {"0.0.0.0", "::"} and "GONGZHI_ALLOWED_HOSTS" not in os.environ:
            console.print("[yellow]其他电脑访问时，请用 GONGZHI_ALLOWED_HOSTS 列出本机的地址或域名[/]")
        # The one worker a real deployment runs beside the web server (ADR 0020: the task queue and
        # its schedule — notifications, deadlines and session reminders, statistics, the 倒逼
        # cross-check), sending through local fake SMS/WeChat/mail gateways: nothing leaves the machine.
        gw_port = port + 25
        fakes = {"GONGZHI_NOTIFY_SMS_URL": f"http://127.0.0.1:{gw_port}/sms",
                 "GONGZHI_NOTIFY_SMS_SECRET": "demo-secret",
                 "GONGZHI_NOTIFY_WECHAT_URL": f"http://127.0.0.1:{gw_port}/wechat",
                 "GONGZHI_NOTIFY_WECHAT_TOKEN": "demo", "GONGZHI_NOTIFY_SMTP": f"127.0.0.1:{gw_port + 1}"}
        workers = [subprocess.Popen([sys.executable, "-m", "gongzhi.cli", *args], cwd=settings.BASE_DIR,
                                    env={**env, **fakes}, stdout=subprocess.DEVNULL)
                   for args in (["fake_gateways", "--port", str(gw_port), "--smtp-port", str(gw_port + 1)],
                                ["worker"])]
        console.print(f"[bold green]服务已启动：http://{host}:{port}/  （Ctrl+C 退出）[/]  "
                      f"后台：gongzhi worker（通知、时限、统计、倒逼核查）；短信/微信/邮件发往本机假网关 "
                      f"127.0.0.1:{gw_port}，记录在 {settings.VAR_DIR}/fake-gateway.jsonl")
        # A SIGTERM ends the demo like Ctrl+C, so the workers below are stopped with it.
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        try:
            subprocess.run(cmd, check=True, cwd=settings.BASE_DIR, env=env)
        except KeyboardInterrupt:
            pass
        except subprocess.CalledProcessError as exc:
            raise CommandError(f"granian exited with {exc.returncode}") from exc
        finally:
            for w in workers:
                w.terminate()

    def _build(self, console, days, per_day):
        from datetime import timedelta

        from django.db import transaction
        from django.utils import timezone

        from gongzhi.demo.cases import simulate_cases
        from gongzhi.demo.casework import build_casework
        from gongzhi.demo.corrections import build_corrections
        from gongzhi.demo.court import build_court
        from gongzhi.demo.credit import build_credit
        from gongzhi.demo.district import build_district
        from gongzhi.demo.funds import build_funds
        from gongzhi.demo.gridwork import build_gridwork
        from gongzhi.demo.patrols import build_patrols
        from gongzhi.demo.points import build_points
        from gongzhi.demo.reference import build_reference
        from gongzhi.demo.registry import build_registry, link_demo_cases
        from gongzhi.demo.simulate import simulate
        from gongzhi.demo.votes import build_votes
        from gongzhi.events.classify import training_examples
        from gongzhi.hotline.crosscheck import run as crosscheck
        from gongzhi.stats.rollup import refresh
        from gongzhi.textclass.service import retrain
        t0 = time.perf_counter()
        with transaction.atomic():
            build_reference()
            district = build_district()
            stats_registry = build_registry(district)     # 人房物事情组织: before the pillars that read it
            build_casework(district)
            build_corrections(district)
            build_court(district)
            build_funds(district)
            build_points(district)
            build_credit(district)
            build_votes(district)         # 出卷票决: after the registry (its households vote)
            build_patrols(district)
        with Progress(console=console) as progress:
            task = progress.add_task("模拟一个月的事件", total=days * per_day)
            stats = simulate(district, days=days, per_day=per_day,
                             progress=lambda done, total: progress.update(task, completed=done))
        with transaction.atomic():
            stats.update(simulate_cases(district))
            stats.update(stats_registry, registry_links=link_demo_cases(district))
        with transaction.atomic():       # 清单化: two months of duty tasks walked day by day
            stats.update(build_gridwork(district, days=days))
        from gongzhi.demo.notify import build_notify
        stats.update(build_notify())      # issue 17: each role's notifications of the month (in-app)
        refresh(full=True)
        console.print(str(crosscheck(timezone.localdate() - timedelta(days=days), timezone.localdate())))
        try:
            model = retrain(training_examples())
            console.print(f"分类模型已训练：{model.describe()['heads']['category']['examples']} 条已确认事件")
        except ValueError as exc:
            console.print(f"分类模型未训练：{exc}")
        console.print(f"演示数据已建成（{time.perf_counter() - t0:.1f}s）：" +
                      "，".join(f"{k}={v}" for k, v in sorted(stats.items())))

    def _casework_logins(self):
        from gongzhi.legalaid.models import Lawyer, Office
        from gongzhi.mediation.models import Mediator
        table = Table(title="多元调处、法律援助与社区矫正账号（密码均为 gongzhi123）")
        for col in ("用户名", "身份", "所属"):
            table.add_column(col)
        for m in Mediator.objects.filter(user__isnull=False).select_related("user", "org").order_by("org__code"):
            table.add_row(m.user.username, m.get_level_display(), m.org.name)
        for o in Office.objects.prefetch_related("staff"):
            for u in o.staff.all():
                table.add_row(u.username, "法律援助工作人员", o.name)
        for lw in Lawyer.objects.filter(user__isnull=False).select_related("user"):
            table.add_row(lw.user.username, "援助律师", lw.firm)
        from gongzhi.corrections.models import Agency
        for a in Agency.objects.prefetch_related("staff").select_related("head"):
            for u in a.staff.all():
                table.add_row(u.username, "社区矫正机构负责人" if u.pk == a.head_id else
                              "社区矫正机构工作人员" if a.parent_id is None else "司法所工作人员", a.name)
        from gongzhi.court.models import Member
        for m in Member.objects.select_related("user", "court").order_by("court__code", "role", "user__username"):
            table.add_row(m.user.username, f"速裁团队{m.get_role_display()}", m.court.name)
        from gongzhi.funds.models import Fund
        for f in Fund.objects.prefetch_related("makers", "checkers"):
            for u in f.makers.all():
                table.add_row(u.username, "三金经办人", f.name)
            for u in f.checkers.all():
                table.add_row(u.username, "三金复核人", f.name)
        from gongzhi.points.models import RedemptionPoint, Shop
        for shop in Shop.objects.prefetch_related("managers"):
            for u in shop.managers.all():
                table.add_row(u.username, "积分超市管理员", shop.name)
        for point in RedemptionPoint.objects.prefetch_related("staff").select_related("shop"):
            for u in point.staff.all():
                table.add_row(u.username, "兑换点工作人员", str(point))
        from gongzhi.credit.models import Office, Scene
        for office in Office.objects.prefetch_related("officers").select_related("community"):
            for u in office.officers.all():
                table.add_row(u.username, "信用专员", office.community.name)
        for scene in Scene.objects.prefetch_related("operators"):
            for u in scene.operators.all():
                table.add_row(u.username, "激励场景核验员", scene.name)
        return table

    def _print_logins(self, console, host, port):
        from django.contrib.auth import get_user_model

        from gongzhi.accounts.models import RoleAssignment
        table = Table(title="演示账号（密码均为 gongzhi123）")
        table.add_column("用户名")
        table.add_column("角色")
        table.add_column("范围")
        seen = set()
        for ra in RoleAssignment.objects.select_related("user", "area", "department").order_by("id"):
            if ra.user.username in seen:
                continue
            seen.add(ra.user.username)
            where = ra.area.name if ra.area else ra.department.name if ra.department else "全区"
            table.add_row(ra.user.username, ra.get_role_display(), str(where))
        console.print(table)
        console.print(self._casework_logins())
        base = f"http://{host}:{port}"
        console.print(f"首页        {base}/\n接口文档    {base}/api/docs\n"
                      f"管理后台    {base}/admin/  (admin / gongzhi123)")
        admin = get_user_model().objects.get(username="admin")
        ApiToken.objects.filter(user=admin, name="demo").delete()   # a fresh token each start
        console.print(f"接口令牌    Authorization: Bearer {ApiToken.issue(admin, 'demo')}  (admin)")
        console.print(f"用户数 {get_user_model().objects.count()}")
