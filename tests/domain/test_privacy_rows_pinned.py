"""Who reads each timeline row, and whose words it shows, for every action of every kind of case.

tests/domain/test_privacy.py pins the viewers of each visibility and samples actions; here every
action is written out (nothing read from the tables under test) and goes through the public
``row_visibility`` and ``row_view``; the tables' entries are compared too, so that an entry whose
loss the fail-closed default would hide (an internal row falling back to internal) still fails.

Columns: the row's visibility; whether the subject (reporter / party) reads its words; for events
also whether a public feed republishes them.
"""
import pytest

from gongzhi.domain import legalaid, mediation
from gongzhi.domain.enums import Action, EventKind
from gongzhi.domain.privacy import (
    EVENT_FEED_TEXT,
    EVENT_PUBLIC_TEXT,
    EVENT_ROW_VISIBILITY,
    Person,
    Role,
    Row,
    Secrecy,
    Viewer,
    publishable,
    row_view,
    row_visibility,
)

EVENT_ROWS = """
action             visibility    words_to_reporter  words_to_feed
report             public        no                 no
accept             public        no                 no
reject             public        yes                yes
dispatch           public        no                 no
sign               public        no                 no
return             internal      no                 no
request_extension  internal      no                 no
approve_extension  internal      no                 no
deny_extension     internal      no                 no
escalate           internal      no                 no
skip_escalate      internal      no                 no
auto_escalate      internal      no                 no
whistle            internal      no                 no
check_in           internal      no                 no
supervise          internal      no                 no
note               internal      no                 no
resolve            public        no                 no
verify             internal      no                 no
verify_fail        internal      no                 no
answer             public        yes                yes
revisit            public        yes                no
reopen             public        yes                no
close              public        no                 no
sla_yellow         internal      no                 no
sla_red            internal      no                 no
unmask             confidential  no                 no
merge              public        no                 no
split              internal      no                 no
follow             public        no                 no
reclassify         internal      no                 no
to_mediation       public        yes                no
mediation_succeeded public       yes                no
mediation_failed   public        no                 no
"""

MEDIATION_ROWS = """
action     visibility  words_to_party
apply      public      no
accept     public      no
refuse     public      yes
transfer   public      no
assign     public      no
recuse     internal    no
schedule   public      yes
record     internal    no
succeed    public      no
sign       public      no
fail       public      yes
confirm    public      no
follow_up  internal    no
close      public      no
withdraw   public      yes
remind     public      yes
supervise  internal    no
auto_supervise internal no
sla_yellow internal    no
sla_red    internal    no
"""

LEGAL_AID_ROWS = """
action     visibility  words_to_party
submit     public      no
approve    public      no
deny       public      yes
transfer   public      yes
assign     public      no
reassign   public      no
progress   internal    no
conclude   public      no
review     internal    no
revisit    public      no
close      public      no
withdraw   public      yes
complex    public      no
supervise  internal    no
auto_supervise internal no
sla_yellow internal    no
sla_red    internal    no
"""


def parse(grid: str) -> dict[str, tuple[str, ...]]:
    lines = [line.split() for line in grid.strip().splitlines()]
    width = len(lines[0])
    assert all(len(line) == width for line in lines), grid
    out = {}
    for action, *cells in lines[1:]:
        assert action not in out and all(c in ("yes", "no") for c in cells[1:]), action
        out[action] = (cells[0], *(c == "yes" for c in cells[1:]))
    return out


def words_shown(action: str, viewer: Viewer, **kw) -> dict:
    """What one viewer reads of a public row carrying a note, a reason and data."""
    row = Row(action=action, visibility="public", actor_name="王主任", is_subject=False, system=False,
              note="记录：张三 13800138000", reason="原因", data={"k": 1})
    shown = row_view(row, secrecy=Secrecy.NORMAL, viewer=viewer, subject=Person("张三", "13800138000"), **kw)
    return {"note": shown["note"], "reason": shown["reason"], "data": shown["data"]}


NOTHING = {"note": "", "reason": "", "data": {}}
WORDS = {"note": "记录：张三 13800138000", "reason": "原因", "data": {}}
EVERYTHING = {"note": "记录：张三 13800138000", "reason": "原因", "data": {"k": 1}}


def test_every_event_action_is_written_here():
    assert {a.value for a in Action} == set(parse(EVENT_ROWS))


def test_event_rows_as_written():
    written = parse(EVENT_ROWS)
    wrong = []
    for action, (visibility, to_reporter, to_feed) in written.items():
        got = (row_visibility(Action(action)).value,
               words_shown(action, Viewer.SELF) == (WORDS if to_reporter else NOTHING),
               words_shown(action, Viewer.PUBLIC) == (WORDS if to_feed else NOTHING),
               words_shown(action, Viewer.HANDLER) == EVERYTHING)      # staff read every row's words
        if got != (visibility, True, True, True):
            wrong.append((action, got))
    assert wrong == []
    # The tables themselves: every action has its entry, none falls back to the default.
    assert {a.value: v.value for a, v in EVENT_ROW_VISIBILITY.items()} == {a: w[0] for a, w in written.items()}
    assert {a.value for a in EVENT_PUBLIC_TEXT} == {a for a, w in written.items() if w[1]}
    assert {a.value for a in EVENT_FEED_TEXT} == {a for a, w in written.items() if w[2]}


CASE_KINDS = {
    "mediation": (MEDIATION_ROWS, mediation.CaseAction, lambda: mediation.ROW_VISIBILITY,
                  lambda: mediation.PUBLIC_TEXT),
    "legal_aid": (LEGAL_AID_ROWS, legalaid.AidAction, lambda: legalaid.ROW_VISIBILITY,
                  lambda: legalaid.PUBLIC_TEXT),
}


@pytest.mark.parametrize("kind", CASE_KINDS)
def test_every_case_action_is_written_here(kind):
    grid, actions, *_ = CASE_KINDS[kind]
    assert {a.value for a in actions} == set(parse(grid))


@pytest.mark.parametrize("kind", CASE_KINDS)
def test_case_rows_as_written(kind):
    """A party's case, read as the timeline reads it (casework.acts.timeline): the party and the
    staff who see the parties masked read only the words written for the party; the handling
    organisation reads them all."""
    grid, _, rows, public_text = CASE_KINDS[kind]
    written = parse(grid)
    case = {"public_text": public_text(), "feed_text": frozenset(), "role": Role.PARTY}
    wrong = []
    for action, (visibility, to_party) in written.items():
        got = (row_visibility(action, rows()).value,
               words_shown(action, Viewer.SELF, **case) == (WORDS if to_party else NOTHING),
               words_shown(action, Viewer.STAFF, **case) == (
                   {**WORDS, "data": {"k": 1}} if to_party else NOTHING),
               words_shown(action, Viewer.SUPERVISOR, **case) == (
                   {**WORDS, "data": {"k": 1}} if to_party else NOTHING),
               words_shown(action, Viewer.HANDLER, **case) == EVERYTHING)
        if got != (visibility, True, True, True, True):
            wrong.append((action, got))
    assert wrong == []
    assert {a.value: v.value for a, v in rows().items()} == {a: w[0] for a, w in written.items()}
    assert {a.value for a in public_text()} == {a for a, w in written.items() if w[1]}


# What a public feed may publish, for every kind (a category opted in, not confidential).
PUBLISHABLE = {"consult": True, "help": False, "complaint": True, "tip_off": False, "suggestion": True,
               "dispute": False, "hazard": True, "emergency": True}


def test_publishable_for_every_kind():
    assert {k.value for k in EventKind} == set(PUBLISHABLE)
    assert {k.value: publishable(k, category_public=True, confidential=False) for k in EventKind} == PUBLISHABLE
    assert not any(publishable(k, category_public=False, confidential=False) for k in EventKind)
    assert not any(publishable(k, category_public=True, confidential=True) for k in EventKind)
