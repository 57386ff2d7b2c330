"""The bulk generator's clocks are the services' clocks: due and yellow points from domain.sla
(yellow at 70 % of the working time, not "one day before due"), the flag the sweep would store."""
from datetime import datetime, time

from django.utils import timezone

from gongzhi.domain.calendar import SHANGHAI, WorkCalendar, YearSpec
from gongzhi.domain.sla import flag_at, workday_deadline
from gongzhi.events import rules
from gongzhi.events.models import Event
from gongzhi.stats.generate import generate

HANDLE_LIMITS = (3, 5, 10, 15)     # the generator's mix of handling limits, in working days


def test_generated_clocks_follow_the_sla_rule(district):
    end = timezone.localdate()                                  # Monday 2026-11-02 (tests/conftest.py)
    assert generate(800, end=end, days=40, seed=3) == 800
    now = datetime.combine(end, time(23, 0), SHANGHAI)          # the moment the generator writes "now" as
    # the loaded calendar, and a plain Monday–Friday year for one nobody entered (2027)
    cal = rules.calendar()
    cal = WorkCalendar(years={**cal.years, 2027: YearSpec(2027)}, special_days=cal.special_days)
    rule = rules.deadline_rule()
    running = Event.objects.exclude(clock="")
    assert running.filter(clock="sign").exists() and running.filter(clock="handle").exists()
    flags = set()
    for ev in running:
        if ev.clock == "sign":
            start, limits = ev.accepted_at, (1,)             # 签收 within one working day
        else:
            start, limits = ev.handle_started_at, HANDLE_LIMITS
        fits = [workday_deadline(cal, start, n, rule) for n in limits]
        d = next((d for d in fits if d.due_at == ev.due_at), None)
        assert d is not None, (ev.number, ev.clock, ev.due_at)
        assert ev.warn_at == d.warn_at, ev.number
        assert ev.sla_flag == flag_at(now, d), ev.number
        flags.add(ev.sla_flag)
    assert flags == {"green", "yellow", "red"}
    # yellow exactly from 70 %: a running clock flagged yellow has its warn point behind it and its
    # due ahead; none turns yellow a day before due while still short of the 70 % point
    for ev in running.filter(sla_flag="yellow"):
        assert ev.warn_at <= now <= ev.due_at
    assert not running.filter(sla_flag="green", warn_at__lte=now).exists()
    # stored deadlines of finished work are the calendar's too: signed on time against 签收 due
    closed = Event.objects.filter(status="closed").exclude(signed_at=None)[:50]
    for ev in closed:
        assert ev.sign_due_at == workday_deadline(cal, ev.accepted_at, 1, rule).due_at
        assert ev.signed_on_time == (ev.signed_at <= ev.sign_due_at)
    assert closed
