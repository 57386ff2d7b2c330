"""The ledger's one write: a posting of domain.ledger's rules, stored hash-chained.

``post`` locks the fund's row, so the postings of one fund are written one at a time: the balance
check reads balances no concurrent posting is moving, and the chain's next link is taken from a
head nobody else holds.  It runs in the caller's transaction (a release's posting commits or rolls
back with the deposit's status)."""
from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from gongzhi.core.errors import Conflict, Invalid
from gongzhi.domain import ledger as dl

from .models import Account, Fund, Posting, PostingLine


def _norm(pairs) -> tuple[dl.Line, ...]:
    return dl.normalised(dl.Line(acc.code, amount) for acc, amount in pairs)


def stored_lines(posting: Posting) -> tuple[dl.Line, ...]:
    return dl.normalised(dl.Line(ln.account.code, ln.amount) for ln in posting.lines.select_related("account"))


def post(fund: Fund, key: str, kind: dl.PostingKind, pairs: list[tuple[Account, int]], at: datetime, *,
         memo: str = "", reference: str = "", actor=None, deposit=None, grant=None,
         disposes: bool = False) -> tuple[Posting, bool]:
    """(the posting, whether it is new).  The same key with the same lines: the posting already
    made; with other lines: 409.  Unbalanced or overdrawing: 400 / 409, nothing written."""
    want = _norm(pairs)
    with transaction.atomic():
        head = Fund.objects.select_for_update().get(pk=fund.pk)
        seen = Posting.objects.filter(key=key).first()
        if seen is not None:
            if stored_lines(seen) != want or seen.fund_id != fund.pk:
                raise Conflict(str(dl.KeyReused(key)), code="key_reused")
            return seen, False
        accounts = {a.code: a for a in Account.objects.filter(pk__in=[acc.pk for acc, _ in pairs])}
        if any(a.fund_id != fund.pk for a in accounts.values()):
            raise Invalid("记账账户不属于该资金")
        try:
            dl.check_posting([dl.Line(acc.code, amount) for acc, amount in pairs],
                             {c: dl.AccountKind(a.kind) for c, a in accounts.items()},
                             {c: a.balance for c, a in accounts.items()})
        except dl.WouldGoNegative as exc:
            raise Conflict(str(exc), code="insufficient_balance") from exc
        except dl.LedgerError as exc:
            raise Invalid(str(exc)) from exc
        seq = head.head_seq + 1
        content = dl.canonical(seq, key, kind, at, memo, reference, want, {c: a.kind for c, a in accounts.items()},
                               deposit.pk if deposit else None, grant.pk if grant else None, disposes)
        digest = dl.chain_hash(head.head_hash, content)
        try:
            with transaction.atomic():
                posting = Posting.objects.create(fund=fund, seq=seq, key=key, kind=kind, at=at, memo=memo,
                                                 reference=reference, prev_hash=head.head_hash, hash=digest,
                                                 deposit=deposit, grant=grant, disposes=disposes, created_by=actor)
        except IntegrityError as exc:
            # A deposit disposed of twice (funds_one_disposal), or the same key raced in: either
            # way the second write is refused, never a second payment.
            raise Conflict("该笔资金已处置或该记账已存在，请刷新后重试", code="concurrent_posting") from exc
        PostingLine.objects.bulk_create([PostingLine(posting=posting, account=accounts[ln.account], amount=ln.amount)
                                         for ln in want])
        for ln in want:
            Account.objects.filter(pk=accounts[ln.account].pk).update(raw=F("raw") + ln.amount)
        Fund.objects.filter(pk=fund.pk).update(head_seq=seq, head_hash=digest)
    return posting, True


def chain_of(fund: Fund) -> list[dl.Posting]:
    """The fund's postings as the domain verifies them (lines as stored)."""
    lines: dict[int, list[dl.Line]] = {}
    kinds: dict[int, set[tuple[str, str]]] = {}
    for pid, code, kind, amount in PostingLine.objects.filter(posting__fund=fund).values_list(
            "posting_id", "account__code", "account__kind", "amount"):
        lines.setdefault(pid, []).append(dl.Line(code, amount))
        kinds.setdefault(pid, set()).add((code, kind))
    return [dl.Posting(p.seq, p.key, dl.PostingKind(p.kind), p.at, dl.normalised(lines.get(p.pk, [])), p.memo,
                       p.reference, p.prev_hash, p.hash, tuple(sorted(kinds.get(p.pk, ()))), p.deposit_id,
                       p.grant_id, p.disposes)
            for p in Posting.objects.filter(fund=fund).order_by("seq")]


def verify(fund: Fund) -> int | None:
    """The seq of the first broken posting of the fund's chain, or None; a head that is not the last
    posting's hash (a posting removed from the end), or an account whose cached balance (``raw``,
    which every balance check and page reads) is not the sum of its lines, is broken at the head."""
    chain = chain_of(fund)
    broken = dl.verify_chain(chain)
    if broken is not None:
        return broken
    fund.refresh_from_db(fields=["head_seq", "head_hash"])
    last = chain[-1].hash if chain else dl.GENESIS
    if last != fund.head_hash or len(chain) != fund.head_seq:
        return fund.head_seq
    summed = balances_from_lines(fund)
    if any(a.balance != summed[a.code] for a in fund.accounts.all()):
        return fund.head_seq
    return None


def balances_from_lines(fund: Fund) -> dict[str, int]:
    """Each account's balance summed from its lines (the verifier's check of the cached column)."""
    out = {a.code: 0 for a in fund.accounts.all()}
    kinds = {a.code: dl.AccountKind(a.kind) for a in fund.accounts.all()}
    for code, amount in PostingLine.objects.filter(account__fund=fund).values_list("account__code", "amount"):
        out[code] += amount
    return {c: dl.balance_of(kinds[c], v) for c, v in out.items()}


def bank_account(fund: Fund) -> Account:
    return fund.accounts.get(kind=dl.AccountKind.BANK)


def fund_account(fund: Fund, kind: dl.AccountKind) -> Account:
    """The fund's account of this kind, opened on first use.  Two first uses at once (two first
    forfeitures) both try to open it: the loser of the unique code takes the winner's."""
    acc = fund.accounts.filter(kind=kind).first()
    if acc is None:
        code = f"{fund.code}-{kind.value}"
        try:
            with transaction.atomic():
                acc = Account.objects.create(fund=fund, code=code, name=kind.label, kind=kind)
        except IntegrityError:
            acc = Account.objects.get(code=code)
    return acc
