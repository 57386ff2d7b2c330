"""The one engine (core.engine.act) refuses a write whose clock its kind's table does not give
the action, before anything is written: the table is the only authority on clocks."""
import pytest

from gongzhi.core.engine import ClockTableMismatch
from gongzhi.domain.enums import Action, Clock
from gongzhi.events import services
from gongzhi.events.models import Event, EventAction

from .test_merge_split import report


def _handling(district):
    town, worker = district.users["town1"], district.users["grid111"]
    ev = report(district, "resident1", "胜利路口垃圾桶满了好几天没人清运")
    services.event_accept(actor=town, event_id=ev.id)
    services.event_dispatch(actor=town, event_id=ev.id)
    return services.event_sign(actor=worker, event_id=ev.id), worker


def test_a_write_with_the_wrong_clock_is_refused_and_leaves_nothing(district):
    ev, worker = _handling(district)
    assert ev.clock == Clock.HANDLE
    rows = EventAction.objects.filter(event=ev).count()
    # 办理记录 keeps the running clock (no CLOCK_EFFECTS row): a mutate starting the revisit clock is a bug.
    with pytest.raises(ClockTableMismatch, match="note"):
        services._act(worker, ev.id, Action.NOTE, note="入户查看", mutate=lambda e, now: {"clock": Clock.REVISIT})
    after = Event.objects.get(pk=ev.id)
    assert (after.clock, after.version, after.status) == (ev.clock, ev.version, ev.status)
    assert EventAction.objects.filter(event=ev).count() == rows


def test_a_stopping_action_that_leaves_its_clock_running_is_refused(district):
    """并单 stops every clock (CLOCK_EFFECTS: None): a mutate that forgets to stop it is refused."""
    ev, _ = _handling(district)
    with pytest.raises(ClockTableMismatch, match="merge"):
        services._act(district.users["town1"], ev.id, Action.MERGE, reason="重复", mutate=lambda e, now: {})
    assert Event.objects.get(pk=ev.id).status == ev.status


def test_the_right_clock_passes(district):
    ev, worker = _handling(district)
    done = services.event_note(actor=worker, event_id=ev.id, note="入户查看")
    assert done.clock == Clock.HANDLE and done.version == ev.version + 1


def test_the_batch_write_escalates_each_as_one_act_would_and_leaves_out_stale_and_refused(district):
    """core.batch.act_many (the sweep's escalation): same table, same changes as act, each row
    guarded by its own version; a case changed since it was read is left out, a refused one named."""
    from gongzhi.core.batch import act_many

    from ..conftest import sh
    from .test_sla_sweep import _dispatched
    at = sh(2026, 11, 2, 10)
    one, two, stale = (_dispatched(district, at, grid=g, centre="town1") for g in (0, 1, 2))
    later = sh(2026, 11, 4, 0, 0, 1)                                  # every sign clock overdue
    Event.objects.filter(pk=two.id).update(status="resolved")        # a status the table does not escalate
    loaded = list(Event.objects.select_related("area", "category").filter(pk__in=[one.id, two.id, stale.id]))
    Event.objects.filter(pk=stale.id).update(version=99)             # a person acted after the read
    written, refused = services.events_auto_escalate(loaded, at=later)
    assert written == [one.id] and list(refused) == [two.id]
    ev = Event.objects.select_related("handler_area").get(pk=one.id)
    assert (ev.handler_level, ev.handler_area, ev.escalations, ev.version, ev.status, ev.clock) == (
        4, district.communities[0], 1, one.version + 1, "dispatched", "sign")
    rows = list(EventAction.objects.filter(action="auto_escalate").values_list("event_id", "from_status", "to_status",
                                                                              "actor_id", "note"))
    assert rows == [(one.id, "dispatched", "dispatched", None, "超期未办，系统自动上报上一级")]
    assert Event.objects.get(pk=stale.id).version == 99                # untouched
    assert act_many(services.EVENT, [], Action.AUTO_ESCALATE) == ([], {})


def test_the_sweeps_escalation_costs_the_same_queries_for_two_events_or_eight(district):
    """Set-based: the queries of a round do not grow with the events it escalates (a deferred
    column read per event, or a per-event write, would)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.events.sweep import sla_sweep

    from ..conftest import sh
    from .test_sla_sweep import _dispatched

    def round_of(n, day):
        Event.objects.update(status="closed")        # the earlier round's events are out of the way
        for _ in range(n):
            _dispatched(district, sh(2026, 11, day, 10), grid=0, centre="town1")
        with CaptureQueriesContext(connection) as q:
            r = sla_sweep(now=sh(2026, 11, day + 2, 0, 0, 1), full=True)
        return r.escalated, len(q.captured_queries)
    round_of(1, 2)                                   # the cached admin tables are read once, here
    (two, few), (eight, more) = round_of(2, 9), round_of(8, 16)
    assert (two, eight) == (2, 8) and few == more
