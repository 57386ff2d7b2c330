"""What the fan-out told, round by round: the walks of tests/notify/test_pillar_rules.py and
test_votes_points_told.py share it."""
from __future__ import annotations

from collections import defaultdict

from django.db.models import Max
from django.utils import timezone

from gongzhi.casework.models import CaseLog
from gongzhi.notify import registry
from gongzhi.notify.fanout import fanout
from gongzhi.notify.models import Notification
from gongzhi.points.models import Posting

# The timelines the pillars' notices come from, and the column naming what happened on each.
ACTION_OF = {CaseLog._meta.db_table: (CaseLog, "action"), Posting._meta.db_table: (Posting, "kind")}


class Told:
    """The fan-out, one round per step: {(kind, action): [usernames]} of what it told."""

    def __init__(self):
        fanout(now=timezone.now())           # the marks: what the builders did is history
        self.last = Notification.objects.aggregate(m=Max("id"))["m"] or 0
        self.walked: set[tuple[str, str]] = set()

    def __call__(self) -> dict:
        fanout(now=timezone.now())
        notes = list(Notification.objects.filter(id__gt=self.last).select_related("user"))
        self.last = max([self.last, *(n.id for n in notes)])
        rows = {source: model.objects.in_bulk([n.source_id for n in notes if n.source == source])
                for source, (model, _) in ACTION_OF.items()}
        out = defaultdict(set)
        for n in notes:
            action = getattr(rows[n.source][n.source_id], ACTION_OF[n.source][1])
            out[(n.kind, action)].add(n.user.username)
            self.walked.add((n.kind, action))
        return {k: sorted(v) for k, v in out.items()}

    def missing(self, kinds: set[str]) -> set:
        return {(k, a) for k, a, _ in registry.table() if k in kinds} - self.walked
