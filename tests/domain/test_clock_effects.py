"""The clock tables agree with the transition tables, for every kind of case.

For each (status, action) the table allows, the clock running after the action
(``domain.sla.clock_after`` over the kind's CLOCK_EFFECTS) must be one that runs in the status
the action leads to (CLOCK_RUNS_IN), and no clock may run on into a status where none runs.
A table edited on one side only (a new status without its clock, an action that forgets to
stop the clock) fails here before any service writes it.  The tables themselves are pinned
cell by cell in test_tables_pinned.py (社区矫正's five kinds in test_corrections_rules.py).
"""
from types import SimpleNamespace

import pytest

from gongzhi.domain import corrections, legalaid, mediation, workflow
from gongzhi.domain.sla import clock_after


def _corrections(prefix: str) -> SimpleNamespace:
    """One of the five 社区矫正 kinds, whose tables share a module under a prefix (SUBJ_TRANSITIONS …)."""
    return SimpleNamespace(**{t: getattr(corrections, f"{prefix}_{t}")
                              for t in ("TRANSITIONS", "CLOCK_EFFECTS", "CLOCK_RUNS_IN")})


KINDS = {"events": workflow, "mediation": mediation, "legal_aid": legalaid,
         **{f"corrections_{p.lower()}": _corrections(p) for p in ("SUBJ", "SANCTION", "LEAVE", "MONITOR",
                                                                  "OVERSIGHT")}}


def _clock_in(module, status):
    """The clock that runs in ``status`` (None when none does); a status has at most one."""
    clocks = [c for c, statuses in module.CLOCK_RUNS_IN.items() if status in statuses]
    assert len(clocks) <= 1, (status, clocks)
    return clocks[0] if clocks else None


def disagreements(module) -> list[str]:
    out = []
    for action, rule in module.TRANSITIONS.items():
        for source in rule.sources:
            target = rule.target or source
            after = clock_after(module.CLOCK_EFFECTS, action, _clock_in(module, source))
            if after != _clock_in(module, target):
                out.append(f"{action} from {source}: clock {after} but {target} runs {_clock_in(module, target)}")
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_every_allowed_step_leaves_the_clock_its_target_status_runs(kind):
    assert disagreements(KINDS[kind]) == []


def test_a_clock_effect_removed_on_one_side_is_caught(monkeypatch):
    """Forgetting that 办结 starts the verify clock leaves the handle clock running into 待核查."""
    effects = {a: c for a, c in workflow.CLOCK_EFFECTS.items() if a != workflow.Action.RESOLVE}
    monkeypatch.setattr(workflow, "CLOCK_EFFECTS", effects)
    assert disagreements(workflow) == ["resolve from handling: clock handle but resolved runs verify"]


def test_a_status_moved_out_of_its_clock_is_caught(monkeypatch):
    """核查通过 outside the verify clock: 核查 would carry a running clock into a clockless status."""
    runs = {**workflow.CLOCK_RUNS_IN, workflow.Clock.VERIFY: frozenset({workflow.Status.RESOLVED})}
    monkeypatch.setattr(workflow, "CLOCK_RUNS_IN", runs)
    found = disagreements(workflow)
    assert "verify from resolved: clock verify but verified runs None" in found
