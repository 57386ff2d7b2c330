"""The three transition tables pinned cell by cell against tables written out here.

Nothing below is read from the tables under test: statuses, actions and capacities are literals,
so widening a table (办结 without 签收, 归档 without 核查 ...) or narrowing it fails here.  Every
(status, action, capacity) of a kind goes through the public ``transition`` and
``allowed_actions``, and each table's rows are compared with the written ones as well, so a change
no call can see (a target equal to the only source, a row nobody can take) still fails.

Grid format, one row per action the table holds: sources, target ("-" = the action only records,
the status stays), capacities (comma-separated, no spaces) and whether a reason is required.
Actions of the kind missing from the grid must be refused from every status.
"""
import pytest

from gongzhi.domain import legalaid, mediation, workflow
from gongzhi.domain.enums import Action, Status
from gongzhi.domain.workflow import CapacityError, ReasonRequired, TransitionError, allowed_actions, transition

EVENTS = """
action             sources                                          target      capacities              reason
accept             reported                                         accepted    centre                  no
reject             reported                                         rejected    centre                  yes
dispatch           accepted,dispatched,handling                     dispatched  centre                  no
sign               dispatched                                       handling    handler                 no
return             dispatched,handling                              accepted    handler                 yes
request_extension  handling                                         -           handler                 yes
approve_extension  handling                                         -           centre                  no
deny_extension     handling                                         -           centre                  yes
escalate           accepted,dispatched,handling                     dispatched  handler,centre          yes
skip_escalate      accepted,dispatched,handling                     dispatched  handler,centre          yes
auto_escalate      accepted,dispatched,handling                     dispatched  system                  no
whistle            dispatched,handling                              -           handler,centre          yes
check_in           dispatched,handling                              -           co_handler              no
supervise          accepted,dispatched,handling,resolved            -           centre,supervisor       yes
note               handling                                         -           handler,co_handler      no
resolve            handling                                         resolved    handler                 no
verify             resolved                                         verified    centre                  no
verify_fail        resolved                                         handling    centre                  yes
answer             verified                                         answered    centre                  no
revisit            answered                                         revisited   centre,reporter         no
reopen             answered,revisited                               dispatched  centre,reporter         yes
close              answered,revisited                               closed      centre                  no
merge              reported,accepted,dispatched,handling            merged      centre                  yes
reclassify         reported,accepted                                -           centre                  no
split              reported,accepted,dispatched,handling            -           centre                  no
to_mediation       reported,accepted,dispatched,handling            mediation   handler,centre          no
mediation_succeeded mediation                                       resolved    system                  no
mediation_failed   mediation                                        accepted    system                  no
sla_yellow         accepted,dispatched,handling,resolved,verified,answered  -    system                  no
sla_red            accepted,dispatched,handling,resolved,verified,answered  -    system                  no
"""
EVENT_STATUSES = ("reported", "rejected", "accepted", "dispatched", "handling", "mediation", "resolved",
                  "verified", "answered", "revisited", "closed", "merged")
EVENT_CAPACITIES = ("reporter", "handler", "centre", "co_handler", "supervisor", "system")
# Every action of the enum; those not in the grid (the report itself, an unmask, a follow of the
# main order) are written by their own code paths and never pass the table.
EVENT_ACTIONS = ("report", "accept", "reject", "dispatch", "sign", "return", "request_extension",
                 "approve_extension", "deny_extension", "escalate", "skip_escalate", "auto_escalate", "whistle",
                 "check_in", "supervise", "note", "resolve", "verify", "verify_fail", "answer", "revisit",
                 "reopen", "close", "sla_yellow", "sla_red", "unmask", "merge", "split", "follow", "reclassify",
                 "to_mediation", "mediation_succeeded", "mediation_failed")

MEDIATION = """
action     sources                          target     capacities              reason
accept     applied                          accepted   org                     no
refuse     applied                          refused    org                     yes
transfer   applied                          applied    org,centre              yes
assign     applied,accepted,mediating       -          org                     no
recuse     accepted,mediating               -          org,mediator,applicant  yes
schedule   accepted,mediating               -          org                     no
record     accepted,mediating               mediating  org                     no
succeed    mediating                        succeeded  org                     no
sign       succeeded                        signed     org                     no
fail       accepted,mediating,succeeded     failed     org                     yes
confirm    signed                           -          org                     no
follow_up  signed                           -          org                     no
close      signed,failed                    closed     org                     no
withdraw   applied,accepted,mediating       withdrawn  applicant,org           yes
remind     accepted,mediating               -          system                  no
supervise  applied,accepted,mediating,succeeded  -     centre,supervisor       yes
auto_supervise accepted,mediating           -          system                  no
sla_yellow accepted,mediating               -          system                  no
sla_red    accepted,mediating               -          system                  no
"""
MEDIATION_STATUSES = ("applied", "refused", "accepted", "mediating", "succeeded", "signed", "failed", "closed",
                      "withdrawn")
MEDIATION_CAPACITIES = ("org", "mediator", "centre", "supervisor", "applicant", "system")
MEDIATION_ACTIONS = ("apply", "accept", "refuse", "transfer", "assign", "recuse", "schedule", "record", "succeed",
                     "sign", "fail", "confirm", "follow_up", "close", "withdraw", "remind", "supervise",
                     "auto_supervise", "sla_yellow", "sla_red")

LEGAL_AID = """
action     sources                          target     capacities              reason
approve    submitted                        approved   office                  no
deny       submitted                        denied     office                  yes
transfer   submitted                        submitted  office                  yes
assign     approved                         assigned   office                  no
reassign   assigned,handling                assigned   office                  yes
progress   assigned,handling                handling   lawyer,office           no
conclude   handling                         concluded  lawyer,office           no
review     concluded                        reviewed   office                  no
revisit    concluded,reviewed               -          office                  no
close      reviewed                         closed     office                  no
withdraw   submitted,approved,assigned      withdrawn  applicant,office        yes
complex    submitted                        -          office                  yes
supervise  submitted,approved,assigned,handling  -     centre,supervisor       yes
auto_supervise submitted                    -          system                  no
sla_yellow submitted,approved               -          system                  no
sla_red    submitted,approved               -          system                  no
"""
LEGAL_AID_STATUSES = ("submitted", "approved", "denied", "assigned", "handling", "concluded", "reviewed", "closed",
                      "withdrawn")
LEGAL_AID_CAPACITIES = ("office", "lawyer", "applicant", "centre", "supervisor", "system")
LEGAL_AID_ACTIONS = ("submit", "approve", "deny", "transfer", "assign", "reassign", "progress", "conclude", "review",
                     "revisit", "close", "withdraw", "complex", "supervise", "auto_supervise", "sla_yellow",
                     "sla_red")


def parse(grid: str) -> dict[str, tuple[frozenset[str], str | None, frozenset[str], bool]]:
    """action → (sources, target or None, capacities, needs a reason)."""
    lines = [line.split() for line in grid.strip().splitlines()]
    assert lines[0] == ["action", "sources", "target", "capacities", "reason"]
    out = {}
    for action, sources, target, caps, reason in lines[1:]:
        assert action not in out and reason in ("yes", "no"), action
        out[action] = (frozenset(sources.split(",")), None if target == "-" else target,
                       frozenset(caps.split(",")), reason == "yes")
    return out


# kind → (written grid, enums of the module, the table passed to transition(); None = the default)
KINDS = {
    "events": (EVENTS, EVENT_STATUSES, EVENT_ACTIONS, EVENT_CAPACITIES,
               Status, Action, workflow.Capacity, lambda: None, lambda: workflow.TRANSITIONS),
    "mediation": (MEDIATION, MEDIATION_STATUSES, MEDIATION_ACTIONS, MEDIATION_CAPACITIES,
                  mediation.CaseStatus, mediation.CaseAction, mediation.CaseCapacity,
                  lambda: mediation.TRANSITIONS, lambda: mediation.TRANSITIONS),
    "legal_aid": (LEGAL_AID, LEGAL_AID_STATUSES, LEGAL_AID_ACTIONS, LEGAL_AID_CAPACITIES,
                  legalaid.AidStatus, legalaid.AidAction, legalaid.AidCapacity,
                  lambda: legalaid.TRANSITIONS, lambda: legalaid.TRANSITIONS),
}
REASONS = ("", "   ", "当事人要求")


def expected_outcome(written, status: str, action: str, cap: str, reason: str) -> str:
    """What the written table says one call must do: the status after it, or the refusal's name.
    The checks come in the order the API answers them: 409 (status), 403 (capacity), 422 (reason)."""
    row = written.get(action)
    if row is None or status not in row[0]:
        return "TransitionError"
    sources, target, caps, needs_reason = row
    if cap not in caps:
        return "CapacityError"
    if needs_reason and not reason.strip():
        return "ReasonRequired"
    return target if target is not None else status


def actual_outcome(statuses, actions, caps, table, status: str, action: str, cap: str, reason: str) -> str:
    try:
        return str(transition(actions(action), statuses(status), {caps(cap)}, reason, table=table))
    except (TransitionError, CapacityError, ReasonRequired) as e:
        return type(e).__name__


def call_differences(kind: str) -> list[str]:
    """Every (status, action, capacity, reason) whose outcome differs from the written table."""
    grid, status_names, action_names, cap_names, statuses, actions, caps, table, _ = KINDS[kind]
    written = parse(grid)
    out = []
    for status in status_names:
        for action in action_names:
            for cap in cap_names:
                for reason in REASONS:
                    want = expected_outcome(written, status, action, cap, reason)
                    got = actual_outcome(statuses, actions, caps, table(), status, action, cap, reason)
                    if got != want:
                        out.append(f"{action} from {status} as {cap} reason={reason!r}: {got}, expected {want}")
            # No capacity at all: never allowed.
            want = "TransitionError" if expected_outcome(written, status, action, "", "x") == "TransitionError" \
                else "CapacityError"
            try:
                got = str(transition(actions(action), statuses(status), set(), "x", table=table()))
            except (TransitionError, CapacityError, ReasonRequired) as e:
                got = type(e).__name__
            if got != want:
                out.append(f"{action} from {status} with no capacity: {got}, expected {want}")
    return out


def button_differences(kind: str) -> list[str]:
    """allowed_actions for each status and each single capacity, and for all capacities at once:
    the grid's rows the user may take, never one only the system (the sweep, reminders) takes."""
    grid, status_names, _, cap_names, statuses, _, caps, table, _ = KINDS[kind]
    written = parse(grid)
    out = []
    for status in status_names:
        for held in [(c,) for c in cap_names] + [cap_names]:
            want = {a for a, (src, _, who, _) in written.items()
                    if status in src and who & set(held) and "system" not in who}
            got = allowed_actions(statuses(status), {caps(c) for c in held}, table=table())
            if len(got) != len(set(got)) or {str(a) for a in got} != want:
                out.append(f"{status} as {'+'.join(held)}: {sorted(map(str, got))}, expected {sorted(want)}")
    return out


def row_differences(kind: str) -> list[str]:
    """The table's rows themselves, as plain strings, against the grid."""
    grid, *_, rows = KINDS[kind]
    written = parse(grid)
    got = {str(a): (frozenset(map(str, r.sources)), None if r.target is None else str(r.target),
                    frozenset(map(str, r.capacities)), r.needs_reason) for a, r in rows().items()}
    out = [f"{a}: table has no row" for a in written if a not in got]
    out += [f"{a}: row not in the written table" for a in got if a not in written]
    out += [f"{a}: {got[a]} != written {written[a]}" for a in written if a in got and got[a] != written[a]]
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_the_enums_are_the_ones_written_here(kind):
    """A new status, action or capacity must be placed in the grid by hand."""
    _, status_names, action_names, cap_names, statuses, actions, caps, *_ = KINDS[kind]
    assert {s.value for s in statuses} == set(status_names)
    assert {a.value for a in actions} == set(action_names)
    assert {c.value for c in caps} == set(cap_names)
    assert set(parse(KINDS[kind][0])) <= set(action_names)


@pytest.mark.parametrize("kind", KINDS)
def test_every_status_action_and_capacity_as_written(kind):
    assert call_differences(kind) == []


@pytest.mark.parametrize("kind", KINDS)
def test_the_buttons_offered_as_written(kind):
    assert button_differences(kind) == []


@pytest.mark.parametrize("kind", KINDS)
def test_the_rows_of_the_table_as_written(kind):
    assert row_differences(kind) == []


@pytest.mark.parametrize("kind, status, action, cap, reason, expected", [
    # Spot checks of the grid's reading itself, so a misparsed grid cannot pass silently.
    ("events", "dispatched", "resolve", "handler", "", "TransitionError"),      # 办结 needs 签收 first
    ("events", "resolved", "close", "centre", "", "TransitionError"),           # 归档 needs 核查 and 答复
    ("events", "handling", "resolve", "centre", "", "CapacityError"),           # the centre does not resolve
    ("events", "handling", "return", "handler", " ", "ReasonRequired"),
    ("events", "answered", "reopen", "reporter", "问题仍在", "dispatched"),
    ("events", "handling", "note", "co_handler", "", "handling"),
    ("events", "handling", "sla_red", "system", "", "handling"),
    ("events", "verified", "sla_yellow", "system", "", "verified"),            # 核查及答复: runs until answered
    ("events", "revisited", "sla_red", "system", "", "TransitionError"),       # no clock after the revisit
    ("events", "merged", "follow", "centre", "x", "TransitionError"),
    ("events", "resolved", "to_mediation", "handler", "", "TransitionError"),  # not once it is resolved
    ("events", "mediation", "sla_red", "system", "", "TransitionError"),       # no clock while mediated
    ("events", "mediation", "resolve", "handler", "", "TransitionError"),      # only the case's end
    ("events", "mediation", "mediation_failed", "centre", "", "CapacityError"),
    ("mediation", "mediating", "sign", "org", "", "TransitionError"),           # 签协议 after 调解成功 only
    ("mediation", "succeeded", "fail", "org", "拒签", "failed"),
    ("mediation", "applied", "transfer", "centre", "专业调委会", "applied"),
    ("mediation", "mediating", "recuse", "applicant", "亲属", "mediating"),
    ("mediation", "applied", "accept", "centre", "", "CapacityError"),
    ("mediation", "signed", "withdraw", "applicant", "x", "TransitionError"),
    ("legal_aid", "submitted", "assign", "office", "", "TransitionError"),      # 指派 after 准予 only
    ("legal_aid", "handling", "conclude", "lawyer", "", "concluded"),
    ("legal_aid", "concluded", "close", "office", "", "TransitionError"),       # 归档 after 评查 only
    ("legal_aid", "submitted", "deny", "office", "", "ReasonRequired"),
    ("legal_aid", "handling", "withdraw", "applicant", "x", "TransitionError"),
    ("legal_aid", "assigned", "progress", "applicant", "", "CapacityError"),
    # 督办 (issue 14): presses without moving the status; a mediator or an office does not 督办
    ("mediation", "mediating", "supervise", "supervisor", "请限期调结", "mediating"),
    ("mediation", "mediating", "supervise", "org", "请限期调结", "CapacityError"),
    ("mediation", "signed", "supervise", "centre", "x", "TransitionError"),
    ("mediation", "applied", "auto_supervise", "system", "", "TransitionError"),   # no clock before 受理
    ("legal_aid", "submitted", "supervise", "centre", "", "ReasonRequired"),
    ("legal_aid", "approved", "auto_supervise", "system", "", "TransitionError"),  # a late assignment: no
    ("legal_aid", "approved", "complex", "office", "疑难", "TransitionError"),     # only while deciding
])
def test_spot_checks(kind, status, action, cap, reason, expected):
    grid, _, _, _, statuses, actions, caps, table, _ = KINDS[kind]
    assert expected_outcome(parse(grid), status, action, cap, reason) == expected
    assert actual_outcome(statuses, actions, caps, table(), status, action, cap, reason) == expected


# In which statuses each event clock runs (the sweep flags only there; the SLA rows above agree).
CLOCKS = {
    "sign": {"accepted", "dispatched"},
    "handle": {"handling"},
    "verify": {"resolved", "verified"},       # 核查及答复: through 核查通过 until the answer
    "revisit": {"answered"},
}


def test_the_clocks_run_as_written():
    assert {str(c): {str(s) for s in ss} for c, ss in workflow.CLOCK_RUNS_IN.items()} == CLOCKS


# ---- the pinning notices one changed cell ---------------------------------------------------------

def _changed(rows, action, **change):
    from dataclasses import replace
    return {**rows, action: replace(rows[action], **change)}


@pytest.mark.parametrize("module, action, change, words", [
    # 办结 without 签收
    (workflow, Action.RESOLVE, lambda r: {"sources": r.sources | {Status.DISPATCHED}},
     "resolve from dispatched as handler"),
    # 归档 without 核查
    (workflow, Action.CLOSE, lambda r: {"sources": r.sources | {Status.RESOLVED}}, "close from resolved as centre"),
    (workflow, Action.REOPEN, lambda r: {"needs_reason": False}, "reopen from answered as centre reason=''"),
    (workflow, Action.VERIFY, lambda r: {"capacities": r.capacities | {workflow.Capacity.HANDLER}},
     "verify from resolved as handler"),
    (mediation, mediation.CaseAction.TRANSFER, lambda r: {"target": None}, "transfer: "),
    (mediation, mediation.CaseAction.SIGN, lambda r: {"sources": r.sources | {mediation.CaseStatus.MEDIATING}},
     "sign from mediating as org"),
    (legalaid, legalaid.AidAction.CLOSE, lambda r: {"target": legalaid.AidStatus.CONCLUDED},
     "close from reviewed as office"),
    (legalaid, legalaid.AidAction.WITHDRAW,
     lambda r: {"capacities": r.capacities - {legalaid.AidCapacity.APPLICANT}}, "withdraw from submitted as applicant"),
])
def test_one_changed_cell_is_noticed(monkeypatch, module, action, change, words):
    kind = {workflow: "events", mediation: "mediation", legalaid: "legal_aid"}[module]
    rows = module.TRANSITIONS
    monkeypatch.setattr(module, "TRANSITIONS", _changed(rows, action, **change(rows[action])))
    found = call_differences(kind) + button_differences(kind) + row_differences(kind)
    assert any(words in line for line in found), found


@pytest.mark.parametrize("module, action", [
    (workflow, Action.FOLLOW), (mediation, mediation.CaseAction.APPLY), (legalaid, legalaid.AidAction.SUBMIT),
])
def test_a_new_row_is_noticed(monkeypatch, module, action):
    kind = {workflow: "events", mediation: "mediation", legalaid: "legal_aid"}[module]
    some = next(iter(module.TRANSITIONS.values()))
    monkeypatch.setattr(module, "TRANSITIONS", {**module.TRANSITIONS, action: some})
    assert call_differences(kind) and f"{action}: row not in the written table" in row_differences(kind)


# ---- clocks of the case kinds (issue 14): where each runs, what each action does to it ----------
# clock → the statuses it runs in; action → the clock it starts ("stop" = it stops the clock);
# actions not written here keep whatever clock runs.
CASE_CLOCKS = {
    "events": ({"sign": {"accepted", "dispatched"}, "handle": {"handling"}, "verify": {"resolved", "verified"},
                "revisit": {"answered"}},
               {"accept": "sign", "dispatch": "sign", "return": "sign", "escalate": "sign", "skip_escalate": "sign",
                "auto_escalate": "sign", "reopen": "sign", "sign": "handle", "verify_fail": "handle",
                "resolve": "verify", "answer": "revisit",
                "reject": "stop", "revisit": "stop", "close": "stop", "merge": "stop",
                # 转调解 pauses the event; an agreement starts 核查, any other end 签收 at the desk.
                "to_mediation": "stop", "mediation_succeeded": "verify", "mediation_failed": "sign"}),
    "mediation": ({"handle": {"accepted", "mediating"}},
                  {"accept": "handle", "succeed": "stop", "fail": "stop", "withdraw": "stop", "refuse": "stop"}),
    "legal_aid": ({"decision": {"submitted"}, "assign": {"approved"}},
                  {"submit": "decision", "approve": "assign", "deny": "stop", "assign": "stop", "withdraw": "stop"}),
}
CLOCK_MODULES = {"events": workflow, "mediation": mediation, "legal_aid": legalaid}


@pytest.mark.parametrize("kind", CASE_CLOCKS)
def test_case_clock_tables_are_pinned(kind):
    runs_in, effects = CASE_CLOCKS[kind]
    module = CLOCK_MODULES[kind]
    assert {c.value: {s.value for s in statuses} for c, statuses in module.CLOCK_RUNS_IN.items()} == runs_in
    assert {a.value: (c.value if c is not None else "stop") for a, c in module.CLOCK_EFFECTS.items()} == effects


@pytest.mark.parametrize("kind", CASE_CLOCKS)
def test_clock_after_each_action(kind):
    """Through the pure function: each action's effect from a running clock and from none."""
    from gongzhi.domain.sla import clock_after
    runs_in, effects = CASE_CLOCKS[kind]
    module = CLOCK_MODULES[kind]
    clock_enum = type(next(iter(module.CLOCK_RUNS_IN)))
    action_enum = {"events": Action, "mediation": mediation.CaseAction, "legal_aid": legalaid.AidAction}[kind]
    running = clock_enum(next(iter(runs_in)))
    for action in action_enum:
        after = clock_after(module.CLOCK_EFFECTS, action, running)
        want = effects.get(action.value)
        expected = running if want is None else (None if want == "stop" else clock_enum(want))
        assert after == expected, action
        assert clock_after(module.CLOCK_EFFECTS, action, None) == (None if want in (None, "stop")
                                                                   else clock_enum(want)), action
