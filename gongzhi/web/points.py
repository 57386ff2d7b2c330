"""Pages of the 积分超市.  Residents (phone-first, large text): my points with history and codes, the
shop, an hours claim.  Staff: the managers' desk (claims to confirm, residents' accounts with the
reversal form, stock), the counter (enter a code, see what to hand over, hand it over).

Every write calls the one service the API calls; a refusal re-renders the page with the message and
the service's 4xx status, a success redirects with a message (no double submit on reload)."""
from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.core.operations import validate
from gongzhi.domain import points as dp
from gongzhi.domain.privacy import mask_name
from gongzhi.points import scope, selectors as sel, services as svc, shop
from gongzhi.points.inputs import ClaimIn, CodeIn, DecideIn, RedeemIn, ReverseIn, StockIn

HOUR_RULES = (dp.Source.VOLUNTEER, dp.Source.MEDIATION)


def _int(text) -> int | str:
    """A form's number as an int for the strict input models; what is not one stays text (refused there)."""
    t = (text or "").strip()
    return int(t) if t.lstrip("-").isdigit() and len(t) < 10 else t


def _person_or_404(request):
    person = scope.person_of(request.user)
    if person is None and not (scope.is_manager(request.user) or scope.is_counter_staff(request.user)):
        raise Http404("页面不存在")
    return person


def _done(request, text: str, to: str, *args):
    messages.success(request, gettext(text))
    return redirect(to, *args)


# ---- residents --------------------------------------------------------------------------------

def _home(request, *, error: str = "", status: int = 200):
    person = _person_or_404(request)
    mine = sel.mine(request.user)
    return render(request, "web/points/home.html", {
        **mine, "error": error, "person": person, "staff": scope.is_manager(request.user),
        "counter": scope.is_counter_staff(request.user), "key": uuid.uuid4().hex,
        "hour_rules": [r for r in sel.rules() if r.source in HOUR_RULES],
        "today": timezone.localdate()}, status=status)


@login_required
def points_home(request):
    return _home(request)


@login_required
def points_shop(request, *, error: str = "", status: int = 200):
    person = _person_or_404(request)
    mine = sel.mine(request.user)
    return render(request, "web/points/shop.html", {
        "items": sel.shop_items(request.user), "balance": mine["balance"], "shops": mine["shops"],
        "person": person, "error": error, "key": uuid.uuid4().hex}, status=status)


@login_required
@require_POST
def points_redeem(request):
    _person_or_404(request)
    try:
        data = validate(RedeemIn, {"item_id": _int(request.POST.get("item_id")),
                                   "counter_id": _int(request.POST.get("counter_id")),
                                   "qty": _int(request.POST.get("qty") or "1"),
                                   "client_key": request.POST.get("client_key") or None})
        row, _ = shop.redeem(actor=request.user, item_id=data.item_id, counter_id=data.counter_id, qty=data.qty,
                             client_key=data.client_key)
    except ServiceError as exc:
        return points_shop(request, error=exc.message, status=exc.status)
    messages.success(request, gettext("兑换成功，请凭兑换码到兑换点领取：%(code)s") % {"code": row.code})
    return redirect("web:points_home")


@login_required
@require_POST
def points_cancel(request, redemption_id: int):
    try:
        shop.cancel(actor=request.user, redemption_id=redemption_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        return _home(request, error=exc.message, status=exc.status)
    return _done(request, "已取消兑换，积分已退回", "web:points_home")


@login_required
@require_POST
def points_claim(request):
    _person_or_404(request)
    p = request.POST
    try:
        data = validate(ClaimIn, {"shop_id": _int(p.get("shop_id")), "person_id": _int(p.get("person_id")) or None,
                                  "rule": p.get("rule", ""), "hours": _int(p.get("hours")),
                                  "worked_on": p.get("worked_on", ""), "activity": p.get("activity", ""),
                                  "client_key": p.get("client_key") or None})
        svc.claim_hours(actor=request.user, person_id=data.person_id, shop_id=data.shop_id, rule_code=data.rule,
                        hours=data.hours, worked_on=data.worked_on, activity=data.activity,
                        client_key=data.client_key)
    except ServiceError as exc:
        if p.get("from") == "desk":
            return _desk(request, error=exc.message, status=exc.status)
        return _home(request, error=exc.message, status=exc.status)
    back = "web:points_desk" if p.get("from") == "desk" else "web:points_home"
    return _done(request, "已提交，等待积分管理员确认", back)


# ---- managers ---------------------------------------------------------------------------------

def _manager_or_404(request) -> None:
    if not scope.is_manager(request.user):
        raise Http404("页面不存在")


def _desk(request, *, error: str = "", status: int = 200):
    _manager_or_404(request)
    return render(request, "web/points/desk.html", {
        "claims": [sel.claim_json(c) for c in sel.claims_queue(request.user)], "accounts": sel.accounts(request.user),
        "stock": sel.stock(request.user), "shops": list(scope.shops_for_manager(request.user)),
        "hour_rules": [r for r in sel.rules() if r.source in HOUR_RULES], "people": _people(request.user),
        "me": request.user.pk, "error": error, "key": uuid.uuid4().hex, "today": timezone.localdate()},
        status=status)


def _people(user):
    return list(scope.managed_people(user).order_by("name").values("id", "name")[:300])


@login_required
def points_desk(request):
    return _desk(request)


@login_required
@require_POST
def points_decide(request, claim_id: int):
    _manager_or_404(request)
    confirm = request.POST.get("confirm") == "1"
    try:
        data = validate(DecideIn, {"confirm": confirm, "reason": request.POST.get("reason", "")})
        svc.decide_claim(actor=request.user, claim_id=claim_id, confirm=data.confirm, reason=data.reason)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        return _desk(request, error=exc.message, status=exc.status)
    return _done(request, "已确认，积分已发放" if confirm else "已驳回", "web:points_desk")


@login_required
@require_POST
def points_restock(request, item_id: int):
    _manager_or_404(request)
    try:
        data = validate(StockIn, {"add": _int(request.POST.get("add"))})
        shop.restock(actor=request.user, item_id=item_id, add=data.add)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        return _desk(request, error=exc.message, status=exc.status)
    return _done(request, "库存已更新", "web:points_desk")


def _account(request, account_id: int, *, error: str = "", status: int = 200):
    _manager_or_404(request)
    try:
        d = sel.account_detail(request.user, account_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "web/points/account.html", {**d, "error": error}, status=status)


@login_required
def points_account(request, account_id: int):
    return _account(request, account_id)


@login_required
@require_POST
def points_reverse(request, account_id: int, posting_id: int):
    _manager_or_404(request)
    try:
        data = validate(ReverseIn, {"reason": request.POST.get("reason", "")})
        svc.reverse(actor=request.user, posting_id=posting_id, reason=data.reason, account_id=account_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        return _account(request, account_id, error=exc.message, status=exc.status)
    return _done(request, "已冲正", "web:points_account", account_id)


# ---- the counter ------------------------------------------------------------------------------

def _counter_page(request, *, found=None, error: str = "", code: str = "", status: int = 200):
    if not scope.is_counter_staff(request.user):
        raise Http404("页面不存在")
    shown = None
    if found is not None:
        shown = {**sel.redemption_json(found, with_code=False), "resident": mask_name(found.account.person.name),
                 "usable": dp.code_usable(dp.RedemptionStatus(found.status), found.valid_until, timezone.now())}
    return render(request, "web/points/counter.html", {
        "found": shown, "error": error, "code": code,
        "counters": list(scope.counters_for(request.user).select_related("shop"))}, status=status)


@login_required
def points_counter(request):
    code = request.GET.get("code", "")
    if not code:
        return _counter_page(request)
    try:
        data = validate(CodeIn, {"code": code})
        return _counter_page(request, found=shop.look_up(actor=request.user, code=data.code), code=code)
    except ServiceError as exc:
        return _counter_page(request, error=exc.message, code=code, status=exc.status)


@login_required
@require_POST
def points_hand_over(request):
    code = request.POST.get("code", "")
    try:
        data = validate(CodeIn, {"code": code})
        shop.hand_over(actor=request.user, code=data.code)
    except ServiceError as exc:
        return _counter_page(request, error=exc.message, code=code, status=exc.status)
    return _done(request, "核销成功，请交付商品或服务", "web:points_counter")
