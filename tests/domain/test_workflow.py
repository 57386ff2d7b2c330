import pytest

from gongzhi.domain.enums import Action, Status
from gongzhi.domain.workflow import (
    Capacity,
    CapacityError,
    ReasonRequired,
    TransitionError,
    allowed_actions,
    transition,
)

from .test_tables_pinned import EVENT_ACTIONS, EVENT_STATUSES, EVENTS, parse

C = Capacity
S = Status

# (action, from, capacity, reason, expected status)
ALLOWED = [
    (Action.ACCEPT, S.REPORTED, C.CENTRE, "", S.ACCEPTED),
    (Action.REJECT, S.REPORTED, C.CENTRE, "重复上报", S.REJECTED),
    (Action.DISPATCH, S.ACCEPTED, C.CENTRE, "", S.DISPATCHED),
    (Action.DISPATCH, S.HANDLING, C.CENTRE, "", S.DISPATCHED),
    (Action.SIGN, S.DISPATCHED, C.HANDLER, "", S.HANDLING),
    (Action.RETURN, S.DISPATCHED, C.HANDLER, "不属本网格", S.ACCEPTED),
    (Action.REQUEST_EXTENSION, S.HANDLING, C.HANDLER, "需协调", S.HANDLING),
    (Action.APPROVE_EXTENSION, S.HANDLING, C.CENTRE, "", S.HANDLING),
    (Action.ESCALATE, S.HANDLING, C.HANDLER, "超出能力", S.DISPATCHED),
    (Action.AUTO_ESCALATE, S.DISPATCHED, C.SYSTEM, "", S.DISPATCHED),
    (Action.CHECK_IN, S.HANDLING, C.CO_HANDLER, "", S.HANDLING),
    (Action.SUPERVISE, S.HANDLING, C.SUPERVISOR, "请尽快办理", S.HANDLING),
    (Action.RESOLVE, S.HANDLING, C.HANDLER, "", S.RESOLVED),
    (Action.VERIFY, S.RESOLVED, C.CENTRE, "", S.VERIFIED),
    (Action.VERIFY_FAIL, S.RESOLVED, C.CENTRE, "现场未整改", S.HANDLING),
    (Action.ANSWER, S.VERIFIED, C.CENTRE, "", S.ANSWERED),
    (Action.REVISIT, S.ANSWERED, C.REPORTER, "", S.REVISITED),
    (Action.REOPEN, S.REVISITED, C.REPORTER, "问题仍在", S.DISPATCHED),
    (Action.CLOSE, S.ANSWERED, C.CENTRE, "", S.CLOSED),
    (Action.CLOSE, S.REVISITED, C.CENTRE, "", S.CLOSED),
    (Action.TO_MEDIATION, S.REPORTED, C.HANDLER, "", S.IN_MEDIATION),
    (Action.TO_MEDIATION, S.HANDLING, C.CENTRE, "", S.IN_MEDIATION),
    (Action.MEDIATION_SUCCEEDED, S.IN_MEDIATION, C.SYSTEM, "", S.RESOLVED),
    (Action.MEDIATION_FAILED, S.IN_MEDIATION, C.SYSTEM, "", S.ACCEPTED),
]


@pytest.mark.parametrize("action, src, cap, reason, dst", ALLOWED)
def test_allowed_transitions(action, src, cap, reason, dst):
    assert transition(action, src, {cap}, reason) is dst


def test_every_forbidden_pair_is_refused():
    """Every (action, status) the table written out in test_tables_pinned.EVENTS does not hold
    raises TransitionError whatever capacities the user holds — 330 of the 396 pairs; the other 66
    pass the status check (a widened or narrowed table fails here, not only a broken function)."""
    written = parse(EVENTS)
    refused = passed = 0
    for action in EVENT_ACTIONS:
        for status in EVENT_STATUSES:
            if action in written and status in written[action][0]:
                transition(Action(action), Status(status), set(Capacity), "x")
                passed += 1
                continue
            with pytest.raises(TransitionError):
                transition(Action(action), Status(status), set(Capacity), "x")
            refused += 1
    assert (refused, passed) == (330, 66)


@pytest.mark.parametrize("action, src, cap", [
    (Action.SIGN, S.DISPATCHED, C.REPORTER),
    (Action.ACCEPT, S.REPORTED, C.HANDLER),
    (Action.RESOLVE, S.HANDLING, C.CENTRE),
    (Action.AUTO_ESCALATE, S.HANDLING, C.CENTRE),
    (Action.CLOSE, S.ANSWERED, C.REPORTER),
])
def test_wrong_capacity(action, src, cap):
    with pytest.raises(CapacityError):
        transition(action, src, {cap}, "x")


@pytest.mark.parametrize("action, src, cap", [
    (Action.REJECT, S.REPORTED, C.CENTRE),
    (Action.RETURN, S.HANDLING, C.HANDLER),
    (Action.REOPEN, S.ANSWERED, C.REPORTER),
    (Action.REQUEST_EXTENSION, S.HANDLING, C.HANDLER),
])
def test_reason_required(action, src, cap):
    with pytest.raises(ReasonRequired):
        transition(action, src, {cap}, "   ")


def test_closed_and_rejected_are_terminal():
    assert allowed_actions(S.CLOSED, set(Capacity)) == []
    assert allowed_actions(S.REJECTED, set(Capacity)) == []


def test_allowed_actions_hides_system_actions():
    acts = allowed_actions(S.HANDLING, {C.HANDLER})
    assert Action.RESOLVE in acts and Action.AUTO_ESCALATE not in acts and Action.SIGN not in acts
