"""督办 of dispute cases and legal-aid applications: by a supervisor or a centre, by the sweep when
a clock the kind's ESCALATION table names turns red (under time travel across the 2026 National
Day 调休), once, only upward; the 案情复杂 extension of the decision clock; the 督办台 and its scope.

Every expected value is written out here (tables, dates, names), not read from the modules."""
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from gongzhi.casework.models import CaseLog, Notice
from gongzhi.domain import legalaid as dl, mediation as dm
from gongzhi.domain.enums import SupervisionLevel
from gongzhi.domain.supervision import below, raised
from gongzhi.legalaid.models import Application, Office
from gongzhi.mediation.models import Case
from gongzhi.ops.sweep import sweep_cases
from tests.conftest import Api, report_payload, sh

from .test_clocks import accepted_case
from .test_legalaid import apply

US = timedelta(microseconds=1)


def sweep_at(when):
    with time_machine.travel(when, tick=False):
        return sweep_cases()


def supervisions(kind, case_id):
    """The case's 督办 rows: (action, level, reason or note, actor name, visibility)."""
    return list(CaseLog.objects.filter(kind=kind, case_id=case_id, action__in=["supervise", "auto_supervise"])
                .order_by("id").values_list("action", "data__level", "reason", "actor_name", "visibility"))


def notices(kind, case_id, subject):
    return sorted(Notice.objects.filter(kind=kind, case_id=case_id, subject=subject)
                  .values_list("recipient", "phone"))


# ---- the rules as tables --------------------------------------------------------------------------

# (clock, flag) → (level, addressee): a red 调解期限 and a red 审查决定 escalate; nothing else does.
ESCALATION = {
    "mediation": {("handle", "red"): ("red", "supervising_body")},
    "legal_aid": {("decision", "red"): ("red", "centre_head")},
}


@pytest.mark.parametrize("kind, module", [("mediation", dm), ("legal_aid", dl)])
def test_escalation_tables_are_pinned(kind, module):
    got = {(c.value, f.value): (e.level.value, e.to.value) for (c, f), e in module.ESCALATION.items()}
    assert got == ESCALATION[kind]


@pytest.mark.parametrize("stored, level, kept", [
    ("", "normal", "normal"), ("", "red", "red"),
    ("normal", "normal", None), ("normal", "yellow", "yellow"),
    ("yellow", "normal", None), ("yellow", "yellow", None), ("yellow", "red", "red"),
    ("red", "normal", None), ("red", "yellow", None), ("red", "red", None),
])
def test_supervision_only_goes_up(stored, level, kept):
    assert raised(stored, SupervisionLevel(level)) == kept


def test_the_sweeps_guard_raises_only_lower_levels():
    assert below(SupervisionLevel.RED) == ("", "normal", "yellow")
    assert below(SupervisionLevel.YELLOW) == ("", "normal")
    assert below(SupervisionLevel.NORMAL) == ("",)


K = dm.OrgKind
ORGS = [  # id, kind, area path: a county with two townships, their communities, a studio, a professional committee
    dm.OrgFacts(1, "东铺头街道调委会", K.TOWNSHIP, "/c/t1/", frozenset()),
    dm.OrgFacts(2, "西桥街道调委会", K.TOWNSHIP, "/c/t2/", frozenset()),
    dm.OrgFacts(3, "瑞京社区调委会", K.VILLAGE, "/c/t1/v1/", frozenset()),
    dm.OrgFacts(4, "碧湖社区调委会", K.VILLAGE, "/c/t2/v1/", frozenset()),
    dm.OrgFacts(5, "老林调解工作室", K.STUDIO, "/c/t1/", frozenset()),
    dm.OrgFacts(6, "交通事故调委会", K.PROFESSIONAL, "/c/", frozenset({"traffic"})),
]


@pytest.mark.parametrize("handling, above", [
    (3, 1),        # a community committee → its township's committee
    (4, 2),        # … the one of its own township, not the other
    (5, 1),        # a studio sitting at the township → the township committee
    (1, None),     # the township committee itself: the county 综治中心 takes it
    (6, None),     # a county professional committee: likewise
])
def test_who_supervises_a_committee(handling, above):
    got = dm.supervising_org(ORGS, ORGS[handling - 1])
    assert (got.id if got else None) == above


def test_the_legal_aid_centre_over_an_office():
    centre, station, other = (dl.OfficeFacts(1, "区法律援助中心", "/c/"), dl.OfficeFacts(2, "街道工作站", "/c/t1/"),
                              dl.OfficeFacts(3, "另一区中心", "/d/"))
    offices = [station, other, centre]
    assert dl.aid_centre(offices, station) == centre
    assert dl.aid_centre(offices, centre) == centre
    assert dl.aid_centre([station], station) == station       # no centre on file: the office itself


@pytest.mark.parametrize("configured, complex_case, workdays", [
    (2, False, 2), (2, True, 5),          # 泉州's promise, +3 when complex
    (7, False, 7), (7, True, 10),         # the law's limit, and its ceiling with the extension
    (8, False, 7), (8, True, 10),         # a setting above the law is held to it
    (1, False, 1), (0, False, 1),
])
def test_decision_limit(configured, complex_case, workdays):
    assert dl.decision_workdays(configured, complex_case) == workdays


@pytest.mark.parametrize("decision, assign, refused", [
    (2, 3, []), (7, 3, []), (1, 1, []),
    (8, 3, ["DECISION"]), (0, 3, ["DECISION"]), (7, 4, ["ASSIGN"]), (9, 0, ["DECISION", "ASSIGN"]),
])
def test_limits_outside_the_law_are_refused(decision, assign, refused):
    problems = dl.limit_problems(decision, assign)
    assert [name for name in ("DECISION", "ASSIGN") if any(f"_{name}_WORKDAYS" in p for p in problems)] == refused
    assert len(problems) == len(refused)


@pytest.mark.parametrize("decision, errors", [(2, 0), (7, 0), (8, 1)])
def test_the_start_up_check(settings, decision, errors):
    from django.core.checks import run_checks
    settings.GONGZHI_LEGALAID_DECISION_WORKDAYS = decision
    found = [m for m in run_checks() if m.id == "gongzhi.legalaid.E001"]
    assert len(found) == errors and all(m.level >= 40 for m in found)     # ERROR stops migrate and the sweep


# ---- a person's 督办 --------------------------------------------------------------------------------

def test_a_supervisor_presses_a_dispute_case(world, as_user):
    case = accepted_case(world, as_user)
    cid = case["id"]
    with time_machine.travel(sh(2026, 10, 9, 10), tick=False):
        st, got = as_user("supervisor").post(f"/mediation/{cid}/supervise", {"level": "yellow", "note": "请十日内调结"})
        assert st == 200 and got["status"] == "accepted" and got["supervision"] == "yellow", got
        assert got["version"] == case["version"] + 1
        # a lower 督办 later is recorded, the stored level stays; a higher one raises it
        st, got = as_user("comm11").post(f"/mediation/{cid}/supervise", {"level": "normal", "note": "跟进"})
        assert st == 200 and got["supervision"] == "yellow"
        st, got = as_user("county").post(f"/mediation/{cid}/supervise", {"level": "red", "note": "限期三日"})
        assert st == 200 and got["supervision"] == "red"
    names = {u: world.users[u].profile.display_name for u in ("supervisor", "comm11", "county")}
    assert supervisions("mediation", cid) == [
        ("supervise", "yellow", "请十日内调结", names["supervisor"], "internal"),
        ("supervise", "normal", "跟进", names["comm11"], "internal"),
        ("supervise", "red", "限期三日", names["county"], "internal")]
    row = Case.objects.select_related("organisation", "mediator").get(pk=cid)
    # addressed to the committee handling it and its mediator
    assert notices("mediation", cid, "黄牌督办") == sorted([("瑞京社区人民调解委员会", row.organisation.phone),
                                                          (row.mediator.name, row.mediator.phone)])
    assert len(notices("mediation", cid, "红牌督办")) == 2
    # the parties do not read it
    st, mine = as_user("resident1").get(f"/mediation/{cid}")
    assert st == 200 and "督办" not in [t["label"] for t in mine["timeline"]]


# who may 督办 an accepted dispute case in community 1-1 (status), and an application there
PRESS_CASE = {
    "med11": 403,          # the mediator works the case, does not 督办 it
    "resident1": 403,      # the applicant sees the case, does not 督办 it
    "resident2": 404,      # a stranger learns nothing of it
    "grid111": 404,        # a grid worker reads no dispute case
    "supervisor": 200, "county": 200, "town1": 200, "comm11": 200, "admin": 200,
}
PRESS_APPLICATION = {
    "aid2": 403,           # the deciding office does not 督办 itself
    "resident1": 403,      # the applicant
    "lawyer1": 404, "resident2": 404, "med11": 404, "grid111": 404,
    "supervisor": 200, "county": 200, "town1": 200, "comm11": 200, "admin": 200,
}


def test_who_may_press_a_dispute_case(world, as_user):
    case = accepted_case(world, as_user)
    got = {}
    for username in PRESS_CASE:
        Case.objects.filter(pk=case["id"]).update(supervision="")
        got[username], body = as_user(username).post(f"/mediation/{case['id']}/supervise",
                                                      {"level": "normal", "note": "请加快"})
        assert Case.objects.get(pk=case["id"]).supervision == ("normal" if got[username] == 200 else ""), body
    assert got == PRESS_CASE


def test_who_may_press_a_legal_aid_application(world, as_user):
    st, app = apply(as_user, world)
    got = {}
    for username in PRESS_APPLICATION:
        Application.objects.filter(pk=app["id"]).update(supervision="")
        got[username], body = as_user(username).post(f"/legalaid/{app['id']}/supervise",
                                                     {"level": "yellow", "note": "请按期决定"})
        assert Application.objects.get(pk=app["id"]).supervision == ("yellow" if got[username] == 200 else ""), body
    assert got == PRESS_APPLICATION


def test_a_supervisor_reads_the_application_masked(world, as_user):
    st, app = apply(as_user, world)
    st, got = as_user("supervisor").get(f"/legalaid/{app['id']}")
    assert st == 200 and got["applicant_detail"]["masked"] and got["applicant_detail"]["name"] == "刘**"
    assert "刘春花" not in str(got) and "13511112222" not in str(got) and got["documents"] == []
    assert got["actions"] == ["supervise"]


def test_a_closed_case_is_not_pressed_and_a_note_is_required(world, as_user):
    case = accepted_case(world, as_user)
    st, err = as_user("supervisor").post(f"/mediation/{case['id']}/supervise", {"level": "red", "note": "  "})
    assert st == 422 and err["fields"], err
    as_user("med11").post(f"/mediation/{case['id']}/withdraw", {"reason": "双方已和解"})
    st, err = as_user("supervisor").post(f"/mediation/{case['id']}/supervise", {"level": "red", "note": "x"})
    assert st == 409 and err["code"] == "transition_not_allowed", err


def test_the_case_page_offers_the_supervise_form(world, as_user):
    case = accepted_case(world, as_user)
    sup = Api(world.users["supervisor"]).client
    page = sup.get(f"/mediation/{case['id']}/").content.decode()
    assert 'data-op="supervise"' in page and 'name="level"' in page and "红牌督办" in page
    mediator = Api(world.users["med11"]).client
    assert 'data-op="supervise"' not in mediator.get(f"/mediation/{case['id']}/").content.decode()
    r = sup.post(f"/mediation/{case['id']}/do/supervise",
                 {"level": "red", "note": "限期调结。", "version": case["version"]})
    assert r.status_code == 302 and Case.objects.get(pk=case["id"]).supervision == "red"
    # the note's own full stop is not doubled by the notice's
    texts = {n.text for n in Notice.objects.filter(kind="mediation", case_id=case["id"], subject="红牌督办")}
    assert len(texts) == 1 and texts.pop().endswith("收到红牌督办：限期调结。请抓紧办理并反馈。")
    assert "红牌督办" in sup.get(f"/mediation/{case['id']}/").content.decode()


# ---- the sweep's 督办, across the National Day 调休 ---------------------------------------------

def test_a_red_dispute_case_is_pressed_one_level_up_once(world, as_user):
    case = accepted_case(world, as_user)
    row = Case.objects.select_related("organisation", "mediator").get(pk=case["id"])
    # 15 working days from Tuesday 09-29 with National Day off and Saturday 10-10 worked: Monday 10-26.
    assert row.due_at == sh(2026, 10, 26, 23, 59, 59)
    assert sweep_at(row.warn_at)["mediation"] == (1, 0)
    assert supervisions("mediation", row.pk) == []                      # yellow warns, it does not press
    assert sweep_at(row.due_at)["mediation"] == (0, 0)
    assert supervisions("mediation", row.pk) == []
    assert sweep_at(row.due_at + US)["mediation"] == (0, 1)
    assert supervisions("mediation", row.pk) == [
        ("auto_supervise", "red", "调解期限已超期，系统自动红牌督办", "系统", "internal")]
    log = CaseLog.objects.get(kind="mediation", case_id=row.pk, action="auto_supervise")
    assert log.data["to"] == "东铺头街道人民调解委员会" and log.at == row.due_at + US
    after = Case.objects.get(pk=row.pk)
    assert (after.supervision, after.version, after.status) == ("red", row.version + 1, "accepted")
    township = world.users["tmed1"].mediator_roles.get().org
    assert notices("mediation", row.pk, "红牌督办") == sorted([
        ("东铺头街道人民调解委员会", township.phone),                            # addressed one level up
        ("瑞京社区人民调解委员会", row.organisation.phone), (row.mediator.name, row.mediator.phone)])
    # idempotent: later sweeps flip nothing and press nothing again
    for later in (row.due_at + US, row.due_at + timedelta(days=1), sh(2026, 12, 1, 9)):
        assert sweep_at(later)["mediation"] == (0, 0)
    assert len(supervisions("mediation", row.pk)) == 1 and len(notices("mediation", row.pk, "红牌督办")) == 3
    # whoever read the case before the 督办 must read it again (the version moved)
    st, err = as_user("med11").post(f"/mediation/{row.pk}/record", {"version": row.version, "attendees": "双方",
                                                                     "record": "双方陈述意见"})
    assert st == 409 and err["code"] == "stale_version", err


def test_a_township_committees_red_case_goes_to_the_county_centre(world, as_user):
    case = accepted_case(world, as_user)
    township = world.users["tmed1"].mediator_roles.get().org
    Case.objects.filter(pk=case["id"]).update(organisation=township, mediator=None)
    row = Case.objects.get(pk=case["id"])
    sweep_at(row.due_at + US)
    log = CaseLog.objects.get(kind="mediation", case_id=row.pk, action="auto_supervise")
    assert log.data["to"] == "芗城区综治中心"
    assert notices("mediation", row.pk, "红牌督办") == sorted([("芗城区综治中心", ""),
                                                          ("东铺头街道人民调解委员会", township.phone)])


# stored 督办 before the red flip → after it, and whether the sweep wrote a 督办 of its own
RAISES = {"": ("red", 1), "normal": ("red", 1), "yellow": ("red", 1),
          "red": ("red", 0)}      # already 红牌督办 by a person: the sweep adds none, lowers nothing


def test_the_sweep_raises_only_what_is_lower(world, as_user):
    case = accepted_case(world, as_user)
    base = Case.objects.get(pk=case["id"])
    ids = {}
    for before in RAISES:
        base.pk, base.number, base.client_key, base.supervision = None, None, None, before
        base.save()
        ids[before] = base.pk
    Case.objects.filter(pk=case["id"]).update(clock="")
    assert sweep_at(base.due_at + US)["mediation"] == (4, 4)
    got = {before: (Case.objects.get(pk=pk).supervision, len(supervisions("mediation", pk)))
           for before, pk in ids.items()}
    assert got == RAISES
    assert {Case.objects.get(pk=pk).version - base.version for pk in ids.values()} == {0, 1}
    assert Case.objects.get(pk=ids["red"]).version == base.version


def _clones(base, n):
    for _ in range(n):
        base.pk, base.number, base.client_key, base.supervision = None, None, None, ""
        base.save()


def test_the_automatic_supervision_is_set_based(world, as_user):
    """The sweep's 督办 of cases goes through core.batch.act_many: its statements do not grow with
    the number of cases pressed (5 then 40 red at once), and every one gets its timeline row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    case = accepted_case(world, as_user)
    base = Case.objects.get(pk=case["id"])
    counted = []
    for n, day in ((5, 0), (40, 1)):
        Case.objects.update(clock="")
        _clones(base, n)
        with CaptureQueriesContext(connection) as q:
            got = sweep_at(base.due_at + US + timedelta(days=day))["mediation"]
        assert got[1] == n          # (yellow flips, red flips): each clone passes both at once
        counted.append(len(q.captured_queries))
    assert counted[1] <= counted[0], counted     # one query a case would be 35 more
    assert CaseLog.objects.filter(kind="mediation", action="auto_supervise").count() == 45


def test_an_overdue_legal_aid_decision_goes_to_the_centre_head(world, as_user):
    with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
        st, app = apply(as_user, world)
    centre = Office.objects.get(name="芗城区法律援助中心")
    Office.objects.filter(pk=centre.pk).update(head="陈主任", head_phone="13900001234")
    row = Application.objects.select_related("office").get(pk=app["id"])
    # 2 working days after Wednesday 09-30: 10-08 and 10-09; due Friday 23:59:59, red on the worked Saturday.
    assert row.due_at == sh(2026, 10, 9, 23, 59, 59) and row.office.name == "东铺头街道法律援助工作站"
    assert sweep_at(row.due_at)["legal_aid"] == (1, 0) and supervisions("legalaid", row.pk) == []
    assert sweep_at(sh(2026, 10, 10, 0, 0))["legal_aid"] == (0, 1)
    assert supervisions("legalaid", row.pk) == [
        ("auto_supervise", "red", "审查决定已超期，系统自动红牌督办", "系统", "internal")]
    assert CaseLog.objects.get(kind="legalaid", case_id=row.pk, action="auto_supervise").data["to"] == "陈主任"
    assert notices("legalaid", row.pk, "红牌督办") == sorted([("陈主任", "13900001234"),
                                                          ("东铺头街道法律援助工作站", row.office.phone)])
    assert Application.objects.get(pk=row.pk).supervision == "red"
    assert sweep_at(sh(2026, 10, 12, 9))["legal_aid"] == (0, 0) and len(supervisions("legalaid", row.pk)) == 1
    # the applicant reads neither the flag nor the 督办
    st, mine = as_user("resident1").get(f"/legalaid/{row.pk}")
    assert [t["label"] for t in mine["timeline"]] == ["提交申请"]


def test_a_centre_without_a_head_on_file_is_written_to_at_its_number(world, as_user):
    with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
        st, app = apply(as_user, world)
    sweep_at(sh(2026, 10, 10, 0, 0))
    centre = Office.objects.get(name="芗城区法律援助中心")
    assert ("芗城区法律援助中心负责人", centre.phone) in notices("legalaid", app["id"], "红牌督办")


def test_a_late_assignment_is_flagged_but_not_pressed(world, as_user):
    with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
        st, app = apply(as_user, world)
        st, app = as_user("aid2").post(f"/legalaid/{app['id']}/approve", {})
    assert app["clock"] == "assign"
    assert sweep_at(sh(2026, 12, 1, 9))["legal_aid"] == (1, 1)
    got = Application.objects.get(pk=app["id"])
    assert (got.sla_flag, got.supervision) == ("red", "")
    assert supervisions("legalaid", app["id"]) == []
    page = Api(world.users["aid2"]).client.get(f"/legalaid/{app['id']}/").content.decode()
    assert "指派律师超期" in page and "审查决定超期" not in page


# ---- 案情复杂: the decision clock moves out, once, never beyond 10 working days ----------------

# configured decision limit → the extended due and warn points of an application of Wednesday 09-30
COMPLEX = {
    # 2 + 3 = 5 working days: 10-08, 10-09, Saturday 10-10 (worked), 10-12, 10-13; yellow after
    # 70 % of the working time: three whole days and half of Monday 10-12.
    2: (sh(2026, 10, 13, 23, 59, 59), sh(2026, 10, 12, 11, 59, 59, 300000)),
    # 7 + 3 = 10: … 10-14, 10-15, 10-16, 10-19, 10-20; yellow after 7 of them: the end of Thursday 10-15.
    7: (sh(2026, 10, 20, 23, 59, 59), sh(2026, 10, 15, 23, 59, 59, 300000)),
    8: (sh(2026, 10, 20, 23, 59, 59), sh(2026, 10, 15, 23, 59, 59, 300000)),      # held to the law
}


def test_an_extension_past_its_new_warning_is_yellow_at_once(world, as_user, settings):
    """The extended clock counts from the submission: extended after its new warning point, it is
    yellow when written — the sweep reads only thresholds falling after its last round."""
    settings.GONGZHI_LEGALAID_DECISION_WORKDAYS = 2
    due, warn = COMPLEX[2]
    with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
        st, app = apply(as_user, world)
    sweep_at(sh(2026, 10, 12, 12))           # a round after the new warning point: its mark is there
    with time_machine.travel(sh(2026, 10, 12, 15), tick=False):
        st, got = as_user("aid2").post(f"/legalaid/{app['id']}/complex", {"reason": "需调取多家单位材料"})
        assert st == 200, got
    row = Application.objects.get(pk=app["id"])
    assert (row.due_at, row.warn_at, row.sla_flag) == (due, warn, "yellow")
    assert sweep_at(due + US)["legal_aid"] == (0, 1)


def test_a_complex_case_extends_the_decision_once(world, as_user, settings):
    aid2 = as_user("aid2")
    for configured, (due, warn) in COMPLEX.items():
        settings.GONGZHI_LEGALAID_DECISION_WORKDAYS = configured
        with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
            st, app = apply(as_user, world, client_key=f"c{configured}")
        with time_machine.travel(sh(2026, 10, 9, 10), tick=False):
            st, err = aid2.post(f"/legalaid/{app['id']}/complex", {"reason": " "})
            assert st == 422, err
            st, err = as_user("supervisor").post(f"/legalaid/{app['id']}/complex", {"reason": "x"})
            assert st == 403, err
            st, got = aid2.post(f"/legalaid/{app['id']}/complex", {"reason": "涉及多名用工单位，需调取工资记录"})
            assert st == 200 and got["status"] == "submitted" and got["complex_case"] is True, got
            assert "complex" not in aid2.get(f"/legalaid/{app['id']}")[1]["actions"]     # once: no second offer
            st, err = aid2.post(f"/legalaid/{app['id']}/complex", {"reason": "再次延长"})
            assert st == 409 and err["code"] == "already_extended", err
        row = Application.objects.get(pk=app["id"])
        assert (row.clock, row.due_at, row.decision_due_at, row.warn_at, row.sla_flag) == (
            "decision", due, due, warn, "green"), configured
        assert row.complex_reason == "涉及多名用工单位，需调取工资记录"
        assert notices("legalaid", row.pk, "审查期限延长") == [("刘春花", "13511112222")]
        assert Notice.objects.get(kind="legalaid", case_id=row.pk, subject="审查期限延长").text.endswith(
            f"{due:%Y-%m-%d} 前作出决定。")
    # the sweep counts against the new points only (three applications; two share their points)
    assert sweep_at(sh(2026, 10, 10, 0, 0))["legal_aid"] == (0, 0)        # the old dues passed: nothing
    assert sweep_at(COMPLEX[2][1] - US)["legal_aid"] == (0, 0)
    assert sweep_at(COMPLEX[2][1])["legal_aid"] == (1, 0)
    assert sweep_at(COMPLEX[2][0])["legal_aid"] == (0, 0)
    assert sweep_at(COMPLEX[2][0] + US)["legal_aid"] == (0, 1)
    assert sweep_at(COMPLEX[7][1])["legal_aid"] == (2, 0)
    assert sweep_at(COMPLEX[7][0] + US)["legal_aid"] == (0, 2)
    assert CaseLog.objects.filter(kind="legalaid", action="auto_supervise").count() == 3
    st, mine = as_user("resident1").get(f"/legalaid/{row.pk}")
    assert [t["label"] for t in mine["timeline"]] == ["提交申请", "案情复杂·延长审查期限"]
    assert mine["timeline"][1]["reason"] == ""          # staff's words about the matter stay with staff


def test_complex_only_while_the_decision_clock_runs(world, as_user):
    st, app = apply(as_user, world)
    Application.objects.filter(pk=app["id"]).update(clock="")       # a year the calendar lacked stopped it
    st, err = as_user("aid2").post(f"/legalaid/{app['id']}/complex", {"reason": "案情复杂"})
    assert st == 409 and err["code"] == "no_decision_clock", err
    Application.objects.filter(pk=app["id"]).update(clock="decision")
    as_user("aid2").post(f"/legalaid/{app['id']}/approve", {})
    st, err = as_user("aid2").post(f"/legalaid/{app['id']}/complex", {"reason": "案情复杂"})
    assert st == 409 and err["code"] == "transition_not_allowed", err


def test_the_decision_badge_names_its_clock(world, as_user):
    st, app = apply(as_user, world)
    aid2 = Api(world.users["aid2"]).client
    Application.objects.filter(pk=app["id"]).update(sla_flag="yellow")
    assert "审查决定即将超期" in aid2.get(f"/legalaid/{app['id']}/").content.decode()
    Application.objects.filter(pk=app["id"]).update(sla_flag="red", supervision="red")
    page = aid2.get(f"/legalaid/{app['id']}/").content.decode()
    assert "审查决定超期" in page and "红牌督办" in page and "指派律师超期" not in page


# ---- the 督办台 -------------------------------------------------------------------------------------

def _board(user, **query):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c.get("/supervise/", query)


def _flagged_world(world, as_user):
    """Two dispute cases (community 1-1: red; township 2: yellow), two applications (grid 0: red;
    township 2: yellow) and two events (grid 0: red, grid 4: yellow), flags as the sweep stores them."""
    from gongzhi.events.models import Event
    a = accepted_case(world, as_user)
    b = Case.objects.get(pk=a["id"])
    b.pk, b.number, b.client_key = None, "TJB", None
    b.area, b.area_path, b.sla_flag = world.grids[4], world.grids[4].path, "yellow"
    b.save()
    Case.objects.filter(pk=a["id"]).update(sla_flag="red", supervision="yellow")
    st, x = apply(as_user, world)
    st, y = apply(as_user, world, area=world.grids[4].code, client_key="y")
    Application.objects.filter(pk=x["id"]).update(sla_flag="red")
    Application.objects.filter(pk=y["id"]).update(sla_flag="yellow")
    st, e1 = as_user("resident1").post("/events", report_payload(world, 0))
    st, e2 = as_user("resident2").post("/events", report_payload(world, 4))
    as_user("county").post(f"/events/{e1['id']}/accept", {})
    as_user("county").post(f"/events/{e2['id']}/accept", {})
    # as the sweep stores them: a flag is a running clock's whose warning (red: deadline) has passed
    from django.utils import timezone
    now = timezone.now()
    Event.objects.filter(pk=e1["id"]).update(sla_flag="red", warn_at=now - timedelta(days=2),
                                             due_at=now - timedelta(days=1))
    Event.objects.filter(pk=e2["id"]).update(sla_flag="yellow", warn_at=now - timedelta(hours=1),
                                             due_at=now + timedelta(days=1))
    return {"case_red": a["id"], "case_yellow": b.pk, "aid_red": x["id"], "aid_yellow": y["id"],
            "ev_red": e1["id"], "ev_yellow": e2["id"]}


def _counts(r):
    return {(c["key"], x): c[x] for c in r.context["counts"] for x in ("red", "yellow", "supervised")}


def _numbers(r):
    return {s["key"]: [row["number"] for row in s["rows"]] for s in r.context["sections"]}


def test_the_board_counts_and_lists_what_is_late_in_scope(world, as_user):
    ids = _flagged_world(world, as_user)
    r = _board(world.users["supervisor"])
    assert r.status_code == 200
    assert _counts(r) == {("event", "red"): 1, ("event", "yellow"): 1, ("event", "supervised"): 0,
                          ("mediation", "red"): 1, ("mediation", "yellow"): 1, ("mediation", "supervised"): 1,
                          ("legalaid", "red"): 1, ("legalaid", "yellow"): 1, ("legalaid", "supervised"): 0}
    case_red = Case.objects.get(pk=ids["case_red"])
    assert _numbers(r)["mediation"] == [case_red.number, "TJB"]                 # red first
    page = r.content.decode()
    assert f'href="/mediation/{ids["case_red"]}/"' in page and f'href="/legalaid/{ids["aid_red"]}/"' in page
    assert f'href="/e/{ids["ev_red"]}/"' in page
    assert "刘春花" not in page and "张三" not in page                          # no party, no reporter
    # filters: kind, flag, area
    r = _board(world.users["supervisor"], kind="legalaid", flag="red")
    assert [s["key"] for s in r.context["sections"]] == ["legalaid"]
    assert _numbers(r)["legalaid"] == [Application.objects.get(pk=ids["aid_red"]).number]
    r = _board(world.users["supervisor"], area=world.townships[1].code)
    assert {k: v for k, v in _counts(r).items() if k[1] != "supervised"} == {
        ("event", "red"): 0, ("event", "yellow"): 1, ("mediation", "red"): 0, ("mediation", "yellow"): 1,
        ("legalaid", "red"): 0, ("legalaid", "yellow"): 1}
    r = _board(world.users["supervisor"], area="nosuch")
    assert r.context["unknown_area"] and all(v == 0 for v in _counts(r).values())
    # a community centre sees its community only
    r = _board(world.users["comm11"])
    assert {k: v for k, v in _counts(r).items() if v} == {("event", "red"): 1, ("mediation", "red"): 1,
                                                          ("mediation", "supervised"): 1, ("legalaid", "red"): 1}


def test_a_supervisor_of_another_district_sees_nothing(world, as_user):
    from gongzhi.accounts.models import RoleAssignment
    from gongzhi.areas.models import Area
    from gongzhi.domain.enums import Level, Role
    ids = _flagged_world(world, as_user)
    other = Area.objects.create(code="350603", name="龙文区", level=Level.COUNTY)
    user = type(world.users["supervisor"]).objects.create(username="sup_lw")
    RoleAssignment.objects.create(user=user, role=Role.SUPERVISOR, area=other)
    r = _board(user)
    assert r.status_code == 200 and all(v == 0 for v in _counts(r).values())
    assert all(s["rows"] == [] for s in r.context["sections"])
    # …and may not 督办 what it cannot see
    assert Api(user).post(f"/mediation/{ids['case_red']}/supervise", {"note": "x"})[0] == 404
    assert Api(user).post(f"/legalaid/{ids['aid_red']}/supervise", {"note": "x"})[0] == 404


BOARD = {"supervisor": 200, "county": 200, "town1": 200, "comm11": 200, "admin": 200,
         "resident1": 404, "med11": 404, "aid2": 404, "lawyer1": 404, "grid111": 404, "dept_cg": 404}


def test_who_opens_the_board(world):
    assert {u: _board(world.users[u]).status_code for u in BOARD} == BOARD


def test_anonymous_visitors_are_sent_to_log_in():
    r = Client().get("/supervise/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_supervisors_land_on_the_board_with_a_link_to_it(world):
    c = Client()
    c.force_login(world.users["supervisor"])
    r = c.get("/")
    assert r.status_code == 302 and r["Location"] == "/supervise/"
    page = c.get("/supervise/").content.decode()
    assert 'href="/supervise/" aria-current="page"' in page
    c.force_login(world.users["county"])
    assert 'href="/supervise/"' in c.get("/desk/").content.decode()
    c.force_login(world.users["grid111"])
    assert 'href="/supervise/"' not in c.get("/queue/").content.decode()


def test_the_dashboards_count_overdue_cases_per_kind(world, as_user):
    _flagged_world(world, as_user)
    from gongzhi.stats.casework import flagged_now
    assert flagged_now(world.county.path) == {"mediation": {"yellow": 1, "red": 1},
                                              "legalaid": {"yellow": 1, "red": 1}}
    assert flagged_now(world.townships[1].path) == {"mediation": {"yellow": 1, "red": 0},
                                                    "legalaid": {"yellow": 1, "red": 0}}
    c = Client()
    c.force_login(world.users["county"])
    panel = c.get("/stats/screen/panel").content.decode()
    assert 'id="c-overdue-mediation">1<' in panel and 'id="c-overdue-legalaid">1<' in panel
    report = c.get("/stats/").content.decode()
    assert 'id="kpi-med-overdue">1<' in report and 'id="kpi-aid-overdue">1<' in report
