"""The closed loop as one table: which action moves an event from which statuses to which.

Every write in the system asks :func:`transition` first, so a forbidden move is refused
the same way from the API, the pages and the SLA worker.  ``target=None`` means the action
is recorded on the timeline without changing the status (extension requests, 督办 ...).
"""
from collections.abc import Iterable, Mapping, Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from .enums import Action, Channel, Clock, EventKind, Status

S = Status


class Capacity(StrEnum):
    """In what capacity a user may take an action on one event (resolved by the scope layer)."""

    REPORTER = "reporter"      # the person who reported it
    HANDLER = "handler"        # member of the unit currently handling it
    CENTRE = "centre"          # centre staff whose area contains the event (dispatcher)
    CO_HANDLER = "co_handler"  # a department called in by 吹哨
    SUPERVISOR = "supervisor"  # 督查 staff in scope
    SYSTEM = "system"          # the SLA worker


# Each case kind has its own status and capacity enums (events here, mediation and legal aid in
# their modules); one Transition type serves all their tables.
St = TypeVar("St", bound=StrEnum)
Cap = TypeVar("Cap", bound=StrEnum)


@dataclass(frozen=True)
class Transition(Generic[St, Cap]):
    sources: frozenset[St]
    target: St | None
    capacities: frozenset[Cap]
    needs_reason: bool = False


def rule(sources: Iterable[St], target: St | None, *caps: Cap, reason: bool = False) -> Transition[St, Cap]:
    return Transition(frozenset(sources), target, frozenset(caps), reason)


C = Capacity
_WORKING = {S.DISPATCHED, S.HANDLING}

# In which statuses each clock runs: the services start a clock on entering these statuses and
# stop it on leaving them, and the sweep flags a row only while its clock runs in its status.
# The verify clock is 核查及答复 (the time-limit table's wording): it runs on through 核查通过 until
# the answer is given.  None runs in 转调解: the mediation case's 调解期限 counts instead, so the
# event is neither flagged nor auto-escalated while the committee works it.
CLOCK_RUNS_IN: dict[Clock, frozenset[Status]] = {
    Clock.SIGN: frozenset({S.ACCEPTED, S.DISPATCHED}),
    Clock.HANDLE: frozenset({S.HANDLING}),
    Clock.VERIFY: frozenset({S.RESOLVED, S.VERIFIED}),
    Clock.REVISIT: frozenset({S.ANSWERED}),
}
_CLOCKED = frozenset().union(*CLOCK_RUNS_IN.values())
# Where a dispute may still be handed to mediation: before anyone resolved it.
_TO_MEDIATION_FROM = {S.REPORTED, S.ACCEPTED} | _WORKING


def goes_to_mediation(kind: str, channel: str) -> bool:
    """Which events may become a mediation case: a 矛盾纠纷, or any 110 non-police transfer (the
    police hand over quarrels under whatever kind the caller's words suggested)."""
    return kind == EventKind.DISPUTE or channel == Channel.POLICE_110

TRANSITIONS: dict[Action, Transition] = {
    Action.ACCEPT: rule({S.REPORTED}, S.ACCEPTED, C.CENTRE),
    Action.REJECT: rule({S.REPORTED}, S.REJECTED, C.CENTRE, reason=True),
    # Dispatch from the queue, or re-dispatch by the centre now holding it (e.g. after 上报).
    Action.DISPATCH: rule({S.ACCEPTED, S.DISPATCHED, S.HANDLING}, S.DISPATCHED, C.CENTRE),
    Action.SIGN: rule({S.DISPATCHED}, S.HANDLING, C.HANDLER),
    Action.RETURN: rule(_WORKING, S.ACCEPTED, C.HANDLER, reason=True),
    Action.REQUEST_EXTENSION: rule({S.HANDLING}, None, C.HANDLER, reason=True),
    Action.APPROVE_EXTENSION: rule({S.HANDLING}, None, C.CENTRE),
    Action.DENY_EXTENSION: rule({S.HANDLING}, None, C.CENTRE, reason=True),
    Action.ESCALATE: rule({S.ACCEPTED} | _WORKING, S.DISPATCHED, C.HANDLER, C.CENTRE, reason=True),
    Action.SKIP_ESCALATE: rule({S.ACCEPTED} | _WORKING, S.DISPATCHED, C.HANDLER, C.CENTRE, reason=True),
    Action.AUTO_ESCALATE: rule({S.ACCEPTED} | _WORKING, S.DISPATCHED, C.SYSTEM),
    Action.WHISTLE: rule(_WORKING, None, C.HANDLER, C.CENTRE, reason=True),
    Action.CHECK_IN: rule(_WORKING, None, C.CO_HANDLER),
    Action.SUPERVISE: rule({S.ACCEPTED, S.DISPATCHED, S.HANDLING, S.RESOLVED}, None,
                         C.CENTRE, C.SUPERVISOR, reason=True),
    Action.NOTE: rule({S.HANDLING}, None, C.HANDLER, C.CO_HANDLER),
    Action.RESOLVE: rule({S.HANDLING}, S.RESOLVED, C.HANDLER),
    Action.VERIFY: rule({S.RESOLVED}, S.VERIFIED, C.CENTRE),
    Action.VERIFY_FAIL: rule({S.RESOLVED}, S.HANDLING, C.CENTRE, reason=True),
    Action.ANSWER: rule({S.VERIFIED}, S.ANSWERED, C.CENTRE),
    Action.REVISIT: rule({S.ANSWERED}, S.REVISITED, C.CENTRE, C.REPORTER),
    Action.REOPEN: rule({S.ANSWERED, S.REVISITED}, S.DISPATCHED, C.CENTRE, C.REPORTER, reason=True),
    Action.CLOSE: rule({S.ANSWERED, S.REVISITED}, S.CLOSED, C.CENTRE),
    # 并单: a repeat of another open order stops here and follows that order (answer, close).
    Action.MERGE: rule({S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.HANDLING}, S.MERGED, C.CENTRE, reason=True),
    # 更正分类: the desk confirms or corrects kind, category and urgency before the work starts
    # (the classifier learns from what staff settled on).
    Action.RECLASSIFY: rule({S.REPORTED, S.ACCEPTED}, None, C.CENTRE),
    # 拆单: an order holding several matters gives one of them its own order.
    Action.SPLIT: rule({S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.HANDLING}, None, C.CENTRE),
    # 转人民调解: the desk or the handling unit hands a dispute to a people's mediation committee
    # (in the case's own transaction).  The event waits in 转调解, where no clock runs: the case has
    # its own 调解期限.  The case's end brings it back, by the system: an agreement signed resolves
    # it (核查 → 答复 → 回访 as usual), any other end (调解不成, 不予受理, 撤回) returns it to the desk.
    Action.TO_MEDIATION: rule(_TO_MEDIATION_FROM, S.IN_MEDIATION, C.HANDLER, C.CENTRE),
    Action.MEDIATION_SUCCEEDED: rule({S.IN_MEDIATION}, S.RESOLVED, C.SYSTEM),
    Action.MEDIATION_FAILED: rule({S.IN_MEDIATION}, S.ACCEPTED, C.SYSTEM),
    # The sweep's flags: wherever a clock runs, and nowhere else.
    Action.SLA_YELLOW: rule(_CLOCKED, None, C.SYSTEM),
    Action.SLA_RED: rule(_CLOCKED, None, C.SYSTEM),
}


# Escalation is for the unit that does not sign or handle in time (the sweep's auto-escalation).
ESCALATING_CLOCKS = (Clock.SIGN, Clock.HANDLE)

# What each action does to the event's clock: the clock it starts (counted from the action), or
# None when it stops every clock; an action not listed keeps what runs (a 办理 extension moves the
# due point of the running clock, 核查通过 keeps the verify clock running to the answer).  The
# services compute the deadlines; the engine refuses a write whose clock disagrees with this table.
CLOCK_EFFECTS: dict[Action, Clock | None] = {
    Action.ACCEPT: Clock.SIGN, Action.DISPATCH: Clock.SIGN, Action.RETURN: Clock.SIGN,
    Action.ESCALATE: Clock.SIGN, Action.SKIP_ESCALATE: Clock.SIGN, Action.AUTO_ESCALATE: Clock.SIGN,
    Action.REOPEN: Clock.SIGN,
    Action.SIGN: Clock.HANDLE, Action.VERIFY_FAIL: Clock.HANDLE,
    Action.RESOLVE: Clock.VERIFY,
    Action.ANSWER: Clock.REVISIT,
    Action.REJECT: None, Action.REVISIT: None, Action.CLOSE: None, Action.MERGE: None,
    # 转调解 pauses the event (the case's 调解期限 runs instead); the case's end restarts one.
    Action.TO_MEDIATION: None, Action.MEDIATION_SUCCEEDED: Clock.VERIFY, Action.MEDIATION_FAILED: Clock.SIGN,
}


# 并单: a merged repeat follows its main order.  The main order's action → the step each repeat
# takes with it (Action.FOLLOW, by the system), in the main order's transaction.
FOLLOW: dict[Action, Transition] = {
    Action.ANSWER: rule({S.MERGED}, S.ANSWERED, C.SYSTEM),
    Action.CLOSE: rule({S.ANSWERED, S.REVISITED}, S.CLOSED, C.SYSTEM),
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
        super().__init__(f"您无权执行「{action.label}」")


class ReasonRequired(Exception):
    def __init__(self, action: Action):
        self.action = action
        super().__init__(f"「{action.label}」必须填写原因")


# action/status: each kind's own enums (Action/Status here, CaseAction/CaseStatus …), hence Any.
def transition(action: Any, status: Any, capacities: AbstractSet[StrEnum],
               reason: str = "", table: Mapping | None = None) -> Any:
    """1. the status must be a source; 2. the user must hold a capacity; 3. a reason if required.

    Returns the status after the action (unchanged when the action only records).  ``table``
    lets the other case kinds (mediation, legal aid) use the same rules with their own table.
    """
    step = (TRANSITIONS if table is None else table).get(action)
    if step is None or status not in step.sources:
        raise TransitionError(action, status)
    if not (step.capacities & set(capacities)):
        raise CapacityError(action)
    if step.needs_reason and not reason.strip():
        raise ReasonRequired(action)
    return step.target if step.target is not None else status


def allowed_actions(status: Any, capacities: AbstractSet[StrEnum],
                    table: Mapping | None = None) -> list[Any]:
    """The actions a user could take now, for buttons and the API's ``actions`` field."""
    held = set(capacities)
    return [a for a, r in (TRANSITIONS if table is None else table).items()
            if status in r.sources and r.capacities & held and Capacity.SYSTEM not in r.capacities]
