"""Reads of the 积分超市 for the API and the pages (always through points.scope)."""
from __future__ import annotations

from datetime import date

from django.db.models import Sum
from django.utils import timezone

from gongzhi.core.errors import NotFound
from gongzhi.domain import points as dp
from gongzhi.domain.privacy import mask_name

from . import scope
from .models import Account, Claim, EarnRule, Item, Posting, Redemption


def _has_reversal(p: Posting) -> bool:
    try:
        return p.reversal is not None
    except Posting.DoesNotExist:
        return False


def posting_json(p: Posting) -> dict:
    # The key is not shown: "event:<id>" would tie a resident to a (perhaps confidential) report.
    reversed_ = p.kind == dp.PostingKind.AWARD and _has_reversal(p)
    return {"id": p.id, "seq": p.seq, "kind": p.kind, "kind_label": dp.PostingKind(p.kind).label, "points": p.points,
            "earned_on": p.earned_on, "expires_on": p.expires_on, "reason": p.reason, "at": p.at,
            "reversed": reversed_, "reversible": p.kind == dp.PostingKind.AWARD and not reversed_}


def redemption_json(r: Redemption, *, with_code: bool) -> dict:
    return {"id": r.id, "item": r.item.name, "item_id": r.item_id, "counter": r.counter.name,
            "counter_address": r.counter.address, "qty": r.qty, "points": r.points, "status": r.status,
            "status_label": dp.RedemptionStatus(r.status).label, "valid_until": r.valid_until,
            "created_at": r.created_at, "closed_at": r.closed_at,
            "code": r.code if with_code else None}


def expiring(account: Account | None, within_days: int = 60, today: date | None = None) -> int:
    """Points due to lapse within the next days (what a resident should spend soon), FIFO-counted."""
    if account is None:
        return 0
    from .ledger import lots_of
    today = today or timezone.localdate()
    lots, spent, expired = lots_of(account)
    horizon = date.fromordinal(today.toordinal() + within_days + 1)
    return dp.to_expire(lots, spent=spent, expired=expired, balance=account.balance, today=horizon)


def mine(user) -> dict:
    """A resident's own page: balance, history, soon-expiring points, codes, claims."""
    person = scope.person_of(user)
    account = Account.objects.filter(person=person).first() if person else None
    postings = (Posting.objects.filter(account=account).select_related("reversal").order_by("-seq")[:100]
                if account else [])
    codes = (Redemption.objects.filter(account=account).select_related("item", "counter")[:50] if account else [])
    claims = Claim.objects.filter(person=person).select_related("rule")[:30] if person else []
    return {"person": person, "balance": account.balance if account else 0, "expiring": expiring(account),
            "postings": [posting_json(p) for p in postings],
            "codes": [redemption_json(r, with_code=r.status == dp.RedemptionStatus.PENDING) for r in codes],
            "claims": [claim_json(c) for c in claims],
            "shops": list(scope.shops_for_resident(person).prefetch_related("points")) if person else []}


def shop_items(user) -> list[Item]:
    person = scope.person_of(user)
    return list(Item.objects.filter(shop__in=scope.shops_for_resident(person), active=True)
                .select_related("shop").order_by("shop", "price"))


def claim_json(c: Claim, *, masked: bool = False) -> dict:
    return {"id": c.id, "person": mask_name(c.person.name) if masked else c.person.name, "person_id": c.person_id,
            "rule": c.rule.name, "hours": c.qty, "points": c.rule.points_per_unit * c.qty, "worked_on": c.worked_on,
            "activity": c.activity, "status": c.status, "status_label": dp.ClaimStatus(c.status).label,
            "reason": c.reason, "created_at": c.created_at, "created_by_id": c.created_by_id,
            "decided_by_id": c.decided_by_id}


def claims_queue(user, status: dp.ClaimStatus | None = dp.ClaimStatus.CLAIMED) -> list[Claim]:
    qs = Claim.objects.filter(shop__in=scope.shops_for_manager(user)).select_related("rule", "person")
    return list((qs.filter(status=status) if status else qs)[:200])


def account_detail(user, account_id: int) -> dict:
    acct = scope.visible_accounts(user).select_related("person").filter(pk=account_id).first()
    if acct is None:
        raise NotFound("积分账户不存在或不在您的范围内")
    postings = Posting.objects.filter(account=acct).select_related("reversal").order_by("-seq")[:200]
    return {"account": acct, "id": acct.id, "person": acct.person.name, "balance": acct.balance,
            "postings": [posting_json(p) for p in postings]}


def accounts(user) -> list[Account]:
    if not scope.is_manager(user):
        return []
    return list(scope.visible_accounts(user).select_related("person").order_by("-balance")[:200])


def stock(user) -> list[Item]:
    return list(Item.objects.filter(shop__in=scope.shops_for_manager(user)).select_related("shop"))


def rules() -> list[EarnRule]:
    return list(EarnRule.objects.filter(active=True))


def totals() -> dict:
    """Issued / redeemed / expired / reversed points (the statistics page's figures)."""
    rows = dict(Posting.objects.values("kind").annotate(s=Sum("points")).values_list("kind", "s"))
    return {k.value: abs(rows.get(k.value) or 0) for k in dp.PostingKind}
