"""Mediation and legal-aid clocks: stored due/warn points across the 2026 National Day 调休, flipped
yellow/red by the one sweep exactly at the edge, once each, only where the kind's table lets a
clock run (statuses written out here, not read from the modules)."""
from datetime import timedelta

import pytest
import time_machine

from gongzhi.casework.models import CaseLog
from gongzhi.domain.legalaid import AidStatus
from gongzhi.domain.mediation import CaseStatus
from gongzhi.legalaid.models import Application
from gongzhi.mediation.models import Case
from gongzhi.ops.sweep import sweep_cases
from tests.conftest import report_payload, sh

from .test_legalaid import apply
from .test_mediation import transfer

US = timedelta(microseconds=1)


def sweep_at(when):
    with time_machine.travel(when, tick=False):
        return sweep_cases()


def flips(kind, case_id):
    return list(CaseLog.objects.filter(kind=kind, case_id=case_id, action__startswith="sla_")
                .order_by("id").values_list("action", "from_status", "to_status", "actor_name", "visibility"))


def accepted_case(world, as_user):
    """A neighbour dispute (15 working days) accepted Tuesday 2026-09-29 10:00, before National Day."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        st, ev = as_user("resident1").post("/events", report_payload(
            world, kind="dispute", category="dispute-neighbour", description="楼上住户长期深夜噪音扰民，多次协商无果",
            reporter_name="张三", reporter_phone="13812345678"))
        assert st == 201, ev
        st, case = transfer(as_user, ev)
        assert st == 201, case
        st, case = as_user("med11").post(f"/mediation/{case['id']}/accept", {"version": case["version"]})
        assert st == 200 and case["status"] == "accepted", case
    return case


def test_mediation_handling_clock_turns_yellow_then_red_at_the_edges(world, as_user):
    case = accepted_case(world, as_user)
    row = Case.objects.get(pk=case["id"])
    # 15 working days: 09-30, (10-01..07 off) 10-08, 10-09, Saturday 10-10 worked (调休), ... → Monday 10-26.
    assert row.clock == "handle" and row.sla_flag == "green"
    assert row.due_at == sh(2026, 10, 26, 23, 59, 59)
    # 70% of the 15 working days: 10 whole ones (10-10 among them) and half of Tuesday 10-20.
    assert row.warn_at == sh(2026, 10, 20, 11, 59, 59, 300000)
    assert case["sla_flag"] == "green" and case["overdue"] is False

    assert sweep_at(row.warn_at - US)["mediation"] == (0, 0)
    assert Case.objects.get(pk=row.pk).sla_flag == "green" and flips("mediation", row.pk) == []
    assert sweep_at(row.warn_at)["mediation"] == (1, 0)
    assert Case.objects.get(pk=row.pk).sla_flag == "yellow"
    assert sweep_at(row.warn_at + US)["mediation"] == (0, 0)          # a second sweep flips nothing
    assert sweep_at(row.due_at)["mediation"] == (0, 0)                # due at 23:59:59 is still in time
    assert sweep_at(row.due_at + US)["mediation"] == (0, 1)
    assert sweep_at(row.due_at + timedelta(days=3))["mediation"] == (0, 0)
    assert flips("mediation", row.pk) == [("sla_yellow", "accepted", "accepted", "系统", "internal"),
                                          ("sla_red", "accepted", "accepted", "系统", "internal")]
    # Reads show the stored flag; lists filter by it; the applicant's timeline leaves the flips out.
    with time_machine.travel(row.due_at + timedelta(days=1), tick=False):
        st, red = as_user("med11").get("/mediation?flag=red")
        assert st == 200 and [c["id"] for c in red["items"]] == [row.pk] and red["items"][0]["overdue"] is True
        st, yellow = as_user("med11").get("/mediation?flag=yellow")
        assert st == 200 and yellow["items"] == []
        st, detail = as_user("med11").get(f"/mediation/{row.pk}")
        # …and the red flip's 督办 (domain.mediation.ESCALATION; tests/casework/test_supervision.py)
        assert [t["label"] for t in detail["timeline"]][-3:] == ["黄灯预警", "红灯超期", "超期自动督办"]


def test_an_outcome_stops_the_mediation_clock(world, as_user):
    case = accepted_case(world, as_user)
    med = as_user("med11")
    with time_machine.travel(sh(2026, 10, 21, 9), tick=False):
        assert sweep_cases()["mediation"] == (1, 0)
        st, case = med.post(f"/mediation/{case['id']}/schedule", {"scheduled_at": "2026-10-22T09:30:00+08:00",
                                                                  "mode": "in_person", "place": "瑞京社区调解室"})
        assert st == 200 and case["sla_flag"] == "yellow", case       # scheduling keeps the clock running
        st, case = med.post(f"/mediation/{case['id']}/fail", {"reason": "对方拒绝调解", "referral": "litigation"})
        assert st == 200 and case["status"] == "failed", case
    row = Case.objects.get(pk=case["id"])
    assert (row.clock, row.sla_flag, row.warn_at) == ("", "green", None)
    assert row.due_at == sh(2026, 10, 26, 23, 59, 59)                # kept for 按期调结
    assert sweep_at(sh(2026, 12, 1, 9))["mediation"] == (0, 0)


def test_legal_aid_decision_clock_across_national_day(world, as_user):
    with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
        st, app = apply(as_user, world)
    assert st == 201, app
    row = Application.objects.get(pk=app["id"])
    # 2 working days after Wednesday 09-30: Thursday 10-08 and Friday 10-09 (10-01..07 off).
    assert row.clock == "decision" and row.due_at == row.decision_due_at == sh(2026, 10, 9, 23, 59, 59)
    # 70% of 2 working days: all of 10-08 and 40% of 10-09.
    assert row.warn_at == sh(2026, 10, 9, 9, 35, 59, 300000)
    assert sweep_at(row.warn_at - US)["legal_aid"] == (0, 0)
    assert sweep_at(row.warn_at)["legal_aid"] == (1, 0)
    assert sweep_at(row.warn_at)["legal_aid"] == (0, 0)
    assert sweep_at(row.due_at)["legal_aid"] == (0, 0)
    assert sweep_at(row.due_at + US)["legal_aid"] == (0, 1)
    assert sweep_at(row.due_at + US)["legal_aid"] == (0, 0)
    assert flips("legalaid", row.pk) == [("sla_yellow", "submitted", "submitted", "系统", "internal"),
                                         ("sla_red", "submitted", "submitted", "系统", "internal")]
    with time_machine.travel(sh(2026, 10, 10, 9), tick=False):
        st, listed = as_user("aid2").get("/legalaid?flag=red")
        assert st == 200 and [a["id"] for a in listed["items"]] == [row.pk] and listed["items"][0]["overdue"]
        # 准予援助 on the make-up Saturday starts the assignment clock: 3 working days → Wednesday 10-14.
        st, app = as_user("aid2").post(f"/legalaid/{row.pk}/approve", {})
        assert st == 200 and app["status"] == "approved", app
        assert (app["clock"], app["sla_flag"], app["overdue"]) == ("assign", "green", False)
    row = Application.objects.get(pk=row.pk)
    assert row.due_at == sh(2026, 10, 14, 23, 59, 59) and row.decision_due_at == sh(2026, 10, 9, 23, 59, 59)
    # A sweep that comes only after the due moment writes both flips, yellow first.
    assert sweep_at(row.due_at + US)["legal_aid"] == (1, 1)
    assert [f[0] for f in flips("legalaid", row.pk)][2:] == ["sla_yellow", "sla_red"]
    with time_machine.travel(sh(2026, 10, 15, 9), tick=False):
        st, app = as_user("aid2").post(f"/legalaid/{row.pk}/assign", {})
        assert st == 200 and app["status"] == "assigned" and (app["clock"], app["sla_flag"]) == ("", "green")


MEDIATION_RUNS_IN = {"accepted", "mediating"}
LEGAL_AID_RUNS_IN = {"decision": {"submitted"}, "assign": {"approved"}}


def test_mediation_sweep_touches_only_the_statuses_the_table_allows(world, as_user):
    case = accepted_case(world, as_user)
    base = Case.objects.get(pk=case["id"])
    ids = {}
    for status in ("applied", "refused", "accepted", "mediating", "succeeded", "signed", "failed", "closed",
                   "withdrawn"):
        base.pk, base.number, base.client_key = None, None, None
        base.status, base.clock, base.sla_flag = status, "handle", "green"   # a stale clock on every status
        base.save()
        ids[status] = base.pk
    Case.objects.filter(pk=case["id"]).update(clock="")            # the original runs no clock
    assert sweep_at(sh(2026, 12, 1, 9))["mediation"] == (2, 2)           # green → yellow → red, in one round
    red = {s for s, pk in ids.items() if Case.objects.get(pk=pk).sla_flag == "red"}
    assert red == MEDIATION_RUNS_IN
    flagged = CaseLog.objects.filter(kind="mediation", case_id__in=ids.values())
    # a red handling clock brings its 督办 (domain.mediation.ESCALATION), where the clock runs only
    assert sorted(flagged.values_list("action", "to_status")) == [
        ("auto_supervise", "accepted"), ("auto_supervise", "mediating"),
        ("sla_red", "accepted"), ("sla_red", "mediating"), ("sla_yellow", "accepted"), ("sla_yellow", "mediating")]
    assert [s.value for s in CaseStatus if s.value not in ids] == []


@pytest.mark.parametrize("clock", ["decision", "assign"])
def test_legal_aid_sweep_touches_only_the_statuses_the_table_allows(world, as_user, clock):
    with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
        st, app = apply(as_user, world)
    base = Application.objects.get(pk=app["id"])
    ids = {}
    for status in ("submitted", "approved", "denied", "assigned", "handling", "concluded", "reviewed", "closed",
                   "withdrawn"):
        base.pk, base.number, base.client_key = None, None, None
        base.status, base.clock, base.sla_flag = status, clock, "yellow"
        base.save()
        ids[status] = base.pk
    Application.objects.filter(pk=app["id"]).update(clock="")      # the original runs no clock
    assert sweep_at(sh(2026, 12, 1, 9))["legal_aid"] == (0, 1)
    red = {s for s, pk in ids.items() if Application.objects.get(pk=pk).sla_flag == "red"}
    assert red == LEGAL_AID_RUNS_IN[clock]
    assert sweep_at(sh(2026, 12, 1, 9))["legal_aid"] == (0, 0)
    assert [s.value for s in AidStatus if s.value not in ids] == []


def test_existing_rows_get_their_clock_from_the_stored_due_date(world, as_user):
    """The migrations' backfill: an open case's stored due_at, a pending application's decision_due_at."""
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    case = accepted_case(world, as_user)
    with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
        st, app = apply(as_user, world)
    Case.objects.filter(pk=case["id"]).update(clock="", warn_at=None)
    Application.objects.filter(pk=app["id"]).update(clock="", due_at=None, warn_at=None)
    # The models as the two migrations saw them (the calendar was still events' then).
    apps = MigrationLoader(connection).project_state(
        [("mediation", "0003_case_clock"), ("legalaid", "0003_application_clock")]).apps
    importlib.import_module("gongzhi.mediation.migrations.0003_case_clock").backfill(apps, None)
    importlib.import_module("gongzhi.legalaid.migrations.0003_application_clock").backfill(apps, None)
    row = Case.objects.get(pk=case["id"])
    assert (row.clock, row.due_at, row.warn_at) == ("handle", sh(2026, 10, 26, 23, 59, 59),
                                                    sh(2026, 10, 20, 11, 59, 59, 300000))
    aid = Application.objects.get(pk=app["id"])
    assert (aid.clock, aid.due_at, aid.warn_at) == ("decision", sh(2026, 10, 9, 23, 59, 59),
                                                    sh(2026, 10, 9, 9, 35, 59, 300000))
