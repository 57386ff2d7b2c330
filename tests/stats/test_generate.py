"""The bulk generator writes rows the KPIs can read, and the commands around it."""
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from gongzhi.events.models import Event
from gongzhi.stats.queries import Filters, kpis


def test_simulate_writes_a_plausible_year_and_the_rollup_agrees(district):
    call_command("simulate", events=3000, days=120, seed=4)
    qs = Event.objects.all()
    assert qs.count() == 3000
    end = timezone.localdate()
    assert qs.filter(reported_on__lt=end - timedelta(days=119)).count() == 0
    # Old events are finished, recent ones are still moving; a share is overdue.
    old = qs.filter(reported_on__lt=end - timedelta(days=60))
    assert old.filter(status__in=["closed", "revisited"]).count() > 0.8 * old.exclude(status="rejected").count()
    assert qs.filter(status__in=["dispatched", "handling", "resolved"]).exists()
    assert qs.filter(resolved_on_time=False).exists() and qs.filter(satisfaction__lte=3).exists()
    f = Filters(end - timedelta(days=119), end, district.county)
    r_roll, r_raw = kpis(f, by="category", source="rollup"), kpis(f, by="category", source="raw")
    assert r_roll.totals == r_raw.totals and r_roll.totals["reported"] == 3000
    assert [(x["key"], x["reported"]) for x in r_roll.rows] == [(x["key"], x["reported"]) for x in r_raw.rows]
    assert 60 < r_roll.rates["结案率"] < 100 and r_roll.rates["满意率"] > 70


def test_stats_refresh_command(district, capsys):
    call_command("stats_refresh", full=True)
    call_command("stats_refresh")
    out = capsys.readouterr().out
    assert "全量" in out and "增量" in out
