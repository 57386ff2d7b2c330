"""Who is told what about a civil case (issue 17): registered with notify from CourtConfig.ready.

The court's 速裁 team hears of a case to triage (登记, or one taken in from a failed mediation);
the judge of a hearing booked for them and of the clocks on their cases (the team while no judge
holds it).  The mediation committee that sent a failed case over (诉调对接) hears of its outcome
only — 宣判, 调解结案, 撤诉, 转普通程序 — and opens it on its own mediation case's page, where it
reads the outcome (court.selectors.sent_outcome), never the court's file.  Parties have no
account here; their names are masked in any text (``people``)."""
from __future__ import annotations

from gongzhi import notify
from gongzhi.domain.court import CivilAction as A, CivilStatus as S
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.notify import Topic as T
from gongzhi.domain.privacy import Person
from gongzhi.notify.people import users

from .models import CivilCase
from .scope import is_court_staff


def team(case: CivilCase, row) -> list[int]:
    return [m.user_id for m in case.court.members.all() if m.active]


def judge(case: CivilCase, row) -> list[int]:
    return users(case.judge_id)


def judge_or_team(case: CivilCase, row) -> list[int]:
    """A clock of a booked case (the trial's, the judgment's) is its judge's; before a hearing is
    booked (诉前调解, 待排期) the team's — by the status the clock flipped in."""
    booked = row.to_status in (S.SCHEDULED, S.HEARD)
    return judge(case, row) if booked and case.judge_id else team(case, row)


def committee(case: CivilCase, row) -> list[int]:
    """The mediators (with an account) of the committee whose failed case this came from."""
    if case.mediation_id is None:
        return []
    return [m.user_id for m in case.mediation.organisation.mediators.all() if m.active and m.user_id]


def _sent_from(case: CivilCase) -> str:
    return f"/mediation/{case.mediation_id}/"


def _cases(ids: list[int]) -> dict[int, CivilCase]:
    return (CivilCase.objects.select_related("court", "mediation__organisation")
            .prefetch_related("court__members", "mediation__organisation__mediators", "parties").in_bulk(ids))


def _people(case: CivilCase) -> list[Person]:
    return [Person(p.name, p.phone, p.id_number) for p in case.parties.all()]


OUTCOME = notify.Rule(T.CASE_NOTICE, committee, when=lambda c, r: c.mediation_id is not None, link=_sent_from)

RULES = {
    A.REGISTER: notify.Rule(T.DISPATCH, team),
    A.INTAKE: notify.Rule(T.DISPATCH, team),
    A.BOOK: notify.Rule(T.DISPATCH, judge),
    A.SLA_YELLOW: notify.Rule(T.OVERDUE, judge_or_team),
    A.SLA_RED: notify.Rule(T.OVERDUE, judge_or_team),
    A.JUDGE: OUTCOME,
    A.MEDIATE: OUTCOME,
    A.WITHDRAW: OUTCOME,
    A.TRIAGE_TRANSFER: OUTCOME,
    A.OVERRIDE_TRANSFER: OUTCOME,
}


def register() -> None:
    notify.register(CaseKind.CIVIL, rules=RULES, cases=_cases, number=lambda c: c.number or "",
                    link=lambda c: f"/court/{c.pk}/", people=_people, staff=is_court_staff)
