"""Reading legal-aid applications: scoped lists, one application in full (logged) or masked."""
from __future__ import annotations

from gongzhi.casework.acts import document_for, documents, timeline
from gongzhi.casework.models import Document
from gongzhi.core import audit
from gongzhi.domain.enums import SlaFlag, SupervisionLevel
from gongzhi.domain.legalaid import AidAction, AidClock, AidStatus, Matter, Penalty, Specialty, complex_refusal
from gongzhi.domain.privacy import Person, redact_people, sees_in_full

from . import scope, services
from .models import Application

TABS = {
    "submitted": ("待审查", [AidStatus.SUBMITTED]),
    "approved": ("待指派", [AidStatus.APPROVED]),
    "handling": ("承办中", [AidStatus.ASSIGNED, AidStatus.HANDLING]),
    "review": ("待评查/回访", [AidStatus.CONCLUDED, AidStatus.REVIEWED]),
    "done": ("已办结", [AidStatus.CLOSED, AidStatus.DENIED, AidStatus.WITHDRAWN]),
}


def app_list(user, *, tab: str | None = None, status: str | None = None, flag: SlaFlag | None = None):
    qs = scope.visible_applications(user).select_related("office", "lawyer")
    if tab in TABS:
        qs = qs.filter(status__in=TABS[tab][1])
    if status:
        qs = qs.filter(status=status)
    if flag:            # the stored flag the sweep keeps (core.sweep), e.g. every red application
        qs = qs.filter(sla_flag=flag)
    return qs.order_by("-submitted_at", "-id")


def summary(app: Application, full: bool = False) -> dict:
    return {"id": app.id, "number": app.number, "status": app.status, "status_label": AidStatus(app.status).label,
            "matter": app.matter, "matter_label": Matter(app.matter).label, "office": app.office.name,
            "lawyer": app.lawyer.name if app.lawyer_id else None, "submitted_at": app.submitted_at,
            "decision_due_at": app.decision_due_at,
            # The running clock (审查决定/指派律师) and the flag the sweep stored: never computed here.
            "clock": app.clock, "clock_label": AidClock(app.clock).label if app.clock else "",
            "due_at": app.due_at, "sla_flag": app.sla_flag, "sla_label": SlaFlag(app.sla_flag).label,
            "overdue": app.sla_flag == SlaFlag.RED,
            "supervision": app.supervision,
            "supervision_label": SupervisionLevel(app.supervision).label if app.supervision else "",
            "complex_case": app.complex_case,
            "applicant": services.applicant_view(app, full)["name"]}


def detail(user, app_id: int) -> dict:
    app = services.load(user, app_id)
    caps = scope.capacities(user, app)
    who = scope.viewer(user, app, caps)
    full = sees_in_full(who)
    applicant = Person(app.applicant_name, app.phone, app.id_number)
    # Free text names people: the receiving office and administrators, who see the applicant
    # masked, read it redacted by the applicant's and the opposing party's name, phone and ID
    # number (domain.privacy.redact_people); what only the handling office and lawyer need (the
    # result, the eligibility basis, the opposing party) is withheld from them.
    people = [applicant, Person(app.opposing_party)]

    def text(s: str) -> str:
        return s if full else redact_people(s, people)

    if full:
        audit.record(user, services.KIND, app.pk, "查看法律援助申请")
    return {
        **summary(app, full), "version": app.version, "channel": app.channel,
        "received_by": app.received_by.name, "area": app.area.name,
        "applicant_detail": services.applicant_view(app, full),
        "minor": app.minor, "exempt": app.exempt.name if app.exempt_id else "", "pledge": app.pledge,
        "specialty": app.specialty, "specialty_label": Specialty(app.specialty).label if app.specialty else "",
        "penalty": app.penalty, "penalty_label": Penalty(app.penalty).label,
        "summary": text(app.summary), "opposing_party": app.opposing_party if full else "",
        "claim_amount": app.claim_amount, "chosen_lawyer": app.chosen_lawyer.name if app.chosen_lawyer_id else None,
        "eligibility_basis": app.eligibility_basis if full else "", "decided_at": app.decided_at,
        # Why the decision takes longer: staff's words about the matter, redacted like the others.
        "complex_reason": text(app.complex_reason),
        # Redacted, not withheld: a denial's reason is what an objection (异议) is about, and why
        # a lawyer was assigned is what oversight checks.
        "decision_reason": text(app.decision_reason), "lawyer_reason": text(app.lawyer_reason),
        "assigned_at": app.assigned_at,
        "lawyer_firm": app.lawyer.firm if app.lawyer_id else None,
        "concluded_at": app.concluded_at, "result": app.result if full else "", "recovered": app.recovered,
        "review_score": app.review_score, "review_grade": app.review_grade, "satisfaction": app.satisfaction,
        "reviews": [{"expert": r.expert, "score": r.score, "comment": text(r.comment)} for r in app.reviews.all()],
        "documents": documents(services.KIND, app.pk) if full else [],
        "capacities": sorted(caps),
        "actions": [a.value for a in services.APPLICATION.actions(user, app, caps)
                    # 案情复杂 once, while the decision clock runs (the service refuses the rest with
                    # a 409, for the same reason): a page should not offer a button that can only fail.
                    if a != AidAction.COMPLEX or complex_refusal(app.clock, app.complex_case) is None],
        "timeline": timeline(services.APPLICATION, app, who, subject=applicant, people=people),
    }


def document(user, app_id: int, doc_id: int) -> Document:
    return document_for(services.APPLICATION, user, app_id, doc_id)
