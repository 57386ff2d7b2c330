import json
from datetime import date, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.models import CalendarYear
from gongzhi.domain.calendar import UnknownYear
from gongzhi.events import rules


class Command(BaseCommand):
    help = "工作日历：计算时限 (due)、录入年份 (load)、查询某日 (day)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        due = sub.add_parser("due", help="打印 N 个工作日时限的截止时间（ISO 8601, +08:00）")
        due.add_argument("--start", required=True, help="如 2026-09-30T10:00:00+08:00")
        due.add_argument("--workdays", type=int, required=True)
        load = sub.add_parser("load", help='录入一年：{"year":2027,"holidays":[...],"workdays":[...],"notice":"..."}')
        load.add_argument("file")
        day = sub.add_parser("day", help="某日是否工作日")
        day.add_argument("when", metavar="DATE")

    def handle(self, *args, sub, **opts):
        try:
            getattr(self, f"do_{sub}")(**opts)
        except UnknownYear as exc:
            raise CommandError(str(exc)) from exc

    def do_due(self, start, workdays, **_):
        try:
            begin = datetime.fromisoformat(start)
        except ValueError as exc:
            raise CommandError(f"--start 不是 ISO 8601 时间: {start}") from exc
        if begin.tzinfo is None:
            raise CommandError("--start 必须带时区，如 +08:00")
        if workdays < 0:
            raise CommandError("--workdays 不能为负数")
        cal = rules.calendar()
        self.stdout.write(cal.due_at(begin, workdays, rules.deadline_rule()).astimezone(cal.tz).isoformat())

    def do_load(self, file, **_):
        try:
            spec = json.loads(Path(file).read_text(encoding="utf-8"))
            year = int(spec["year"])
            days = {k: sorted({date.fromisoformat(d) for d in spec.get(k, [])}) for k in ("holidays", "workdays")}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"无法读取 {file}: {exc}") from exc
        wrong = [d for d in days["holidays"] + days["workdays"] if d.year != year]
        if wrong:
            raise CommandError(f"日期不属于 {year} 年: {', '.join(map(str, wrong))}")
        CalendarYear.objects.update_or_create(year=year, defaults={
            "holidays": [d.isoformat() for d in days["holidays"]],
            "workdays": [d.isoformat() for d in days["workdays"]], "notice": spec.get("notice", "")})
        rules.invalidate()
        self.stdout.write(f"已录入 {year} 年：放假 {len(days['holidays'])} 天，调休上班 {len(days['workdays'])} 天")

    def do_day(self, when, **_):
        try:
            d = date.fromisoformat(when)
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD: {when}") from exc
        self.stdout.write("工作日" if rules.calendar().is_workday(d) else "休息日")
