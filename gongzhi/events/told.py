"""Who is told what about an event (issue 17): registered with notify from EventsConfig.ready.

The handling queue is told of new work, 督办 and clocks; the dispatching centre of a return; the
departments called by 吹哨; the reporter (an account's own report) of the answer and the revisit;
whoever put an event under 督办 of its 办结 (the 督办 card's answer: a supervisor is told nothing else).
Messages carry the topic, the number and the action's name, never the reporter (notify.fanout)."""
from __future__ import annotations

from gongzhi import notify
from gongzhi.domain.enums import Action as A, CaseKind
from gongzhi.domain.notify import Topic as T
from gongzhi.domain.privacy import Person
from gongzhi.notify.people import area_holders as holders, centre_staff, department_staff, users

from .models import CoHandler, Event, EventAction, Extension, Supervision


def holder_at(ev: Event, row=None) -> tuple[int | None, int | None]:
    """(area id, department id) of who held the event when ``row`` was written.  A row that moved
    it records where it went (``to_area`` / ``to_department``, events.services.moved_to); any other
    row (a clock's flip, a 督办, a 重办) was the holder's after the last move before it.  Only when
    no row says (a row written before rows recorded it, or an event still where intake routed it)
    is the present holder read — so a fan-out that runs late, after a later move, tells each row's
    own team (a 派遣 its grid, the 上报 that followed the community)."""
    if row is not None:
        where = _where(row.data)
        if where is None and row.action not in MOVES:
            # The last move before it (only the last: a move that recorded nothing hides older ones).
            where = _where(EventAction.objects.filter(event_id=ev.pk, id__lt=row.id, action__in=MOVES)
                           .order_by("-id").values_list("data", flat=True).first())
        if where is not None:
            return where
    return ev.handler_area_id, ev.handler_department_id


def _where(data) -> tuple[int | None, int | None] | None:
    if not isinstance(data, dict) or ("to_area" not in data and "to_department" not in data):
        return None
    return data.get("to_area"), data.get("to_department")


def queue(ev: Event, row=None) -> list[int]:
    """Who works the event where it was at the row: its department's staff, or its area's team."""
    area, department = holder_at(ev, row)
    if department:
        return department_staff([department])
    return holders(area)


def called(ev: Event, row) -> list[int]:
    depts = CoHandler.objects.filter(event=ev).values_list("department_id", flat=True)
    return department_staff(depts)


def requester(ev: Event, row) -> list[int]:
    """Who asked for the extension this row decided (it may have moved on since), and the queue."""
    asked = Extension.objects.filter(event=ev, decided_at=row.at).values_list("requested_by_id", flat=True)
    return list(asked) + queue(ev, row)


def dispatcher(ev: Event, row) -> list[int]:
    return centre_staff(ev.dispatcher_area_id or ev.handler_area_id)


def supervisors(ev: Event, row) -> list[int]:
    return list(Supervision.objects.filter(event=ev).values_list("by_id", flat=True).distinct())


def reporter(ev: Event, row) -> list[int]:
    return users(ev.reporter_id)


def _cases(ids: list[int]) -> dict[int, Event]:
    return Event.objects.only("id", "number", "handler_department_id", "handler_area_id", "dispatcher_area_id",
                              "reporter_id", "reporter_name", "reporter_phone", "reporter_id_number",
                              "kind", "supervision").in_bulk(ids)


def _people(ev: Event) -> list[Person]:
    return [Person(ev.reporter_name, ev.reporter_phone, ev.reporter_id_number)] if ev.reporter_name else []


# The actions that move an event to another holder (their rows record where: services.moved_to).
MOVES = (A.DISPATCH, A.ESCALATE, A.SKIP_ESCALATE, A.AUTO_ESCALATE, A.RETURN, A.MEDIATION_FAILED)

RULES = {
    A.DISPATCH: notify.Rule(T.DISPATCH, queue),
    A.ESCALATE: notify.Rule(T.DISPATCH, queue),
    A.SKIP_ESCALATE: notify.Rule(T.DISPATCH, queue),
    A.AUTO_ESCALATE: notify.Rule(T.OVERDUE, queue),
    A.REOPEN: notify.Rule(T.RETURNED, queue),
    A.WHISTLE: notify.Rule(T.WHISTLE, called),
    # The centre that dispatched decides an extension: it is told one waits (审批延期).
    A.REQUEST_EXTENSION: notify.Rule(T.EXTENSION, dispatcher),
    A.APPROVE_EXTENSION: notify.Rule(T.EXTENSION, requester),
    A.DENY_EXTENSION: notify.Rule(T.EXTENSION, requester),
    A.RETURN: notify.Rule(T.RETURNED, dispatcher),
    A.VERIFY_FAIL: notify.Rule(T.RETURNED, queue),
    A.SLA_YELLOW: notify.Rule(T.OVERDUE, queue),
    A.SLA_RED: notify.Rule(T.OVERDUE, queue),
    A.SUPERVISE: notify.Rule(T.SUPERVISE, queue),
    A.RESOLVE: notify.Rule(T.SUPERVISE, supervisors, when=lambda ev, row: bool(ev.supervision)),
    A.ANSWER: notify.Rule(T.ANSWER, reporter),
    A.REVISIT: notify.Rule(T.REVISIT, reporter),
}


def register() -> None:
    notify.register(CaseKind.EVENT, rules=RULES, cases=_cases, number=lambda ev: ev.number,
                    link=lambda ev: f"/e/{ev.pk}/", people=_people, timeline=EventAction, case_field="event_id")
