"""The points ledger's one write, and its verification.

``post`` locks the account's row (so the balance, cap and expiry checks read numbers no concurrent
posting of that account is moving), then takes the next link of the ``points`` chain
(``core.chain.append``, which locks the chain's head), writes the posting and moves the cached
balance, all in one transaction: the posting, its link and the balance commit together or not at
all.  Lock order everywhere: item → account → chain head (a redemption locks its item first)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from gongzhi.core import chain
from gongzhi.core.errors import Conflict, Invalid
from gongzhi.domain import points as dp

from .models import CHAIN, Account, Posting


@dataclass(frozen=True)
class Entry:
    """What a posting says; two posts with one key must say the same (idempotency)."""

    kind: dp.PostingKind
    points: int
    earned_on: date
    rule_id: int | None = None
    qty: int = 0
    expires_on: date | None = None
    reason: str = ""
    reverses_id: int | None = None
    redemption_id: int | None = None

    def same_as(self, p: Posting, account: Account) -> bool:
        return (p.account_id, p.kind, p.points, p.earned_on, p.rule_id, p.qty, p.expires_on, p.reverses_id,
                p.redemption_id) == (account.pk, self.kind, self.points, self.earned_on, self.rule_id, self.qty,
                                     self.expires_on, self.reverses_id, self.redemption_id)


def account_for(person) -> Account:
    """The person's account, opened on first use (a concurrent first use finds the other's row)."""
    acct = Account.objects.filter(person=person).first()
    if acct is not None:
        return acct
    try:
        with transaction.atomic():
            return Account.objects.create(person=person)
    except IntegrityError:
        return Account.objects.get(person=person)


def post(account: Account, key: str, entry: Entry, *, actor, at: datetime,
         check: Callable[[Account], None] | None = None) -> tuple[Posting, bool]:
    """(the posting, whether it is new).  The same key with the same entry: the posting already
    made; another entry: 409 ``key_reused``.  ``check`` runs under the account's lock after the key
    is known new (a daily cap); a debit that would take the balance below zero: 409."""
    if entry.points == 0:
        raise Invalid("积分不能为 0")
    with transaction.atomic():
        acct = Account.objects.select_for_update().get(pk=account.pk)
        seen = Posting.objects.filter(key=key).first()
        if seen is not None:
            if not entry.same_as(seen, acct):
                raise Conflict(str(dp.KeyReused(key)), code="key_reused")
            return seen, False
        try:
            if check is not None:
                check(acct)
            if entry.points < 0:
                dp.check_debit(acct.balance, -entry.points)
        except dp.CapReached as exc:
            raise Conflict(str(exc), code="daily_cap") from exc
        except dp.WouldGoNegative as exc:
            raise Conflict(str(exc), code="insufficient_points") from exc
        row = Posting(account=acct, key=key, kind=entry.kind, points=entry.points, rule_id=entry.rule_id,
                      qty=entry.qty, earned_on=entry.earned_on, expires_on=entry.expires_on,
                      reason=entry.reason, reverses_id=entry.reverses_id, redemption_id=entry.redemption_id,
                      actor=actor if actor is not None and actor.is_authenticated else None, at=at)
        row.seq, row.prev_hash, row.hash = chain.append(CHAIN, row.chain_fields())
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as exc:
            raise Conflict("该笔积分已记账或正被另一操作处理，请刷新后重试", code="concurrent_posting") from exc
        Account.objects.filter(pk=acct.pk).update(balance=F("balance") + entry.points)
    return row, True


def awarded_on(account: Account, rule_id: int, day: date) -> int:
    """Points of one rule awarded to the account for one earning day (reversals do not give the cap back)."""
    return Posting.objects.filter(account=account, rule_id=rule_id, earned_on=day,
                                  kind=dp.PostingKind.AWARD).aggregate(s=Sum("points"))["s"] or 0


def lots_of(account: Account) -> tuple[list[dp.Lot], int, int]:
    """(lots, spent, expired) of an account, as ``domain.points.to_expire`` reads them."""
    lots, spent, expired = [], 0, 0
    for kind, points, expires in Posting.objects.filter(account=account).values_list("kind", "points", "expires_on"):
        k = dp.PostingKind(kind)
        if k in (dp.PostingKind.AWARD, dp.PostingKind.REVERSE):
            lots.append(dp.Lot(expires, points))
        elif k is dp.PostingKind.EXPIRE:
            expired -= points
        else:                       # redeem (-) and refund (+)
            spent -= points
    return lots, spent, expired


def chain_rows(name: str):
    return Posting.objects.order_by("seq").iterator(chunk_size=2000)


def balance_mismatches() -> list[int]:
    """Accounts whose cached balance is not the sum of their postings (an edit behind the ledger)."""
    sums = dict(Posting.objects.values("account").annotate(s=Sum("points")).values_list("account", "s"))
    return [pk for pk, bal in Account.objects.values_list("pk", "balance") if bal != sums.get(pk, 0)]
