"""Every 积分超市 use case that earns or takes back points, once (API, pages, demo, sweeps and other
pillars call these); the shop's use cases are in ``points.shop``.

Every change of points is a posting through ``points.ledger.post`` (append-only, hash-chained,
idempotent by key); nothing here edits a posting or a balance."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from gongzhi.core.errors import Conflict, Forbidden, Invalid, NotFound
from gongzhi.domain import points as dp
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.enums import Status
from gongzhi.registry.models import Person

from . import ledger, scope
from .ledger import Entry
from .limits import limits
from .models import Claim, EarnRule, Posting, Shop


def local_day(at: datetime) -> date:
    return timezone.localtime(at, SHANGHAI).date()


def _rule(rule) -> EarnRule:
    if isinstance(rule, EarnRule):
        return rule
    row = EarnRule.objects.filter(code=str(rule), active=True).first()
    if row is None:
        raise NotFound(f"积分规则 {rule} 不存在或已停用")
    return row


def award(*, person, rule, key: str, qty: int = 1, actor, reason: str = "", earned_on: date | None = None,
          at: datetime | None = None) -> Posting:
    """Award points to ``person`` under earning rule ``rule`` (a ``domain.points.Source`` member such
    as ``Source.PATROL`` / ``Source.VOTE``, a rule code string, or an ``EarnRule`` row).

    ``key`` is the idempotency key, unique over the whole ledger, named by the caller's record:
    ``"patrol:<id>"``, ``"vote:<proposal id>:<person id>"``.  The same key with the same content is
    the posting already made (returned, nothing added); the same key with other content raises
    ``core.errors.Conflict`` (409, code ``key_reused``).  ``qty`` is the rule's unit count (hours for
    hour rules, 1 for a patrol or a vote); the points are ``rule.points_per_unit * qty``.  An award
    that would pass the rule's daily cap for that person and day (``earned_on``, default today in
    Shanghai) raises ``Conflict`` with code ``daily_cap`` — catch it if your own write must go on (the
    award runs in a savepoint, so your transaction stays usable).  ``actor`` is the user answerable
    for the award, or None for a system sweep.  Atomic; inside your transaction it commits with it.

    Returns the ``points.Posting`` row."""
    row = _rule(rule)
    if not isinstance(person, Person):
        raise Invalid("积分只能发给登记在册的居民")
    now = at or timezone.now()
    day = earned_on or local_day(now)
    try:
        points = dp.points_for(row.as_rule(), qty, limits())
    except dp.PointsError as exc:
        raise Invalid(str(exc), fields={"qty": str(exc)}) from exc
    entry = Entry(dp.PostingKind.AWARD, points, day, rule_id=row.pk, qty=qty,
                  expires_on=dp.expires_on(day, row.expires_after_years), reason=reason[:200] or row.name)

    def cap(acct):
        dp.check_cap(ledger.awarded_on(acct, row.pk, day), points, row.daily_cap)

    posting, _new = ledger.post(ledger.account_for(person), key, entry, actor=actor, at=now, check=cap)
    return posting


def reverse(*, actor, posting_id: int, reason: str, account_id: int | None = None) -> Posting:
    """冲正: undo a mistaken award by a compensating posting (never an edit), with a reason; a shop
    manager of the person's area or an administrator.  Refused when the points were already spent
    (the balance may not go negative: cancel the redemption first).  ``account_id``: the account
    the caller is looking at — a posting of another account is refused before anything is written
    (the page checked it after the reversal, which stayed: found by the security matrix)."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("冲正必须填写原因", fields={"reason": "必须填写原因"}, code="reason_required")
    original = Posting.objects.select_related("account__person").filter(pk=posting_id).first()
    if (original is None or (account_id is not None and original.account_id != account_id)
            or not scope.visible_accounts(actor).filter(pk=original.account_id).exists()):
        raise NotFound("积分记录不存在或不在您的范围内")
    if not scope.is_manager(actor):
        raise Forbidden("只有积分管理员可以冲正")
    if original.kind != dp.PostingKind.AWARD:
        raise Conflict("只有获得积分的记录可以冲正", code="not_reversible")
    if original.account.person.user_id == actor.pk:
        raise Forbidden("不能冲正本人的积分")
    entry = Entry(dp.PostingKind.REVERSE, -original.points, original.earned_on, rule_id=original.rule_id,
                  expires_on=original.expires_on, reason=reason[:200], reverses_id=original.pk)
    posting, _new = ledger.post(original.account, f"reverse:{original.pk}", entry, actor=actor, at=timezone.now())
    return posting


# ---- hours claims ----------------------------------------------------------------------------

HOUR_SOURCES = frozenset({dp.Source.VOLUNTEER, dp.Source.MEDIATION})


def claim_hours(*, actor, person_id: int | None, shop_id: int, rule_code: str, hours: int, worked_on: date,
                activity: str, client_key: str | None = None) -> tuple[Claim, bool]:
    """申报服务时长: a resident for themselves, or a shop manager (the organiser) for a resident of
    the shop's area.  A retry with the same client key returns the first claim."""
    if client_key:
        seen = Claim.objects.filter(created_by=actor, client_key=client_key).first()
        if seen is not None:
            return seen, False
    shop = Shop.objects.filter(pk=shop_id, active=True).first()
    if shop is None:
        raise NotFound("积分超市不存在")
    own = scope.person_of(actor)
    if person_id is None or (own is not None and own.pk == person_id):
        person = own
        if person is None or not scope.shops_for_resident(person).filter(pk=shop.pk).exists():
            raise Forbidden("您不是该积分超市服务范围内的登记居民")
    else:
        if shop.pk not in scope.managed_shops(actor) and not scope.is_admin(actor):
            raise Forbidden("只有积分管理员可以为他人申报")
        person = scope.managed_people(actor).filter(pk=person_id).first()
        if person is None:
            raise NotFound("居民不存在或不在您的范围内")
    rule = _rule(rule_code)
    if dp.Source(rule.source) not in HOUR_SOURCES or rule.unit != dp.RuleUnit.HOUR:
        raise Invalid("该规则不按服务时长计分", fields={"rule": "请选择志愿服务或调解时长规则"})
    if not 1 <= hours <= limits().max_qty:
        raise Invalid(f"时长应为 1 到 {limits().max_qty} 小时", fields={"hours": "时长超出范围"})
    today = local_day(timezone.now())
    if worked_on > today or worked_on < today - timedelta(days=90):
        raise Invalid("服务日期应在最近 90 天内", fields={"worked_on": "日期超出范围"})
    activity = activity.strip()
    if not activity:
        raise Invalid("请填写服务内容", fields={"activity": "必填"})
    claim = Claim.objects.create(person=person, rule=rule, shop=shop, qty=hours, worked_on=worked_on,
                                 activity=activity[:200], created_by=actor, client_key=client_key or None)
    return claim, True


def decide_claim(*, actor, claim_id: int, confirm: bool, reason: str = "") -> Claim:
    """确认 or 驳回 a claim: a manager of the claim's shop who is neither the one who entered it nor
    the person (two people for every hour that becomes points).  Confirming awards the points once
    (key ``claim:<id>``); a second, concurrent decision finds the claim decided (guarded UPDATE)."""
    claim = scope.visible_claims(actor).select_related("rule", "person").filter(pk=claim_id).first()
    if claim is None:
        raise NotFound("申报不存在或不在您的范围内")
    if claim.shop_id not in scope.managed_shops(actor) and not scope.is_admin(actor):
        raise Forbidden("只有该积分超市的管理员可以确认")
    if actor.pk in (claim.created_by_id, claim.person.user_id):
        raise Forbidden("申报须由另一名工作人员确认，不能确认本人申报或本人录入的申报")
    if not confirm and not reason.strip():
        raise Invalid("驳回必须填写原因", fields={"reason": "必须填写原因"}, code="reason_required")
    now = timezone.now()
    new = dp.ClaimStatus.CONFIRMED if confirm else dp.ClaimStatus.REJECTED
    with transaction.atomic():
        changed = Claim.objects.filter(pk=claim.pk, status=dp.ClaimStatus.CLAIMED).update(
            status=new, decided_by=actor, decided_at=now, reason=reason.strip()[:200])
        if changed != 1:
            raise Conflict("该申报已处理", code="already_decided")
        if confirm:
            award(person=claim.person, rule=claim.rule, key=f"claim:{claim.pk}", qty=claim.qty, actor=actor,
                  reason=f"{claim.rule.name}：{claim.activity}"[:200], earned_on=claim.worked_on, at=now)
    claim.refresh_from_db()
    return claim


# ---- sweeps ----------------------------------------------------------------------------------

def award_valid_reports(*, since_days: int = 30, now: datetime | None = None) -> dict[str, int]:
    """有效报事: an event accepted and closed as valid (not rejected, not merged) earns its reporter's
    registered person points once (key ``event:<id>``); run by ``points-sweep``, safe to repeat and
    to run on several workers (the key decides)."""
    from gongzhi.events.models import Event

    now = now or timezone.now()
    rule = EarnRule.objects.filter(code=dp.Source.REPORT, active=True).first()
    out = {"awarded": 0, "capped": 0}
    if rule is None:
        return out
    done = set(Posting.objects.filter(key__startswith="event:").values_list("key", flat=True))
    rows = (Event.objects.filter(status=Status.CLOSED, accepted_at__isnull=False, reporter__person__isnull=False,
                                 closed_at__gte=now - timedelta(days=since_days))
            .values_list("pk", "reporter__person", "closed_at"))
    for pk, person_id, closed_at in rows:
        if f"event:{pk}" in done:
            continue
        try:
            award(person=Person.objects.get(pk=person_id), rule=rule, key=f"event:{pk}", actor=None,
                  reason=rule.name, earned_on=local_day(closed_at), at=now)
            out["awarded"] += 1
        except Conflict:
            out["capped"] += 1
    return out


def expire_points(*, now: datetime | None = None) -> int:
    """积分到期: what is left of the lots whose last valid day has passed lapses (FIFO); idempotent —
    the key names the account and the amount already expired, so a second run posts nothing."""
    now = now or timezone.now()
    today = local_day(now)
    n = 0
    accounts = (Posting.objects.filter(expires_on__lt=today, kind=dp.PostingKind.AWARD)
                .values_list("account", flat=True).distinct())
    for pk in ledger.Account.objects.filter(pk__in=list(accounts), balance__gt=0).values_list("pk", flat=True):
        with transaction.atomic():
            # Under the account's lock: a redemption in flight cannot spend what is counted here.
            acct = ledger.Account.objects.select_for_update().get(pk=pk)
            lots, spent, expired = ledger.lots_of(acct)
            lapse = dp.to_expire(lots, spent=spent, expired=expired, balance=acct.balance, today=today)
            if lapse <= 0:
                continue
            entry = Entry(dp.PostingKind.EXPIRE, -lapse, today, reason="积分到期")
            _posting, new = ledger.post(acct, f"expire:{acct.pk}:{expired}", entry, actor=None, at=now)
            n += int(new)
    return n
