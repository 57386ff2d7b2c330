"""随机抽查回访: draw a day's call-back list (events.revisit), yesterday by default."""
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.events.revisit import revisit_draw


class Command(BaseCommand):
    help = "Draw the random call-back list of the events answered on a day (default: yesterday, Shanghai)"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD, the day the events were answered")

    def handle(self, *args, **opts):
        try:
            day = date.fromisoformat(opts["date"]) if opts["date"] else timezone.localdate() - timedelta(days=1)
        except ValueError as exc:
            raise CommandError("--date must be YYYY-MM-DD") from exc
        d, created = revisit_draw(day=day)
        self.stdout.write(f"{day}: {'drawn' if created else 'already drawn'}, seed {d.seed}, "
                          f"{d.picks.count()} of {d.candidates} answered events to call back")
