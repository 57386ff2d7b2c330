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
