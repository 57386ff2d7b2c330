"""The SLA worker: yellow at 70%, red when over, one-level auto-escalation, idempotent."""
from datetime import timedelta

import pytest

from gongzhi.domain.enums import Channel, EventKind, SlaFlag
from gongzhi.events import intake, services
from gongzhi.events.models import Event, EventAction
from gongzhi.events.sweep import sla_sweep

from ..conftest import point_in, sh


def _dispatched(district, at, grid=0, kind=EventKind.COMPLAINT, category="urban-appearance", centre="comm11"):
    lon, lat = point_in(district, grid)
    ev, _ = intake.event_report(actor=district.users["resident1"], at=at, data=intake.ReportInput(
        kind=kind, category=category, description="路面塌陷出现大坑雨天危险", lon=lon, lat=lat,
        channel=Channel.APP))
    comm = district.users[centre]
    services.event_accept(actor=comm, event_id=ev.id, at=at)
    return services.event_dispatch(actor=comm, event_id=ev.id, at=at)


def test_sign_clock_yellow_then_red_then_escalated(district):
    ev = _dispatched(district, sh(2026, 11, 2, 10))      # Monday; sign due Tue 23:59:59
    assert ev.due_at == sh(2026, 11, 3, 23, 59, 59) and ev.clock == "sign"
    r = sla_sweep(now=sh(2026, 11, 3, 12))
    assert (r.yellow, r.red, r.escalated) == (0, 0, 0)
    r = sla_sweep(now=sh(2026, 11, 3, 17))               # 70% of Tuesday used
    assert (r.yellow, r.red) == (1, 0)
    assert Event.objects.get(pk=ev.id).sla_flag == SlaFlag.YELLOW
    assert sla_sweep(now=sh(2026, 11, 3, 18)).yellow == 0  # idempotent
    r = sla_sweep(now=sh(2026, 11, 4, 0, 0, 1))
    assert (r.red, r.escalated) == (1, 1)
    ev = Event.objects.get(pk=ev.id)
    assert ev.handler_level == 4 and ev.handler_area == district.communities[0]
    assert ev.status == "dispatched" and ev.sla_flag == SlaFlag.GREEN and ev.escalations == 1
    assert [a.action for a in ev.actions.all()][-3:] == ["sla_yellow", "sla_red", "auto_escalate"]
    again = sla_sweep(now=sh(2026, 11, 4, 0, 0, 2))
    assert (again.yellow, again.red, again.escalated) == (0, 0, 0)


def test_handle_clock_red_escalates_up_to_county_and_stops(district):
    ev = _dispatched(district, sh(2026, 11, 2, 10))
    services.event_sign(actor=district.users["grid111"], event_id=ev.id, at=sh(2026, 11, 2, 11))
    levels = []
    now = sh(2026, 11, 2, 11)
    for _ in range(5):
        ev = Event.objects.get(pk=ev.id)
        now = ev.due_at + timedelta(seconds=1)
        sla_sweep(now=now)
        levels.append(Event.objects.get(pk=ev.id).handler_level)
    assert levels == [4, 3, 2, 2, 2]           # grid → community → township → county, then it stays
    ev = Event.objects.get(pk=ev.id)
    assert ev.sla_flag == SlaFlag.RED and ev.escalations == 3
    assert EventAction.objects.filter(event=ev, action="auto_escalate").count() == 3


def test_yellow_at_70_percent_of_limit_plus_extension(district):
    ev = _dispatched(district, sh(2026, 11, 2, 10))
    grid, comm = district.users["grid111"], district.users["comm11"]
    services.event_sign(actor=grid, event_id=ev.id, at=sh(2026, 11, 2, 11))
    # 10 workdays from Monday 11-02: due 11-16; 70% = end of the 7th workday (Wed 11-11).
    assert sla_sweep(now=sh(2026, 11, 11, 12)).yellow == 0
    services.extension_request(actor=grid, event_id=ev.id, workdays=5, reason="需协调", at=sh(2026, 11, 5, 9))
    services.extension_decide(actor=comm, event_id=ev.id, approve=True, at=sh(2026, 11, 5, 10))
    ev = Event.objects.get(pk=ev.id)
    # 15 workdays → due 11-23; 70% = 10.5 workdays → midday of the 11th workday, Tuesday 11-17.
    assert ev.due_at == sh(2026, 11, 23, 23, 59, 59)
    assert ev.warn_at.astimezone(sh(2026, 1, 1).tzinfo).date() == sh(2026, 11, 17).date()
    assert sla_sweep(now=sh(2026, 11, 16, 13)).yellow == 0
    assert sla_sweep(now=sh(2026, 11, 17, 13)).yellow == 1


def test_emergency_is_same_day(district):
    ev = _dispatched(district, sh(2026, 10, 3, 9), kind=EventKind.EMERGENCY)   # a holiday
    ev = services.event_sign(actor=district.users["grid111"], event_id=ev.id, at=sh(2026, 10, 3, 9, 30))
    assert ev.handle_due_at == sh(2026, 10, 3, 23, 59, 59)


def test_second_sweep_over_the_same_state_flips_nothing(district):
    """A sweep repeated at the same instant records no second flip.  Workers truly at the same
    time, with people acting in between, are in test_sweep_concurrency.py (PostgreSQL)."""
    for g in range(4):
        _dispatched(district, sh(2026, 11, 2, 10), grid=g, centre="town1")
    now = sh(2026, 11, 3, 17)
    first, second = sla_sweep(now=now), sla_sweep(now=now)
    assert (first.yellow, second.yellow) == (4, 0)
    assert EventAction.objects.filter(action="sla_yellow").count() == 4


def test_a_sweep_flips_at_most_its_batch(district):
    """A batch bounds one statement's work (and its lock time): 5 due events, batches of 2."""
    for g in range(5):
        _dispatched(district, sh(2026, 11, 2, 10), grid=g % 4, centre="town1")
    now = sh(2026, 11, 3, 17)
    assert [sla_sweep(now=now, batch=2).yellow for _ in range(4)] == [2, 2, 1, 0]
    assert EventAction.objects.filter(action="sla_yellow").count() == 5


def test_a_round_reads_what_fell_since_the_last_less_fifteen_minutes(district):
    """core.sweep: a round starts at the mark the previous one left, less the 15-minute lookback
    (a writer that committed a threshold after a round had passed it); what lies before is the
    full round's (at start and every GONGZHI_SWEEP_FULL_EVERY)."""
    from gongzhi.core.models import SweepMark
    late, lost = (_dispatched(district, sh(2026, 11, 2, 10), grid=g, centre="town1") for g in (0, 1))
    sla_sweep(now=sh(2026, 11, 3, 12))                       # nothing due yet; the marks are set
    assert set(SweepMark.objects.values_list("kind", "flag", "upto")) == {
        ("events", "yellow", sh(2026, 11, 3, 12)), ("events", "red", sh(2026, 11, 3, 12))}
    # Two warning points before that round, as a late commit (or a hand edit) would leave them:
    Event.objects.filter(pk=late.id).update(warn_at=sh(2026, 11, 3, 11, 45, 1))   # inside the lookback
    Event.objects.filter(pk=lost.id).update(warn_at=sh(2026, 11, 3, 11, 44, 59))  # before it
    r = sla_sweep(now=sh(2026, 11, 3, 12, 30))
    assert r.yellow == 1 and Event.objects.get(pk=late.id).sla_flag == SlaFlag.YELLOW
    assert Event.objects.get(pk=lost.id).sla_flag == SlaFlag.GREEN
    assert sla_sweep(now=sh(2026, 11, 3, 12, 31), full=True).yellow == 1
    assert Event.objects.get(pk=lost.id).sla_flag == SlaFlag.YELLOW
    # A sweep for an earlier moment (a rerun) starts that far back, and the mark never goes back.
    sla_sweep(now=sh(2026, 11, 3, 9))
    assert SweepMark.objects.get(kind="events", flag="yellow").upto == sh(2026, 11, 3, 12, 31)


def test_a_full_batch_leaves_the_mark_where_it_was(district):
    from gongzhi.core.models import SweepMark
    for g in range(3):
        _dispatched(district, sh(2026, 11, 2, 10), grid=g, centre="town1")
    now = sh(2026, 11, 3, 17)
    assert sla_sweep(now=now, batch=2).yellow == 2
    assert not SweepMark.objects.filter(flag="yellow").exists()       # more may be left: no mark
    assert sla_sweep(now=now, batch=2).yellow == 1
    assert SweepMark.objects.get(flag="yellow").upto == now


def test_the_flip_row_is_written_whole_by_the_database(district):
    """The sweep's timeline rows are written in SQL from the flip's RETURNING (core.sweep), not
    through the ORM: every column a reader uses must still come out as the ORM would store it."""
    ev = _dispatched(district, sh(2026, 11, 2, 10))
    sla_sweep(now=sh(2026, 11, 3, 17))
    sla_sweep(now=sh(2026, 11, 4, 0, 0, 1))
    rows = list(EventAction.objects.filter(event=ev, action__in=["sla_yellow", "sla_red"]).order_by("id"))
    assert [(r.action, r.from_status, r.to_status, r.actor_id, r.actor_name, r.visibility, r.note, r.reason,
             r.data, r.by_subject) for r in rows] == [
        ("sla_yellow", "dispatched", "dispatched", None, "系统", "internal", "", "", {}, False),
        ("sla_red", "dispatched", "dispatched", None, "系统", "internal", "", "", {}, False)]
    assert [r.at for r in rows] == [sh(2026, 11, 3, 17), sh(2026, 11, 4, 0, 0, 1)]


def _load_year(tmp_path, year, holidays=()):
    """Enter a year as an admin does, through ``gongzhi calendar load``."""
    import json

    from django.core.management import call_command
    f = tmp_path / f"{year}.json"
    f.write_text(json.dumps({"year": year, "holidays": list(holidays), "workdays": [], "notice": "国办发明电"}))
    call_command("calendar", "load", str(f))


# 2099 stands for "a year nobody has told us about": no calendar package will publish it while
# this code lives (they follow the State Council notice of the year before).  2098 is entered
# by hand so that a deadline can run from a known year into the unknown one.

def test_unknown_year_refuses_with_503(district, as_user, tmp_path):
    from ..conftest import report_payload
    _load_year(tmp_path, 2098)
    _, ev = as_user("resident1").post("/events", report_payload(district))
    import time_machine
    with time_machine.travel(sh(2098, 12, 30, 9)):     # a Tuesday
        s, err = as_user("comm11").post(f"/events/{ev['id']}/accept", {})
        assert s == 200                         # sign limit: 12-31 is still 2098
        s, err = as_user("comm11").post(f"/events/{ev['id']}/dispatch", {})
    assert s == 503 and "2099" in err["message"] and err["code"] == "not_configured"
    assert Event.objects.get(pk=ev["id"]).status == "accepted"    # nothing half-written


def test_admin_entered_year_unblocks(district, tmp_path):
    from gongzhi.core.errors import Unavailable
    _load_year(tmp_path, 2098)
    with pytest.raises(Unavailable, match="2099"):     # 10 handling workdays run into 2099
        _dispatched(district, sh(2098, 12, 30, 10))
    _load_year(tmp_path, 2099, holidays=["2099-01-01"])
    ev = Event.objects.get(status="accepted")           # the refused dispatch left it accepted
    ev = services.event_dispatch(actor=district.users["comm11"], event_id=ev.id, at=sh(2098, 12, 30, 10))
    ev = services.event_sign(actor=district.users["grid111"], event_id=ev.id, at=sh(2098, 12, 30, 11))
    # 10 workdays after Tue 12-30: 12-31, (01-01 off), 01-02, 01-05..01-09, 01-12..01-14 → 01-14.
    assert ev.handle_due_at == sh(2099, 1, 14, 23, 59, 59)
