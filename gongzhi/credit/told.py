"""Who is told what about a credit file (issue 17): registered with notify from CreditConfig.ready.

The community's credit officers (信用专员) hear of what a resident asks of them — an objection
(异议) to an entry, a repair application — and of the clocks on those; the resident (when their
registry record has an account) of the decision, opened on their own page (/credit/me/), never an
officer's.  A file has no number of its own to name in a message, so its entries tell nobody here.
Their name, phone and ID number are masked in any text (``people``)."""
from __future__ import annotations

from gongzhi import notify
from gongzhi.domain import credit as dc
from gongzhi.domain.enums import CaseKind
from gongzhi.domain.notify import Topic as T
from gongzhi.domain.privacy import Person
from gongzhi.notify.people import users

from .models import Dispute, Office, Repair
from .scope import is_officer

DA, RA = dc.DisputeAction, dc.RepairAction
MINE = "/credit/me/"


def officers(row, log) -> list[int]:
    return list(Office.objects.filter(community_id=row.file.community_id, active=True, officers__isnull=False)
                .values_list("officers", flat=True).distinct())


def resident(row, log) -> list[int]:
    return users(row.file.person.user_id)


def _people(row) -> list[Person]:
    p = row.file.person
    return [Person(p.name, p.phone, p.id_number)]


def _loader(model):
    return lambda ids: model.objects.select_related("file__person").in_bulk(ids)


TOLD_RESIDENT = notify.Rule(T.CREDIT, resident, link=lambda row: MINE)

DISPUTE_RULES = {
    DA.FILE: notify.Rule(T.CREDIT, officers),
    DA.UPHOLD: TOLD_RESIDENT,
    DA.DISMISS: TOLD_RESIDENT,
    DA.SLA_YELLOW: notify.Rule(T.OVERDUE, officers),
    DA.SLA_RED: notify.Rule(T.OVERDUE, officers),
}
REPAIR_RULES = {
    RA.APPLY: notify.Rule(T.CREDIT, officers),
    RA.GRANT: TOLD_RESIDENT,
    RA.REFUSE: TOLD_RESIDENT,
    RA.SLA_YELLOW: notify.Rule(T.OVERDUE, officers),
    RA.SLA_RED: notify.Rule(T.OVERDUE, officers),
}


def register() -> None:
    for kind, rules, model, link in (
            (CaseKind.CREDIT_DISPUTE, DISPUTE_RULES, Dispute, lambda d: f"/credit/disputes/{d.pk}/"),
            (CaseKind.CREDIT_REPAIR, REPAIR_RULES, Repair, lambda r: f"/credit/repairs/{r.pk}/")):
        notify.register(kind, rules=rules, cases=_loader(model), number=lambda r: r.number or "",
                        link=link, people=_people, staff=is_officer)
