"""Reading civil cases: the desk's lists per track with counts, one case with its triage reason,
elements and their checks, hearings, series and documents (every read logged); the outcome a
mediation committee reads of a case it sent; the share of cases and outcomes per track."""
from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from gongzhi.casework.acts import document_for, documents, timeline
from gongzhi.casework.models import CaseKind
from gongzhi.core import audit
from gongzhi.domain import court as dc
from gongzhi.domain.privacy import Person
from gongzhi.domain.workflow import allowed_actions

from . import scope, services
from .models import CivilCase, Series

TRACKS = [t for t in dc.Track]


def case_list(user, *, track: dc.Track | None = None, open_only: bool = False, q: str = ""):
    qs = scope.visible_cases(user).select_related("court")
    if track is not None:
        qs = qs.filter(track=track)
    if open_only:
        qs = qs.filter(status__in=list(dc.OPEN))
    if q:
        qs = qs.filter(number__icontains=q) | qs.filter(parties__name__icontains=q)
    return qs.distinct().order_by("-registered_at", "-id")


def track_counts(user) -> dict[str, int]:
    rows = dict(scope.visible_cases(user).values_list("track").annotate(n=Count("id")))
    return {t.value: rows.get(t.value, 0) for t in dc.Track}


def summary(c: CivilCase) -> dict:
    return {"id": c.id, "number": c.number, "cause": c.cause, "cause_label": dc.Cause(c.cause).label,
            "track": c.track, "track_label": dc.Track(c.track).label, "status": c.status,
            "status_label": dc.CivilStatus(c.status).label, "amount": _yuan(c.amount_fen), "sla_flag": c.sla_flag,
            "due_at": c.due_at, "series": c.series_id, "registered_at": c.registered_at,
            "from_mediation": c.mediation_id is not None}


def _yuan(fen):
    return dc.yuan(fen) if fen is not None else ""


def detail(user, case_id: int) -> dict:
    case = services.load(user, case_id)
    caps = scope.capacities(user, case)
    audit.record(user, CaseKind.CIVIL, case.pk, "查看民事案件")
    form = [{"key": el.key, "label": el.label, "kind": el.kind.value, "required": el.required,
             "choices": [(c.value, c.label) for c in el.choices],
             "columns": [{"key": c.key, "label": c.label, "kind": c.kind.value,
                          "choices": [(x.value, x.label) for x in c.choices]} for c in el.columns],
             "value": case.elements.get(el.key, "")}
            for el in dc.FORMS.get(dc.Cause(case.cause), ())]
    series = None
    if case.series_id:
        s = case.series
        series = {"id": s.id, "respondent": s.respondent, "lead": s.lead_id,
                  "cases": [summary(c) for c in s.cases.order_by("id")]}
    # Through the one policy (casework.acts.timeline → core.timeline.read), the parties named as
    # domain.privacy says for this viewer.
    parties = [Person(p.name, p.phone, p.id_number) for p in case.parties.all()]
    rows = timeline(services.CASE, case, scope.viewer(user, case, caps),
                    subject=parties[0] if parties else Person(""), people=parties)
    return {**summary(case), "version": case.version, "court": case.court.name, "facts": case.facts,
            "claim": case.claim, "track_reason": case.track_reason, "suggested_track": case.suggested_track,
            "suggested_label": dc.Track(case.suggested_track).label, "override_reason": case.override_reason,
            "parties": [{"side": p.side, "side_label": dc.Litigant(p.side).label, "name": p.name, "phone": p.phone,
                         "address": p.address} for p in case.parties.all()],
            "flags": {"foreign": case.foreign, "counterclaim": case.counterclaim, "appraisal": case.appraisal,
                      "public_notice": case.public_notice, "mediated": case.mediated, "agreed_pct": case.agreed_pct},
            "mediation": case.mediation.number if case.mediation_id else "",
            "form": form, "elements": services.element_rows(case), "findings": case.findings,
            "hearings": [{"start": h.start, "end": h.end, "room": h.room, "cancelled": h.cancelled}
                         for h in case.hearings.all()],
            "clock": case.clock, "clock_label": dc.CivilClock(case.clock).label if case.clock else "",
            "trial_due_at": case.trial_due_at, "filed_on": case.filed_on, "outcome": case.outcome,
            "outcome_label": dc.Outcome(case.outcome).label if case.outcome else "", "terms": case.terms,
            "awarded": _yuan(case.awarded_fen), "on_spot": case.on_spot, "follow_draft": case.follow_draft,
            "series_info": series, "documents": documents(CaseKind.CIVIL, case.pk),
            "rooms": case.court.room_list,
            "actions": [a.value for a in allowed_actions(dc.CivilStatus(case.status), caps, dc.TRANSITIONS)],
            "is_judge": dc.Cap.JUDGE in caps,
            "timeline": [{"at": r["at"], "label": r["label"], "actor": r["actor"], "note": r["note"],
                          "reason": r["reason"]} for r in rows]}


def document(user, case_id: int, doc_id: int):
    return document_for(services.CASE, user, case_id, doc_id)


def sent_outcome(user, mediation_case_id: int) -> dict | None:
    """What the sending committee reads of the court case: its number, track, status and outcome."""
    c = scope.sent_by(user).filter(mediation_id=mediation_case_id).first()
    if c is None:
        return None
    return {"number": c.number, "track_label": dc.Track(c.track).label, "status_label": dc.CivilStatus(c.status).label,
            "outcome_label": dc.Outcome(c.outcome).label if c.outcome else "", "decided_at": c.decided_at}


def referral(user, mediation_case_id: int) -> dict | None:
    """The 诉调对接 panel of a mediation case page: what became of the case in court (the sending
    committee reads its outcome), or that this user may send it there; None: nothing to show."""
    from gongzhi.mediation.models import Case
    sent = sent_outcome(user, mediation_case_id)
    if sent is not None:
        return {"sent": sent, "may_send": False}
    mcase = Case.objects.filter(pk=mediation_case_id).first()
    if mcase is not None and services.may_send(user, mcase):
        return {"sent": None, "may_send": True}
    return None


def waiting_mediations(user):
    """Failed mediation cases not yet taken into a court (the desk's 诉调对接 picker)."""
    from django.db.models import Q

    from gongzhi.domain.mediation import CaseStatus as M, Referral
    from gongzhi.mediation.models import Case

    from .models import Court
    # only the mediation cases of the areas the user's courts have 辖区 over (never the installation's)
    paths = list(Court.objects.filter(pk__in=scope.court_ids(user), active=True).values_list("area__path", flat=True))
    if not paths:
        return Case.objects.none()
    within = Q()
    for path in paths:
        within |= Q(area_path__startswith=path)
    return (Case.objects.filter(within, status__in=[M.FAILED, M.CLOSED], succeeded=False,
                                referral=Referral.LITIGATION, court_case__isnull=True)
            .select_related("organisation", "dispute_type").order_by("-concluded_at")[:50])


def shares(user=None) -> list[dict]:
    """Per track: cases, closed, outcomes and the track's share of all (the court's staff: their
    courts; no user: every court, for the statistics page)."""
    qs = CivilCase.objects.all() if user is None else scope.visible_cases(user)
    rows = list(qs.values_list("track", "status", "outcome"))
    return [{"track": s.track.value, "track_label": s.track.label, "cases": s.cases, "closed": s.closed,
             "pct": pct, "outcomes": [(dc.Outcome(o).label, n) for o, n in s.outcomes.items()]}
            for s, pct in dc.shares(rows)]


def series_list(user) -> list[dict]:
    return [{"id": s.id, "cause_label": dc.Cause(s.cause).label, "respondent": s.respondent, "lead": s.lead_id,
             "lead_number": s.lead.number if s.lead_id else "", "count": s.cases.count()}
            for s in Series.objects.filter(court_id__in=scope.court_ids(user)).select_related("lead")]


def today():
    return timezone.localdate()
