"""The shop's use cases: redeem an item for a one-time code, hand it over at the counter, cancel,
lapse codes nobody fetched, keep stock.

Stock never goes below zero under concurrency: a redemption takes one with a guarded
``UPDATE item SET stock = stock - n WHERE id = … AND stock >= n`` (the row lock it takes orders the
rivals; the loser sees 0 rows and is told the item is gone), then debits the points under the
account's lock (``points.ledger.post``), all in one transaction.  Cancelling gives both back."""
from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound
from gongzhi.domain import points as dp

from . import ledger, scope
from .ledger import Entry
from .limits import limits
from .models import Item, Redemption, RedemptionPoint
from .services import local_day

S = dp.RedemptionStatus


def redeem(*, actor, item_id: int, counter_id: int, qty: int = 1, client_key: str | None = None,
           now: datetime | None = None) -> tuple[Redemption, bool]:
    """兑换: a resident spends points on an item of a shop serving them, to be fetched at one of the
    shop's redemption points with the code shown to them.  A retry with the same client key returns
    the first redemption (and its code)."""
    person = scope.person_of(actor)
    if person is None:
        raise Forbidden("只有登记在册的居民可以兑换")
    account = ledger.account_for(person)
    if client_key:
        seen = Redemption.objects.filter(account=account, client_key=client_key).first()
        if seen is not None:
            return seen, False
    item = Item.objects.select_related("shop").filter(pk=item_id, active=True, shop__active=True).first()
    if item is None or not scope.shops_for_resident(person).filter(pk=item.shop_id).exists():
        raise NotFound("商品不存在或不在您所在社区的积分超市")
    counter = RedemptionPoint.objects.filter(pk=counter_id, shop_id=item.shop_id, active=True).first()
    if counter is None:
        raise Invalid("请选择该积分超市的兑换点", fields={"counter": "兑换点无效"})
    if not isinstance(qty, int) or not 1 <= qty <= 10:
        raise Invalid("数量应为 1 到 10", fields={"qty": "数量无效"})
    now = now or timezone.now()
    price = item.price * qty
    for _attempt in range(5):            # a code collision (25^8 codes) is retried with a new one
        try:
            with transaction.atomic():
                if Item.objects.filter(pk=item.pk, stock__gte=qty).update(stock=F("stock") - qty) != 1:
                    raise Conflict(f"{item.name}库存不足", code="out_of_stock")
                row = Redemption.objects.create(
                    account=account, item=item, counter=counter, qty=qty, points=price,
                    code=dp.new_code(limits().code_length), valid_until=dp.code_valid_until(now, limits()),
                    created_by=actor, client_key=client_key or None)
                ledger.post(account, f"redeem:{row.pk}",
                            Entry(dp.PostingKind.REDEEM, -price, local_day(now), reason=f"兑换{item.name}×{qty}",
                                  redemption_id=row.pk), actor=actor, at=now)
            return row, True
        except IntegrityError:
            if client_key:
                seen = Redemption.objects.filter(account=account, client_key=client_key).first()
                if seen is not None:
                    return seen, False
    raise Conflict("兑换码生成冲突，请重试", code="code_collision")


def _load_code(actor, code: str) -> Redemption:
    text = dp.normal_code(code or "")
    if not text or len(text) > 16:
        raise Invalid("请输入兑换码", fields={"code": "兑换码格式不正确"})
    row = (Redemption.objects.select_related("item", "counter", "account__person")
           .filter(code=text, counter__in=scope.counters_for(actor)).first())
    if row is None:
        raise NotFound("兑换码不存在，或不是本兑换点的兑换码")
    return row


def look_up(*, actor, code: str) -> Redemption:
    """What a code is for, before handing over (staff of its redemption point only)."""
    if not scope.is_counter_staff(actor):
        raise Forbidden("只有兑换点工作人员可以核销")
    return _load_code(actor, code)


def hand_over(*, actor, code: str, now: datetime | None = None) -> Redemption:
    """核销: the counter's staff enter the code and hand the item over, once (guarded UPDATE: a code
    entered at two tills at the same moment is handed over by one of them)."""
    row = look_up(actor=actor, code=code)
    now = now or timezone.now()
    why = dp.code_usable(S(row.status), row.valid_until, now)
    if why:
        raise Conflict(why, code="code_not_usable")
    if row.account.person.user_id == actor.pk:
        raise Forbidden("不能为本人的兑换码核销")
    changed = Redemption.objects.filter(pk=row.pk, status=S.PENDING).update(status=S.REDEEMED, closed_at=now,
                                                                             closed_by=actor)
    if changed != 1:
        raise Conflict("该兑换码已被处理", code="code_not_usable")
    row.refresh_from_db()
    return row


def _give_back(row: Redemption, to: dp.RedemptionStatus, actor, now: datetime, reason: str) -> bool:
    """Cancel or lapse a pending redemption: points and stock back, once (lock order: item → account)."""
    with transaction.atomic():
        if Redemption.objects.filter(pk=row.pk, status=S.PENDING).update(status=to, closed_at=now,
                                                                          closed_by=actor) != 1:
            return False
        Item.objects.filter(pk=row.item_id).update(stock=F("stock") + row.qty)
        ledger.post(row.account, f"refund:{row.pk}",
                    Entry(dp.PostingKind.REFUND, row.points, local_day(now), reason=reason, redemption_id=row.pk),
                    actor=actor, at=now)
    return True


def cancel(*, actor, redemption_id: int, now: datetime | None = None) -> Redemption:
    """取消兑换: the resident (or a manager of the shop) cancels a code not yet handed over."""
    row = Redemption.objects.select_related("account__person", "item").filter(pk=redemption_id).first()
    own = row is not None and row.account.person.user_id == actor.pk
    if row is None or not (own or row.item.shop_id in scope.managed_shops(actor) or scope.is_admin(actor)):
        raise NotFound("兑换记录不存在或不在您的范围内")
    if not _give_back(row, S.CANCELLED, actor, now or timezone.now(), "取消兑换，积分退回"):
        raise Conflict("该兑换已领取或已取消", code="code_not_usable")
    row.refresh_from_db()
    return row


def lapse_codes(*, now: datetime | None = None) -> int:
    """Codes not fetched in time lapse: points and stock back (the sweep; safe to repeat)."""
    now = now or timezone.now()
    n = 0
    for row in Redemption.objects.filter(status=S.PENDING, valid_until__lt=now).select_related("account"):
        n += int(_give_back(row, S.EXPIRED, None, now, "兑换码过期，积分退回"))
    return n


def restock(*, actor, item_id: int, add: int) -> Item:
    """入库 / 出库 (a negative ``add``): a manager of the item's shop; never below zero."""
    item = Item.objects.filter(pk=item_id).first()
    if item is None or not (item.shop_id in scope.managed_shops(actor) or scope.is_admin(actor)):
        raise NotFound("商品不存在或不在您的范围内")
    if not isinstance(add, int) or add == 0 or abs(add) > 100_000:
        raise Invalid("调整数量无效", fields={"add": "请输入非零整数"})
    if Item.objects.filter(pk=item.pk, stock__gte=max(0, -add)).update(stock=F("stock") + add) != 1:
        raise Conflict("库存不足，不能出库这么多", code="out_of_stock")
    item.refresh_from_db()
    return item
