"""The field's offline queue on the server: each queued action arrives with the key the phone gave
it, is done once, and its answer is kept (SyncReceipt) — a sync interrupted after the server did
the work but before the phone heard back is sent again and answered the same, doing nothing twice.

Conflict rules (issue 20):

1. the server's state wins for transitions: a queued 完成 on a task that was meanwhile done,
   missed or carried over, or a queued 结束巡查 on a patrol the sweep ended, is not forced through;
2. such an action is answered ``conflict`` with the server's reason, and that answer is kept like
   any other (the worker sees it in the list of conflicts on the page; resending changes nothing);
3. bad input (a 4xx other than a conflict) is not kept: nothing was done, and the phone shows the
   refusal with the action, which stays visible until the worker dismisses it;
4. the same key with different content is refused (409 idempotency_mismatch), never answered with
   the first action's result.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.core.errors import Conflict
from gongzhi.domain.patrols import SyncKind, SyncOutcome

from .models import SyncReceipt


def payload_hash(kind: SyncKind, payload: dict, photos: list[str]) -> str:
    """What the phone sent, as one hash: the kind, the payload and the photos' SHA-256."""
    text = json.dumps({"kind": str(kind), "payload": payload, "photos": photos}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _answer(receipt: SyncReceipt, digest: str) -> tuple[SyncOutcome, dict, bool]:
    if receipt.payload_hash != digest:
        raise Conflict("该离线操作编号已用于另一份不同内容的操作", code="idempotency_mismatch")
    return SyncOutcome(receipt.outcome), receipt.result, True


def once(*, actor, client_key: str, kind: SyncKind, digest: str, run: Callable[[], dict],
         now: datetime | None = None) -> tuple[SyncOutcome, dict, bool]:
    """Do ``run`` once for (actor, client_key); returns (outcome, result, repeated).

    1. A stored receipt answers at once (its payload must be the same).
    2. Otherwise the receipt row is inserted first, in the transaction that does the work: a second
       request with the key waits on the unique index (PostgreSQL) or the write lock (SQLite) and,
       when the first commits, finds its receipt — the work is done once.
    3. A Conflict from the work rolls back what the work wrote (its savepoint) and is kept as the
       answer; any other error rolls everything back, the receipt included."""
    now = now or timezone.now()
    found = SyncReceipt.objects.filter(user=actor, client_key=client_key).first()
    if found is not None:
        return _answer(found, digest)
    try:
        with transaction.atomic():
            receipt = SyncReceipt.objects.create(user=actor, client_key=client_key, kind=kind,
                                                 outcome=SyncOutcome.DONE, payload_hash=digest, created_at=now)
            try:
                with transaction.atomic():
                    result = run()
                outcome = SyncOutcome.DONE
            except Conflict as exc:
                outcome, result = SyncOutcome.CONFLICT, {"message": exc.message, "code": exc.code}
            receipt.outcome, receipt.result = outcome, json.loads(json.dumps(result, default=str))
            receipt.save(update_fields=["outcome", "result"])
    except IntegrityError:
        found = SyncReceipt.objects.filter(user=actor, client_key=client_key).first()
        if found is None:
            raise
        return _answer(found, digest)
    return outcome, receipt.result, False


def conflicts(actor, *, limit: int = 50) -> list[SyncReceipt]:
    """The worker's kept conflicts, newest first (the page lists them beside the phone's own)."""
    return list(SyncReceipt.objects.filter(user=actor, outcome=SyncOutcome.CONFLICT).order_by("-created_at")[:limit])
