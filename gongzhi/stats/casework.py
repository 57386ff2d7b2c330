"""调解 and 法律援助 figures: accepted, succeeded, success rate (1,298 / 1,581 = 82.1%), amounts,
average duration; cases, consultations, recovered losses.  Case volumes are thousands a year,
so these are live queries (no rollup needed).

Callers pass the base querysets: the API the user's own scope (a committee sees its cases), the
dashboard an area (aggregates carry no personal data, and ``queries.filters`` already checked the
user may read that area)."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from statistics import mean

from django.db.models import Avg, Count, F, Q, Sum

from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.enums import SlaFlag
from gongzhi.domain.legalaid import AidStatus
from gongzhi.domain.mediation import CaseStatus, RiskLevel, success_rate
from gongzhi.legalaid.models import Application, Consultation
from gongzhi.legalaid.scope import office_ids, visible_applications
from gongzhi.mediation.models import Case
from gongzhi.mediation.scope import visible_cases

from .queries import EARLIEST, LATEST

# breakdown → (the column grouped on, the name shown)
BY = {"type": ("dispute_type_id", "dispute_type__name"), "organisation": ("organisation_id", "organisation__name"),
      "mediator": ("mediator_id", "mediator__name")}


def _span(start: date, end: date) -> tuple[datetime, datetime]:
    from gongzhi.core.errors import Invalid
    if not EARLIEST <= start <= end <= LATEST:
        raise Invalid("统计期间无效：开始不晚于结束，且在 2000–2100 年之间", fields={"start": "期间无效"})
    return datetime.combine(start, time(0), SHANGHAI), datetime.combine(end, time(23, 59, 59), SHANGHAI)


# Aliases must not shadow field names used in the filters (Django refuses), hence n_*.
_MEASURES = {
    "n_applied": Count("id"), "n_accepted": Count("id", filter=Q(accepted_at__isnull=False)),
    "n_succeeded": Count("id", filter=Q(succeeded=True)), "n_concluded": Count("id", filter=Q(succeeded__isnull=False)),
    "n_on_time": Count("id", filter=Q(succeeded__isnull=False, concluded_at__lte=F("due_at"))),
    "n_amount": Sum("amount", filter=Q(accepted_at__isnull=False)),
    "n_high_risk": Count("id", filter=Q(risk_level=RiskLevel.HIGH, status__in=[
        CaseStatus.APPLIED, CaseStatus.ACCEPTED, CaseStatus.MEDIATING])),
    # The 调解期限 flags the sweep stores now (core.sweep): a stopped clock is green again.
    "n_yellow": Count("id", filter=Q(sla_flag=SlaFlag.YELLOW)),
    "n_overdue": Count("id", filter=Q(sla_flag=SlaFlag.RED)),
}


def _finish(agg: dict, spans: list[float]) -> dict:
    """Raw counts → the figures people read (rates, amount, average days)."""
    row = {k[2:]: v for k, v in agg.items() if k.startswith("n_")}
    row["amount"] = row["amount"] or Decimal(0)
    row["success_rate"] = success_rate(row["succeeded"], row["concluded"])
    row["on_time_rate"] = round(100 * row["on_time"] / row["concluded"], 1) if row["concluded"] else None
    row["avg_days"] = round(mean(spans), 1) if spans else None
    return row


def _spans(qs, *group) -> dict:
    """Days from acceptance to outcome, per group key (or under None for all)."""
    out: dict = {}
    for *key, a, c in qs.filter(concluded_at__isnull=False, accepted_at__isnull=False).order_by().values_list(
            *group, "accepted_at", "concluded_at"):
        out.setdefault(key[0] if key else None, []).append((c - a).total_seconds() / 86400)
    return out


def mediation(cases, start: date, end: date, by: str | None = None) -> dict:
    """Totals and, when asked, one row per type / organisation / mediator — each in one query."""
    lo, hi = _span(start, end)
    qs = cases.filter(applied_at__range=(lo, hi))
    out = {"totals": _finish(qs.aggregate(**_MEASURES), _spans(qs).get(None, [])), "rows": []}
    if by in BY:
        field, name = BY[by]
        grouped = qs.exclude(**{f"{field}__isnull": True}).order_by().values(field, name).annotate(**_MEASURES)
        spans = _spans(qs, field)
        out["rows"] = sorted(({"id": g[field], "key": g[name], **_finish(g, spans.get(g[field], []))} for g in grouped),
                             key=lambda r: (-r["accepted"], r["key"]))
    return out


def legalaid(applications, consultations, start: date, end: date) -> dict:
    lo, hi = _span(start, end)
    qs = applications.filter(submitted_at__range=(lo, hi))
    agg = qs.aggregate(
        n_applications=Count("id"),
        n_approved=Count("id", filter=Q(decided_at__isnull=False) & ~Q(status=AidStatus.DENIED)),
        n_denied=Count("id", filter=Q(status=AidStatus.DENIED)),
        n_assigned=Count("id", filter=Q(assigned_at__isnull=False)),
        n_concluded=Count("id", filter=Q(concluded_at__isnull=False)), n_recovered=Sum("recovered"),
        n_review_score=Avg("review_score"), n_satisfaction=Avg("satisfaction"),
        n_decided_on_time=Count("id", filter=Q(decided_at__isnull=False, decided_at__lte=F("decision_due_at"))),
        n_decided=Count("id", filter=Q(decided_at__isnull=False)),
        # The decision/assignment clocks' flags the sweep stores now (core.sweep).
        n_yellow=Count("id", filter=Q(sla_flag=SlaFlag.YELLOW)), n_overdue=Count("id", filter=Q(sla_flag=SlaFlag.RED)))
    agg = {k[2:]: v for k, v in agg.items()}
    agg["consultations"] = consultations.filter(at__range=(lo, hi)).count()
    agg["recovered"] = agg["recovered"] or Decimal(0)
    agg["review_score"] = round(float(agg["review_score"]), 1) if agg["review_score"] is not None else None
    agg["satisfaction"] = round(float(agg["satisfaction"]), 2) if agg["satisfaction"] is not None else None
    agg["decision_on_time_rate"] = round(100 * agg["decided_on_time"] / agg["decided"], 1) if agg["decided"] else None
    return agg


def for_user(user, start: date, end: date, by: str | None = None) -> tuple[dict, dict]:
    """What a committee, an office or a lawyer sees of its own work (the API)."""
    from gongzhi.core.scope import scope_of
    consultations = Consultation.objects.all()
    if not scope_of(user).is_admin:
        consultations = consultations.filter(office_id__in=office_ids(user))
    return (mediation(visible_cases(user), start, end, by),
            legalaid(visible_applications(user), consultations, start, end))


def flagged_now(path: str) -> dict[str, dict[str, int]]:
    """The dashboards' overdue counts of cases, as they stand now (not per period): per kind, the
    yellow and red flags the sweep keeps on cases located in the area.  A stopped clock is green,
    so every flag counted is an open case's running clock (casework.clocks.STOPPED)."""
    out = {}
    for key, qs in (("mediation", Case.objects.filter(area_path__startswith=path)),
                    ("legalaid", Application.objects.filter(area__path__startswith=path))):
        got = {r["sla_flag"]: r["n"] for r in qs.exclude(sla_flag=SlaFlag.GREEN).order_by().values("sla_flag")
               .annotate(n=Count("id"))}
        out[key] = {"yellow": got.get("yellow", 0), "red": got.get("red", 0)}
    return out


def for_area(path: str, start: date, end: date, by: str | None = None) -> tuple[dict, dict]:
    """An area's figures for the dashboard: cases located in it, offices sitting in it."""
    return (mediation(Case.objects.filter(area_path__startswith=path), start, end, by),
            legalaid(Application.objects.filter(area__path__startswith=path),
                     Consultation.objects.filter(office__area__path__startswith=path), start, end))
