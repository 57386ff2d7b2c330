"""The fan-out: the timeline is the outbox.  Every action already writes a timeline row
(events.EventAction, casework.CaseLog) in its own transaction, so nothing can be told that did not
happen, and nothing that happened is missed: a round reads each table's rows since its mark, and
for each row whose (kind, action) has a registered rule (notify.registry) writes one Notification
per recipient and one Delivery per outbound channel the recipient chose.

casework.Notice (notices to parties without an account: 受理、调解提醒 …) is drained here too,
into SMS deliveries that carry only the case number and a link.

Idempotent: a notification is unique per (source, row, user, topic) and a delivery per key, so a
round that re-reads rows (the lookback, a second worker, a retried task) adds nothing.  Rows a
slow transaction committed below the mark are caught by reading LOOKBACK back by time; a row of
the lookback that was told already is skipped, since its recipients were read then (a case that
changed hands since must not tell the new holder of the old row).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from gongzhi.accounts.models import Profile
from gongzhi.casework.models import CaseLog, Notice
from gongzhi.domain import notify as dn
from gongzhi.domain.notify import Channel, Topic
from gongzhi.domain.privacy import redact_people

from . import conf, registry
from .channels import adapters
from .models import Delivery, Mark, Notification, Preference

LOOKBACK = timedelta(minutes=10)
BATCH = 2000


def _mark(source: str) -> int:
    return Mark.objects.filter(source=source).values_list("upto", flat=True).first() or 0


def _advance(source: str, upto: int, now: datetime) -> None:
    """The mark moves up to ``upto``, never back; the first round creates it."""
    if not Mark.objects.filter(source=source, upto__lt=upto).update(upto=upto, at=now):
        Mark.objects.get_or_create(source=source, defaults={"upto": upto, "at": now})


def _rows(model, kinds: list[str] | None, actions: set[str], now: datetime, backfill: bool,
          action_field: str = "action"):
    """Rows past the mark (at most BATCH) and rows of the lookback, with a registered action.
    Without a mark (the first round ever) only the lookback: switching notify on must not tell
    everyone of every past action — unless ``backfill`` (the demo's in-app history)."""
    source = model._meta.db_table
    upto = _mark(source)
    base = model.objects.filter(**{f"{action_field}__in": actions})
    if kinds is not None:
        base = base.filter(kind__in=kinds)
    if not backfill and not Mark.objects.filter(source=source).exists():
        top = model.objects.aggregate(m=Max("id"))["m"] or 0
        rows = list(base.filter(at__gte=now - LOOKBACK).order_by("id")[:BATCH])
        return source, top, rows, max(top, rows[-1].id if rows else 0)
    fresh = list(base.filter(id__gt=upto).order_by("id")[:BATCH])
    late = list(base.filter(id__lte=upto, at__gte=now - LOOKBACK).order_by("id")) if upto else []
    if late:
        # A row read before is not told again: its recipients were read then, and who holds the
        # case since (a leave decided, a judge booked) must not make a second round of the same row.
        # (a range over the unique (source, source_id, …) index, not a list of ids as parameters)
        done = set(Notification.objects.filter(source=source, source_id__gte=late[0].id, source_id__lte=late[-1].id)
                   .values_list("source_id", flat=True).distinct())
        late = [r for r in late if r.id not in done]
    return source, upto, late + fresh, fresh[-1].id if fresh else upto


def fanout(now: datetime | None = None, *, backfill: bool = False) -> dict[str, int]:
    """One round over every registered timeline and the notice outbox; counts written.
    ``backfill``: a first round reads every past row, in-app only (no delivery is made)."""
    now = now or timezone.now()
    specs = registry.kinds()
    by_table: dict[type, list[registry.KindSpec]] = defaultdict(list)
    for s in specs.values():
        by_table[s.timeline or CaseLog].append(s)
    made = {"notifications": 0, "deliveries": 0}
    for model, group in by_table.items():
        actions = {a for s in group for a in s.rules}
        kinds = None if model is not CaseLog else [s.kind for s in group]
        while True:          # one batch a round; a backfill reads on to the end
            with transaction.atomic():
                source, upto, rows, mark_to = _rows(model, kinds, actions, now, backfill, group[0].action_field)
                n, d = _tell(source, rows, group, now, outbound=not backfill)
                made["notifications"] += n
                made["deliveries"] += d
                _advance(source, mark_to, now)
            if not backfill or mark_to <= upto or len(rows) < BATCH:
                break
    made["notices"] = 0 if backfill else _notices(now)
    return made


def _tell(source: str, rows, group: list[registry.KindSpec], now: datetime, *, outbound: bool) -> tuple[int, int]:
    one_kind = len(group) == 1 and group[0].timeline is not None
    wanted: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))   # kind → case id → rows
    for r in rows:
        kind = group[0].kind if one_kind else r.kind
        wanted[kind][getattr(r, group[0].case_field if one_kind else "case_id")].append(r)
    notes: list[Notification] = []
    for s in group:
        cases = s.cases(list(wanted.get(s.kind, {}))) if wanted.get(s.kind) else {}
        for case_id, case_rows in wanted.get(s.kind, {}).items():
            case = cases.get(case_id)
            if case is None:
                continue
            number, link, people = s.number(case), s.link(case), s.people(case)
            for r in case_rows:
                for rule in s.rules.get(getattr(r, s.action_field), ()):
                    if rule.when is not None and not rule.when(case, r):
                        continue
                    what = _label(r, s.action_field)
                    text = redact_people(dn.headline(rule.topic, number, what), people)[:200]
                    where = rule.link(case) if rule.link is not None else link
                    for uid in sorted(set(rule.who(case, r)) - {r.actor_id}):
                        notes.append(Notification(user_id=uid, topic=rule.topic.value, kind=s.kind, case_id=case_id,
                                                  number=number, text=text, link=where, source=source,
                                                  source_id=r.id, created_at=now))
    if not notes:
        return 0, 0
    Notification.objects.bulk_create(notes, ignore_conflicts=True, batch_size=500)
    # The ones this round wrote (ignore_conflicts sets no ids on PostgreSQL): stamped with its now.
    fresh = list(Notification.objects.filter(source=source, source_id__in={n.source_id for n in notes},
                                             created_at=now))
    return len(fresh), _deliveries(fresh, now) if outbound else 0


def _label(row, action_field: str = "action") -> str:
    label = getattr(row, "label", "") or ""
    if not label and hasattr(row, f"get_{action_field}_display"):
        label = str(getattr(row, f"get_{action_field}_display")())
    return label


def _deliveries(notes: list[Notification], now: datetime) -> int:
    """One delivery per outbound channel each recipient chose, held to the end of quiet hours."""
    on = adapters()
    outbound = [c for c in dn.OUTBOUND if c in on]
    if not notes or not outbound:
        return 0
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in={n.user_id for n in notes})}
    ids = {n.user_id for n in notes}
    emails = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "email"))
    # The account's phone when the preference names none (a person sets one to use another).
    phones = dict(Profile.objects.filter(user_id__in=ids).exclude(phone="").values_list("user_id", "phone"))
    local = timezone.localtime(now)
    rows = []
    for n in notes:
        p = prefs.get(n.user_id)
        chosen = dn.channels_for(Topic(n.topic), p.channels if p else None, outbound)
        quiet = p.quiet if p else dn.DEFAULT_QUIET
        for ch in outbound:
            if ch not in chosen:
                continue
            address = {Channel.SMS: (p.phone if p and p.phone else phones.get(n.user_id, "")),
                       Channel.WECHAT: p.wechat_openid if p else "",
                       Channel.EMAIL: (p.email if p and p.email else emails.get(n.user_id, ""))}[ch]
            if not address:
                continue
            rows.append(Delivery(key=f"n{n.pk}:{ch.value}", notification=n, channel=ch.value, topic=n.topic,
                                 address=address, number=n.number, subject=n.text, link=conf.absolute(n.link),
                                 next_at=dn.not_before(local, ch, *quiet), created_at=now))
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def _notices(now: datetime) -> int:
    """casework.Notice → one SMS delivery each (parties have no preferences: the default quiet
    hours hold).  Only the number and the public tracking link go out, whatever the notice says."""
    if Channel.SMS not in adapters():
        return 0
    source = Notice._meta.db_table
    upto = _mark(source)
    first = not Mark.objects.filter(source=source).exists()
    with transaction.atomic():
        recent = Q(created_at__gte=now - LOOKBACK)
        pending = list(Notice.objects.filter(sent_at__isnull=True).filter(
            recent if first else Q(id__gt=upto) | recent).order_by("id")[:BATCH])
        if first:
            upto = Notice.objects.aggregate(m=Max("id"))["m"] or 0
        by_kind: dict[str, list[Notice]] = defaultdict(list)
        for n in pending:
            by_kind[n.kind].append(n)
        rows = []
        local = timezone.localtime(now)
        track = conf.get("GONGZHI_NOTIFY_TRACK_PATH")
        for kind, notices in by_kind.items():
            s = registry.spec(kind)
            cases = s.cases(sorted({n.case_id for n in notices})) if s else {}
            for n in notices:
                case = cases.get(n.case_id)
                if case is None or not n.phone:
                    continue
                number = s.number(case) if s else ""
                rows.append(Delivery(key=f"notice{n.pk}:sms", notice_id=n.pk, channel=Channel.SMS.value,
                                     topic=Topic.CASE_NOTICE.value, address=n.phone, number=number,
                                     subject=dn.headline(Topic.CASE_NOTICE, number, n.subject),
                                     link=conf.absolute(f"{track}?number={number}"),
                                     next_at=dn.not_before(local, Channel.SMS, *dn.DEFAULT_QUIET), created_at=now))
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        _advance(source, max(upto, pending[-1].id if pending else 0), now)
    return len(rows)
