"""The closed loop as one table: which action moves an event from which statuses to which.

Every write in the system asks :func:`transition` first, so a forbidden move is refused
the same way from the API, the pages and the SLA worker.  ``target=None`` means the action
is recorded on the timeline without changing the status (extension requests, 督办 ...).
"""
from dataclasses import dataclass
from enum import StrEnum

from .enums import Action, Status

S = Status


class Capacity(StrEnum):
    """In what capacity a user may take an action on one event (resolved by the scope layer)."""

    REPORTER = "reporter"      # the person who reported it
    HANDLER = "handler"        # member of the unit currently handling it
    CENTRE = "centre"          # centre staff whose area contains the event (dispatcher)
    CO_HANDLER = "co_handler"  # a department called in by 吹哨
    SUPERVISOR = "supervisor"  # 督查 staff in scope
    SYSTEM = "system"          # the SLA worker


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status | None
    capacities: frozenset[Capacity]
    needs_reason: bool = False


def _t(sources, target, *caps: Capacity, reason: bool = False) -> Transition:
    return Transition(frozenset(sources), target, frozenset(caps), reason)


C = Capacity
_WORKING = {S.DISPATCHED, S.HANDLING}

TRANSITIONS: dict[Action, Transition] = {
    Action.ACCEPT: _t({S.REPORTED}, S.ACCEPTED, C.CENTRE),
    Action.REJECT: _t({S.REPORTED}, S.REJECTED, C.CENTRE, reason=True),
    # Dispatch from the queue, or re-dispatch by the centre now holding it (e.g. after 上报).
    Action.DISPATCH: _t({S.ACCEPTED, S.DISPATCHED, S.HANDLING}, S.DISPATCHED, C.CENTRE),
    Action.SIGN: _t({S.DISPATCHED}, S.HANDLING, C.HANDLER),
    Action.RETURN: _t(_WORKING, S.ACCEPTED, C.HANDLER, reason=True),
    Action.REQUEST_EXTENSION: _t({S.HANDLING}, None, C.HANDLER, reason=True),
    Action.APPROVE_EXTENSION: _t({S.HANDLING}, None, C.CENTRE),
    Action.DENY_EXTENSION: _t({S.HANDLING}, None, C.CENTRE, reason=True),
    Action.ESCALATE: _t({S.ACCEPTED} | _WORKING, S.DISPATCHED, C.HANDLER, C.CENTRE, reason=True),
    Action.SKIP_ESCALATE: _t({S.ACCEPTED} | _WORKING, S.DISPATCHED, C.HANDLER, C.CENTRE, reason=True),
    Action.AUTO_ESCALATE: _t({S.ACCEPTED} | _WORKING, S.DISPATCHED, C.SYSTEM),
    Action.WHISTLE: _t(_WORKING, None, C.HANDLER, C.CENTRE, reason=True),
    Action.CHECK_IN: _t(_WORKING, None, C.CO_HANDLER),
    Action.SUPERVISE: _t({S.ACCEPTED, S.DISPATCHED, S.HANDLING, S.RESOLVED}, None,
                         C.CENTRE, C.SUPERVISOR, reason=True),
    Action.NOTE: _t({S.HANDLING}, None, C.HANDLER, C.CO_HANDLER),
    Action.RESOLVE: _t({S.HANDLING}, S.RESOLVED, C.HANDLER),
    Action.VERIFY: _t({S.RESOLVED}, S.VERIFIED, C.CENTRE),
    Action.VERIFY_FAIL: _t({S.RESOLVED}, S.HANDLING, C.CENTRE, reason=True),
    Action.ANSWER: _t({S.VERIFIED}, S.ANSWERED, C.CENTRE),
    Action.REVISIT: _t({S.ANSWERED}, S.REVISITED, C.CENTRE, C.REPORTER),
    Action.REOPEN: _t({S.ANSWERED, S.REVISITED}, S.DISPATCHED, C.CENTRE, C.REPORTER, reason=True),
    Action.CLOSE: _t({S.ANSWERED, S.REVISITED}, S.CLOSED, C.CENTRE),
    # 并单: a repeat of another open order stops here and follows that order (answer, close).
    Action.MERGE: _t({S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.HANDLING}, S.MERGED, C.CENTRE, reason=True),
    # 拆单: an order holding several matters gives one of them its own order.
    Action.SPLIT: _t({S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.HANDLING}, None, C.CENTRE),
    Action.SLA_YELLOW: _t({S.ACCEPTED, S.DISPATCHED, S.HANDLING, S.RESOLVED, S.ANSWERED}, None, C.SYSTEM),
    Action.SLA_RED: _t({S.ACCEPTED, S.DISPATCHED, S.HANDLING, S.RESOLVED, S.ANSWERED}, None, C.SYSTEM),
}


class TransitionError(Exception):
    """The action is not possible from the event's current status (a 409 to the client)."""

    def __init__(self, action: Action, status: Status):
        self.action, self.status = action, status
        super().__init__(f"{action.label}: 当前状态「{status.label}」不允许此操作")


class CapacityError(Exception):
    """The user holds none of the capacities the action needs (a 403 to the client)."""

    def __init__(self, action: Action):
        self.action = action
        super().__init__(f"您无权对该事件执行「{action.label}」")


class ReasonRequired(Exception):
    def __init__(self, action: Action):
        self.action = action
        super().__init__(f"「{action.label}」必须填写原因")


def transition(action: Action, status: Status, capacities: set[Capacity] | frozenset[Capacity],
               reason: str = "") -> Status:
    """1. the status must be a source; 2. the user must hold a capacity; 3. a reason if required.

    Returns the status after the action (unchanged when the action only records).
    """
    rule = TRANSITIONS.get(action)
    if rule is None or status not in rule.sources:
        raise TransitionError(action, status)
    if not (rule.capacities & set(capacities)):
        raise CapacityError(action)
    if rule.needs_reason and not reason.strip():
        raise ReasonRequired(action)
    return rule.target if rule.target is not None else status


def allowed_actions(status: Status, capacities: set[Capacity] | frozenset[Capacity]) -> list[Action]:
    """The actions a user could take now, for buttons and the API's ``actions`` field."""
    return [a for a, r in TRANSITIONS.items()
            if status in r.sources and r.capacities & set(capacities) and Capacity.SYSTEM not in r.capacities]
