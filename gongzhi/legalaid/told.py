"""Who is told what about a legal-aid application (issue 17): registered with notify from
LegalaidConfig.ready.  The applicant (with an account) is told of the decision; the office's staff
of new applications, 督办 and clocks; the lawyer of an assignment."""
from __future__ import annotations

from gongzhi import notify
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.legalaid import AidAction as A
from gongzhi.domain.notify import Topic as T
from gongzhi.domain.privacy import Person
from gongzhi.notify.people import users

from .models import Application
from .scope import lawyer_ids, office_ids


def office(app: Application, row) -> list[int]:
    return [u.pk for u in app.office.staff.all()]


def applicant(app: Application, row) -> list[int]:
    return users(app.applicant_user_id)


def lawyer(app: Application, row) -> list[int]:
    return users(app.lawyer.user_id if app.lawyer_id else None)


def _cases(ids: list[int]) -> dict[int, Application]:
    return Application.objects.select_related("office", "lawyer").prefetch_related("office__staff").in_bulk(ids)


def _people(app: Application) -> list[Person]:
    return [Person(app.applicant_name, app.phone, app.id_number)]


RULES = {
    A.SUBMIT: notify.Rule(T.DISPATCH, office),
    A.TRANSFER: notify.Rule(T.DISPATCH, office),
    A.APPROVE: notify.Rule(T.LEGAL_AID, applicant),
    A.DENY: notify.Rule(T.LEGAL_AID, applicant),
    A.ASSIGN: [notify.Rule(T.DISPATCH, lawyer), notify.Rule(T.LEGAL_AID, applicant)],
    A.REASSIGN: notify.Rule(T.DISPATCH, lawyer),
    A.SUPERVISE: notify.Rule(T.SUPERVISE, office),
    A.AUTO_SUPERVISE: notify.Rule(T.SUPERVISE, office),
    A.SLA_YELLOW: notify.Rule(T.OVERDUE, office),
    A.SLA_RED: notify.Rule(T.OVERDUE, office),
}


def register() -> None:
    notify.register(CaseKind.LEGAL_AID, rules=RULES, cases=_cases, number=lambda a: a.number or "",
                    link=lambda a: f"/legalaid/{a.pk}/", people=_people,
                    staff=lambda user: bool(office_ids(user) or lawyer_ids(user)))   # an office's staff, a lawyer
