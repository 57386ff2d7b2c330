"""积分超市 over JSON: my points and history, the shop, redemptions and codes; for staff the hours
claims to confirm, reversals, the counter (look up / hand over a code), stock; the rules."""
from ninja import Router, Status

from gongzhi.domain.privacy import mask_name
from gongzhi.points import scope, selectors as sel, services as svc, shop
from gongzhi.points.inputs import ClaimIn, CodeIn, DecideIn, RedeemIn, ReverseIn, StockIn
from gongzhi.points.models import Redemption

from . import schemas as s

ERRORS = {400: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut, 422: s.ErrorOut}
points = Router(tags=["积分超市"])


def _me(request) -> dict:
    m = sel.mine(request.user)
    return {"person": m["person"].name if m["person"] else None, "balance": m["balance"],
            "expiring_soon": m["expiring"], "postings": m["postings"], "codes": m["codes"], "claims": m["claims"],
            "shops": [{"id": sh.id, "name": sh.name,
                       "counters": [{"id": c.id, "name": c.name, "address": c.address} for c in sh.points.all()]}
                      for sh in m["shops"]]}


@points.get("/me", response={200: dict}, summary="我的积分（余额、明细、兑换码、申报）")
def points_me(request):
    return _me(request)


@points.get("/rules", response={200: list[dict]}, summary="积分规则")
def points_rules(request):
    return [{"code": r.code, "name": r.name, "source": r.source, "unit": r.unit, "points_per_unit": r.points_per_unit,
             "daily_cap": r.daily_cap, "expires_after_years": r.expires_after_years} for r in sel.rules()]


@points.get("/items", response={200: list[dict]}, summary="可兑换的商品和服务")
def points_items(request):
    return [{"id": i.id, "shop_id": i.shop_id, "shop": i.shop.name, "name": i.name, "description": i.description,
             "is_service": i.is_service, "price": i.price, "stock": i.stock} for i in sel.shop_items(request.user)]


@points.post("/redemptions", response={200: dict, 201: dict, **ERRORS}, summary="兑换（生成一次性兑换码，幂等）")
def points_redeem(request, payload: RedeemIn):
    row, created = shop.redeem(actor=request.user, item_id=payload.item_id, counter_id=payload.counter_id,
                               qty=payload.qty, client_key=payload.client_key)
    row = Redemption.objects.select_related("item", "counter").get(pk=row.pk)
    return Status(201 if created else 200, sel.redemption_json(row, with_code=True))


@points.post("/redemptions/{redemption_id}/cancel", response={200: dict, **ERRORS},
             summary="取消兑换（退回积分和库存）")
def points_cancel(request, redemption_id: int):
    row = shop.cancel(actor=request.user, redemption_id=redemption_id)
    return sel.redemption_json(Redemption.objects.select_related("item", "counter").get(pk=row.pk), with_code=False)


@points.post("/claims", response={200: dict, 201: dict, **ERRORS}, summary="申报服务时长（幂等）")
def points_claim(request, payload: ClaimIn):
    claim, created = svc.claim_hours(actor=request.user, person_id=payload.person_id, shop_id=payload.shop_id,
                                     rule_code=payload.rule, hours=payload.hours, worked_on=payload.worked_on,
                                     activity=payload.activity, client_key=payload.client_key)
    return Status(201 if created else 200, sel.claim_json(claim))


@points.get("/claims", response={200: list[dict]}, summary="待确认的时长申报（积分管理员）")
def points_claims(request):
    return [sel.claim_json(c) for c in sel.claims_queue(request.user)]


@points.post("/claims/{claim_id}/decide", response={200: dict, **ERRORS}, summary="确认或驳回时长申报")
def points_decide(request, claim_id: int, payload: DecideIn):
    return sel.claim_json(svc.decide_claim(actor=request.user, claim_id=claim_id, confirm=payload.confirm,
                                           reason=payload.reason))


@points.get("/accounts/{account_id}", response={200: dict, **ERRORS}, summary="居民积分账户（积分管理员）")
def points_account(request, account_id: int):
    d = sel.account_detail(request.user, account_id)
    d.pop("account")
    return d


@points.post("/postings/{posting_id}/reverse", response={200: dict, **ERRORS}, summary="冲正误发的积分（须填写原因）")
def points_reverse(request, posting_id: int, payload: ReverseIn):
    return sel.posting_json(svc.reverse(actor=request.user, posting_id=posting_id, reason=payload.reason))


def _counter_json(row) -> dict:
    # The counter sees what to hand over and to whom (masked), not the resident's history.
    return {**sel.redemption_json(row, with_code=False), "resident": mask_name(row.account.person.name)}


@points.post("/counter/lookup", response={200: dict, **ERRORS}, summary="查询兑换码（兑换点工作人员）")
def points_lookup(request, payload: CodeIn):
    return _counter_json(shop.look_up(actor=request.user, code=payload.code))


@points.post("/counter/hand-over", response={200: dict, **ERRORS}, summary="核销兑换码并交付")
def points_hand_over(request, payload: CodeIn):
    row = shop.hand_over(actor=request.user, code=payload.code)
    return _counter_json(Redemption.objects.select_related("item", "counter", "account__person").get(pk=row.pk))


@points.get("/stock", response={200: list[dict]}, summary="库存（积分管理员）")
def points_stock(request):
    return [{"id": i.id, "shop": i.shop.name, "name": i.name, "price": i.price, "stock": i.stock, "active": i.active}
            for i in sel.stock(request.user)]


@points.post("/stock/{item_id}", response={200: dict, **ERRORS}, summary="入库或出库")
def points_restock(request, item_id: int, payload: StockIn):
    item = shop.restock(actor=request.user, item_id=item_id, add=payload.add)
    return {"id": item.id, "name": item.name, "stock": item.stock}


@points.get("/staff", response={200: dict}, summary="我在积分超市的身份")
def points_staff(request):
    return {"manager": scope.is_manager(request.user), "counter": scope.is_counter_staff(request.user)}
