"""The sweep flags exactly what the workflow table allows: a clock turns red only in the statuses
it runs in (written out here, not read from the module), whatever stale clock a row carries."""
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.domain.enums import Clock, Status
from gongzhi.events import intake
from gongzhi.events.models import Event, EventAction
from gongzhi.events.sweep import sla_sweep

from ..conftest import point_in

RUNS_IN = {
    "sign": {"accepted", "dispatched"},
    "handle": {"handling"},
    "verify": {"resolved", "verified"},      # 核查及答复: until the answer is given
    "revisit": {"answered"},
}


@pytest.mark.parametrize("clock", [c.value for c in Clock])
def test_a_clock_is_flagged_only_where_it_runs(district, clock):
    lon, lat = point_in(district, 0)
    now = timezone.now()
    ids = {}
    for status in Status:
        ev, _ = intake.event_report(actor=district.users["resident1"], data=intake.ReportInput(
            kind="complaint", category="urban-appearance", description=f"{clock} {status}", lon=lon, lat=lat))
        # County level: the sweep flags but does not auto-escalate (GONGZHI_TOP_LEVEL = 2).
        Event.objects.filter(pk=ev.pk).update(status=status, clock=clock, handler_level=2,
                                              due_at=now - timedelta(hours=1), warn_at=now - timedelta(hours=2))
        ids[status.value] = ev.pk
    sla_sweep(now=now)
    red = {s for s, pk in ids.items() if Event.objects.get(pk=pk).sla_flag == "red"}
    assert red == RUNS_IN[clock]
    flagged_rows = EventAction.objects.filter(event_id__in=ids.values(), action="sla_red")
    assert flagged_rows.count() == len(RUNS_IN[clock])
    assert sla_sweep(now=now).red == 0          # idempotent: nothing left to flip
