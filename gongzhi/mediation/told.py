"""Who is told what about a mediation case (issue 17): registered with notify from
MediationConfig.ready.  Parties without an account get SMS through casework.Notice (受理、调解提醒);
accounts (the mediator, an applicant who applied online) are told here, in-app and on the
channels they chose."""
from __future__ import annotations

from gongzhi import notify
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.mediation import CaseAction as A
from gongzhi.domain.notify import Topic as T
from gongzhi.domain.privacy import Person
from gongzhi.notify.people import users

from .models import Case
from .scope import org_ids


def mediator(case: Case, row) -> list[int]:
    return users(case.mediator.user_id if case.mediator_id else None)


def applicant(case: Case, row) -> list[int]:
    return users(case.applicant_user_id)


def both(case: Case, row) -> list[int]:
    return mediator(case, row) + applicant(case, row)


def _cases(ids: list[int]) -> dict[int, Case]:
    return Case.objects.select_related("mediator").prefetch_related("parties").in_bulk(ids)


def _people(case: Case) -> list[Person]:
    return [Person(p.name, p.phone, p.id_number) for p in case.parties.all()]


RULES = {
    A.ASSIGN: notify.Rule(T.DISPATCH, mediator),
    A.TRANSFER: notify.Rule(T.DISPATCH, mediator),
    A.ACCEPT: notify.Rule(T.CASE_NOTICE, applicant),
    A.REFUSE: notify.Rule(T.CASE_NOTICE, applicant),
    A.SCHEDULE: notify.Rule(T.SESSION, both),
    A.REMIND: notify.Rule(T.SESSION, both),          # the sweep's 调解提醒: the session is within 24 hours
    A.SUPERVISE: notify.Rule(T.SUPERVISE, mediator),
    A.AUTO_SUPERVISE: notify.Rule(T.SUPERVISE, mediator),
    A.SLA_YELLOW: notify.Rule(T.OVERDUE, mediator),
    A.SLA_RED: notify.Rule(T.OVERDUE, mediator),
}


def register() -> None:
    notify.register(CaseKind.MEDIATION, rules=RULES, cases=_cases, number=lambda c: c.number or "",
                    link=lambda c: f"/mediation/{c.pk}/", people=_people,
                    staff=lambda user: bool(org_ids(user)))       # a mediator: the settings list these topics
