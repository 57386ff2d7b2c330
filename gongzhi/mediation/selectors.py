"""Reading dispute cases: lists scoped to the user, one case in full (parties masked unless the
user's organisation handles it; every full read is logged)."""
from __future__ import annotations

from gongzhi.casework.acts import document_for, documents, timeline
from gongzhi.casework.models import Document
from gongzhi.core import audit
from gongzhi.domain.enums import SlaFlag, SupervisionLevel
from gongzhi.domain.mediation import CaseStatus, OrgKind, PartyRole, RiskLevel, SessionMode, Source
from gongzhi.domain.privacy import Person, is_public, redact_people, sees_in_full

from . import scope, services
from .models import Case

TABS = {
    "applied": ("待受理", [CaseStatus.APPLIED]),
    "working": ("调解中", [CaseStatus.ACCEPTED, CaseStatus.MEDIATING]),
    "agreement": ("待签协议", [CaseStatus.SUCCEEDED]),
    "performing": ("履行回访", [CaseStatus.SIGNED]),
    "done": ("已办结", [CaseStatus.CLOSED, CaseStatus.FAILED, CaseStatus.REFUSED, CaseStatus.WITHDRAWN]),
}


def case_list(user, *, status: str | None = None, tab: str | None = None, dispute_type: str | None = None,
              flag: SlaFlag | None = None):
    # The parties come along: a row's facts are redacted by their names (summary).
    qs = scope.visible_cases(user).select_related("dispute_type", "organisation", "mediator").prefetch_related(
        "parties")
    if tab in TABS:
        qs = qs.filter(status__in=TABS[tab][1])
    if status:
        qs = qs.filter(status=status)
    if dispute_type:
        qs = qs.filter(dispute_type__code=dispute_type)
    if flag:            # the stored flag the sweep keeps (core.sweep), e.g. every red case
        qs = qs.filter(sla_flag=flag)
    return qs.order_by("-applied_at", "-id")


def summary(case: Case) -> dict:
    """A list row.  Lists are not logged reads (the detail logs the full read), so every row shows
    its facts as a reader who sees the parties masked does, like the legal-aid list names the
    applicant masked to everyone.  Redacted before it is cut: a name split by the cut would not
    be found."""
    return {"id": case.id, "number": case.number, "status": case.status,
            "status_label": CaseStatus(case.status).label, "dispute_type": case.dispute_type.name,
            "organisation": case.organisation.name, "mediator": case.mediator.name if case.mediator else None,
            "risk_level": case.risk_level, "risk_label": RiskLevel(case.risk_level).label,
            "applied_at": case.applied_at, "due_at": case.due_at,
            # The flag the sweep stored on the 调解期限 clock: never computed on a read.
            "sla_flag": case.sla_flag, "sla_label": SlaFlag(case.sla_flag).label,
            "overdue": case.sla_flag == SlaFlag.RED,
            "supervision": case.supervision,
            "supervision_label": SupervisionLevel(case.supervision).label if case.supervision else "",
            "amount": case.amount, "facts": redact_people(case.facts, _people(case))[:80]}


def detail(user, case_id: int, *, purpose: str = "查看调解案件") -> dict:
    case = services.load(user, case_id)
    caps = scope.capacities(user, case)
    who = scope.viewer(user, case, caps)
    full = sees_in_full(who)
    # Free text names people: those who see the parties masked (centres, supervisors, admins)
    # read it redacted by the parties' names, phones and ID numbers (domain.privacy.redact_people);
    # the parties themselves and the committee read it as written.
    people = _people(case)

    def text(s: str) -> str:
        return s if full else redact_people(s, people)

    if full and user.is_authenticated:
        audit.record(user, services.KIND, case.pk, purpose)
    out = {
        **summary(case), "version": case.version, "source": case.source, "source_label": Source(case.source).label,
        "event": case.event.number if case.event_id else None, "event_id": case.event_id,
        "relation": case.relation, "facts": text(case.facts), "claim": text(case.claim), "urgency": case.urgency,
        "dialect": case.dialect, "area": case.area.name, "organisation_code": case.organisation.code,
        "organisation_kind": OrgKind(case.organisation.kind).label, "org_reason": case.org_reason,
        "mediator_reason": case.mediator_reason, "risk_flags": case.risk_flags,
        "accepted_at": case.accepted_at, "concluded_at": case.concluded_at, "signed_at": case.signed_at,
        # Redacted, not withheld: a centre or supervisor checks what was agreed and where the
        # parties were sent; the terms with names and ID numbers are in the agreement (.docx),
        # served only to those who read the parties in full.
        "agreement_terms": text(case.agreement_terms), "performance_terms": text(case.performance_terms),
        "referral": case.referral, "referral_to": text(case.referral_to),
        "confirmation_court": case.confirmation_court,
        "performance": case.performance, "succeeded": case.succeeded,
        "parties_masked": not full,
        "parties": [services.party_view(p, full) for p in case.parties.all()],
        "sessions": [{"id": x.id, "scheduled_at": x.scheduled_at, "mode": x.mode,
                      "mode_label": SessionMode(x.mode).label, "place": text(x.place), "link": x.link,
                      "held_at": x.held_at, "attendees": x.attendees if full else "",
                      "record": x.record if full else ("（已记录）" if x.record else ""),
                      "reminded": x.reminded_at is not None} for x in case.sessions.all()],
        "recusals": [{"mediator": r.mediator.name, "reason": text(r.reason), "by_party": r.by_party, "at": r.at}
                     for r in case.recusals.select_related("mediator")],
        "documents": documents(services.KIND, case.pk) if full else [],
        "capacities": sorted(caps),
        "actions": [a.value for a in services.CASE.actions(user, case, caps)],
        "timeline": timeline(services.CASE, case, who, subject=_applicant(case), people=people),
    }
    # The parties read where their case stands, not how the committee weighs it (民转刑 risk
    # flags, why this organisation or mediator was chosen): domain.privacy.is_public.
    return {**out, **_INTERNAL} if is_public(who) else out


_INTERNAL = {"org_reason": "", "mediator_reason": "", "risk_flags": [], "risk_level": RiskLevel.LOW.value,
             "risk_label": ""}


def _people(case: Case) -> list[Person]:
    return [Person(p.name, p.phone, p.id_number) for p in case.parties.all()]


def _applicant(case: Case) -> Person:
    first = next((p for p in case.parties.all() if p.role == PartyRole.APPLICANT), None)
    return Person(first.name, first.phone, first.id_number) if first else Person("")


def document(user, case_id: int, doc_id: int) -> Document:
    return document_for(services.CASE, user, case_id, doc_id)
