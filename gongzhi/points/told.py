"""Who is told what about a resident's points (积分超市, issue 17): registered with notify from
PointsConfig.ready.

The points pillar writes no casework timeline: its record is the ledger, ``points.Posting`` —
append-only, one row per change of points, written in the change's own transaction, with its
actor and time.  That is the outbox the fan-out needs (ADR 0020), so notify reads it as it reads
EventAction, by the row's ``kind`` (获得积分, 兑换扣减, 取消兑换退回, 积分到期, 冲正); the case told of
is the account (``CaseKind.POINTS``).

- 获得积分 (a confirmed hours claim, a vote, a valid report, a patrol), 冲正, 积分到期, and points
  given back for a redemption a manager cancelled or the sweep lapsed: the account's resident,
  on their own page (/points/);
- 兑换扣减 (a redemption: an item to be fetched with a code): the staff of the redemption point
  where it will be fetched, on their counter's page.

The actor is never told of their own act (the resident's own redemption or cancellation, a
walker's patrol points).  What writes no posting tells nobody: an hours claim filed or rejected,
an item handed over.  A message carries the topic, the account's number and the posting's kind —
never the item, the amount's reason or the code.  An account has no number of its own: the
notice names it by its id, as a duty task's does."""
from __future__ import annotations

from gongzhi import notify
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.notify import Topic as T
from gongzhi.domain.points import PostingKind as K
from gongzhi.domain.privacy import Person
from gongzhi.notify.people import users

from .models import Account, Posting, RedemptionPoint
from .scope import counters

MINE = "/points/"
COUNTER = "/points/counter/"


def resident(account: Account, row: Posting) -> list[int]:
    return users(account.person.user_id)


def counter_staff(account: Account, row: Posting) -> list[int]:
    """The staff of the redemption point the redeemed item is to be fetched at."""
    if row.redemption_id is None:
        return []
    point = RedemptionPoint.objects.filter(redemptions__pk=row.redemption_id, active=True)
    return list(point.filter(staff__isnull=False).values_list("staff", flat=True).distinct())


def _people(account: Account) -> list[Person]:
    p = account.person
    return [Person(p.name, p.phone, p.id_number)]


TOLD_RESIDENT = notify.Rule(T.POINTS, resident, link=lambda a: MINE)

RULES = {
    K.AWARD: TOLD_RESIDENT,
    K.REVERSE: TOLD_RESIDENT,
    K.EXPIRE: TOLD_RESIDENT,
    K.REFUND: TOLD_RESIDENT,
    K.REDEEM: notify.Rule(T.POINTS, counter_staff, link=lambda a: COUNTER),
}


def register() -> None:
    notify.register(CaseKind.POINTS, rules=RULES, timeline=Posting, case_field="account_id", action_field="kind",
                    cases=lambda ids: Account.objects.select_related("person").in_bulk(ids),
                    number=lambda a: f"#{a.pk}", link=lambda a: MINE, people=_people,
                    staff=lambda user: bool(counters(user)))      # a counter's staff: told of redemptions
