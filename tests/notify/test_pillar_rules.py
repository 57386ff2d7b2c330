"""Who is told what in 社区矫正, 民事速裁, 三金 and 信用 (issue 17): the mapping table written out, then
each pillar's cases walked through its services with a fan-out after every step — each step tells
exactly the users written here (the actor never), and every registered (kind, action) is walked.
A correction subject's name, crime, ID number and phone never reach a notification, a delivery
or the wire.  Deadlines are forced onto the rows a step flags (the ORM, as a clock's passing), so
a sweep at the present flips only them."""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from gongzhi.domain import corrections as dc, court as dcourt
from gongzhi.notify import registry
from gongzhi.notify.models import Delivery, Notification, Preference
from gongzhi.notify.send import drain
from gongzhi.ops.sweep import sweep_cases

from .told import Told

PILLARS = {"correction", "corr_leave", "corr_sanction", "corr_monitor", "corr_oversight", "civil", "deposit", "grant",
           "credit_dispute", "credit_repair"}

# (kind, action, topic) of every rule the three pillars register: written out, not read back.
EXPECTED = sorted([
    ("correction", "receive", "dispatch"), ("correction", "documents_late", "overdue"),
    ("correction", "checkin_missed", "overdue"), ("correction", "sla_yellow", "overdue"),
    ("correction", "sla_red", "overdue"), ("correction", "level", "case_notice"),
    ("correction", "transfer_out", "dispatch"), ("correction", "transfer_in", "dispatch"),
    ("correction", "transfer_refuse", "returned"), ("correction", "release", "case_notice"),
    ("correction", "terminate", "case_notice"),
    ("corr_leave", "apply", "dispatch"), ("corr_leave", "approve", "case_notice"),
    ("corr_leave", "refuse", "case_notice"), ("corr_leave", "sla_yellow", "overdue"),
    ("corr_leave", "sla_red", "overdue"),
    ("corr_sanction", "propose", "dispatch"), ("corr_sanction", "decide", "case_notice"),
    ("corr_sanction", "submit", "case_notice"), ("corr_sanction", "reject", "case_notice"),
    ("corr_sanction", "adopt", "case_notice"), ("corr_sanction", "decline", "case_notice"),
    ("corr_sanction", "sla_yellow", "overdue"), ("corr_sanction", "sla_red", "overdue"),
    ("corr_monitor", "propose", "dispatch"), ("corr_monitor", "approve", "case_notice"),
    ("corr_monitor", "refuse", "case_notice"), ("corr_monitor", "sla_yellow", "overdue"),
    ("corr_monitor", "sla_red", "overdue"),
    ("corr_oversight", "issue", "supervise"), ("corr_oversight", "reopen", "supervise"),
    ("corr_oversight", "answer", "case_notice"), ("corr_oversight", "accept", "case_notice"),
    ("corr_oversight", "sla_yellow", "overdue"), ("corr_oversight", "sla_red", "overdue"),
    ("civil", "register", "dispatch"), ("civil", "intake", "dispatch"), ("civil", "book", "dispatch"),
    ("civil", "sla_yellow", "overdue"), ("civil", "sla_red", "overdue"), ("civil", "judge", "case_notice"),
    ("civil", "mediate", "case_notice"), ("civil", "withdraw", "case_notice"),
    ("civil", "triage_transfer", "case_notice"), ("civil", "override_transfer", "case_notice"),
    ("deposit", "receive", "dispatch"), ("deposit", "confirm", "case_notice"), ("deposit", "performed", "dispatch"),
    ("deposit", "propose", "dispatch"), ("deposit", "approve", "dispatch"), ("deposit", "release", "case_notice"),
    ("deposit", "refund", "case_notice"), ("deposit", "forfeit", "case_notice"), ("deposit", "reject", "returned"),
    ("deposit", "sla_yellow", "overdue"), ("deposit", "sla_red", "overdue"),
    ("grant", "apply", "dispatch"), ("grant", "approve", "case_notice"), ("grant", "refuse", "case_notice"),
    ("grant", "sla_yellow", "overdue"), ("grant", "sla_red", "overdue"),
    ("credit_dispute", "file", "credit"), ("credit_dispute", "uphold", "credit"),
    ("credit_dispute", "dismiss", "credit"), ("credit_dispute", "sla_yellow", "overdue"),
    ("credit_dispute", "sla_red", "overdue"),
    ("credit_repair", "apply", "credit"), ("credit_repair", "grant", "credit"), ("credit_repair", "refuse", "credit"),
    ("credit_repair", "sla_yellow", "overdue"), ("credit_repair", "sla_red", "overdue"),
])


def test_the_pillars_mapping_table():
    assert [r for r in registry.table() if r[0] in PILLARS] == EXPECTED


def _user(username: str):
    return get_user_model().objects.create(username=username, password="x")


def _due(model, pk: int, *, red: bool = False) -> None:
    """The row's clock has passed its warning (``red``: its deadline too), as of now."""
    now = timezone.now()
    model.objects.filter(pk=pk).update(warn_at=now - timedelta(hours=2),
                                       **({"due_at": now - timedelta(hours=1)} if red else {}))


def _sweep() -> None:
    sweep_cases(now=timezone.now(), full=True)


# ---- 社区矫正 -----------------------------------------------------------------------------------

@pytest.fixture
def corrections(district):
    """The demo's agencies (sqjz: the county agency and its head; sfs1, sfs2: the 司法所; jcg1, jcg2:
    the prosecutors) with a second member each for 司法所一 (sfs1b) and the county (sqjz2), and the
    neighbouring county a 变更执行地 goes to (lw1) with its 司法所 (lwsfs)."""
    from gongzhi.corrections.models import Agency, AgencyKind
    from gongzhi.demo.corrections import build_corrections
    made = build_corrections(district, subjects=0)
    made["townships"][0].staff.add(_user("sfs1b"))
    made["county"].staff.add(_user("sqjz2"))
    other = made["other"]
    other.staff.add(_user("lw1"))
    lw_twp = Agency.objects.create(code="sfs-lw-1", name="蓝田街道司法所", kind=AgencyKind.TOWNSHIP,
                                   area=other.area, parent=other)
    lw_twp.staff.add(_user("lwsfs"))
    made["lw_township"] = lw_twp
    return made


def _receive(district, made, actor, i=0, **over):
    from gongzhi.corrections import services as s
    from gongzhi.corrections.inputs import ReceiveIn
    twp = made["townships"][i]
    data = dict(township=twp.code, name=f"对象{i}号", id_number="", phone="", address="某社区1号",
                kind=dc.CorrType.PROBATION, decider=dc.Decider.COURT, decision_body="芗城区人民法院",
                decision_no=f"（2026）闽0602刑初{i + 100}号", crime="危险驾驶罪", decided_on=date(2026, 10, 30),
                term_start=date(2026, 10, 30), term_end=date(2027, 4, 29)) | over
    return s.receive(actor=get_user_model().objects.get(username=actor), data=ReceiveIn(**data))[0]


def _activate(subject, staff):
    from gongzhi.corrections import services as s
    from gongzhi.corrections.inputs import Member, PlanIn, TeamIn
    s.documents_received(actor=staff, subject_id=subject.pk)
    s.report_in(actor=staff, subject_id=subject.pk)
    s.form_team(actor=staff, subject_id=subject.pk, data=TeamIn(members=[
        Member(role=dc.TeamRole.TOWNSHIP, name="林所长"), Member(role=dc.TeamRole.FAMILY, name="家属甲")]))
    s.write_plan(actor=staff, subject_id=subject.pk, data=PlanIn(plan="每周到司法所报告一次，每月教育学习八小时。"))
    s.announce(actor=staff, subject_id=subject.pk)


def test_corrections_who_is_told(district, corrections):
    from gongzhi.corrections import services as s
    from gongzhi.corrections.inputs import (
        AnswerIn,
        LeaveIn,
        LevelIn,
        MonitorIn,
        OutcomeIn,
        OversightIn,
        SanctionIn,
        TerminateIn,
        TransferInIn,
        TransferOutIn,
    )
    from gongzhi.corrections.models import Checkin, Leave, Monitor, Oversight, Sanction, Subject
    u = district.users
    sfs1, sfs2, sqjz, jcg1 = u["sfs1"], u["sfs2"], u["sqjz"], u["jcg1"]
    sqjz2 = get_user_model().objects.get(username="sqjz2")
    told = Told()
    twp1 = ["sfs1", "sfs1b"]
    cty = ["sqjz", "sqjz2"]

    # The county registers a subject for 司法所一: its staff expect the 报到.
    one = _receive(district, corrections, "sqjz")
    assert told() == {("correction", "receive"): twp1}
    two = _receive(district, corrections, "sqjz2", i=1)
    assert told() == {("correction", "receive"): ["sfs2"]}
    # 司法所二 registers its own: its only member did it, nobody else is told.
    _receive(district, corrections, "sfs2", i=1, decision_no="（2026）闽0602刑初300号")
    assert told() == {}
    _due(Subject, one.pk)
    _sweep()
    assert told() == {("correction", "sla_yellow"): twp1}
    _due(Subject, one.pk, red=True)                           # not reported in time: the county too
    Subject.objects.filter(pk=one.pk).update(documents_due_on=date(2026, 11, 1))
    _sweep()
    assert told() == {("correction", "sla_red"): twp1 + cty, ("correction", "documents_late"): twp1}
    _activate(one, sfs1)
    _activate(two, sfs2)
    assert told() == {}                                        # the 司法所's own intake steps
    Checkin.objects.filter(subject=one, done_at__isnull=True).update(due_on=date(2026, 11, 1),
                                                                     due_at=timezone.now() - timedelta(days=1))
    _sweep()
    assert told() == {("correction", "checkin_missed"): twp1}
    s.set_level(actor=sqjz, subject_id=one.pk, data=LevelIn(level=dc.Level.NORMAL, reason="连续表现良好"))
    assert told() == {("correction", "level"): twp1}

    # Leave: up to 7 days the 司法所 decides, beyond the county; each decision back to the 司法所.
    short, _ = s.leave_apply(actor=sfs1, subject_id=one.pk, data=LeaveIn(
        start=date(2026, 11, 20), end=date(2026, 11, 22), destination="泉州市", reason="探亲"))
    assert told() == {("corr_leave", "apply"): ["sfs1b"]}
    s.leave_approve(actor=get_user_model().objects.get(username="sfs1b"), leave_id=short.pk)
    assert told() == {("corr_leave", "approve"): ["sfs1"]}
    long, _ = s.leave_apply(actor=sfs1, subject_id=one.pk, data=LeaveIn(
        start=date(2026, 12, 1), end=date(2026, 12, 10), destination="厦门市", reason="务工"))
    assert told() == {("corr_leave", "apply"): cty}
    _due(Leave, long.pk)
    _sweep()
    assert told() == {("corr_leave", "sla_yellow"): cty}        # the decision waits: its approver
    s.leave_refuse(actor=sqjz, leave_id=long.pk, reason="务工地未核实")
    assert told() == {("corr_leave", "refuse"): twp1}
    _due(Leave, short.pk)                                      # away, the return day near: the 司法所
    _sweep()
    assert told() == {("corr_leave", "sla_yellow"): twp1}
    _due(Leave, short.pk, red=True)
    _sweep()
    assert told() == {("corr_leave", "sla_red"): twp1}

    # Sanctions: the county decides or sends on; the 司法所 hears the outcome.
    def propose(step):
        row, _ = s.sanction_propose(actor=sfs1, subject_id=one.pk, data=SanctionIn(step=step, facts="未按规定时间报告"))
        return row
    adm = propose(dc.Step.ADMONISH)
    assert told() == {("corr_sanction", "propose"): cty}
    _due(Sanction, adm.pk)
    _sweep()
    assert told() == {("corr_sanction", "sla_yellow"): cty}
    _due(Sanction, adm.pk, red=True)
    _sweep()
    assert told() == {("corr_sanction", "sla_red"): cty}
    s.sanction_approve(actor=sqjz, sanction_id=adm.pk, data=OutcomeIn())
    assert told() == {("corr_sanction", "decide"): twp1}
    for then in (dc.SanctionAction.ADOPT, dc.SanctionAction.DECLINE):
        rev = propose(dc.Step.REVOKE)
        s.sanction_approve(actor=sqjz2, sanction_id=rev.pk, data=OutcomeIn())
        assert told() == {("corr_sanction", "propose"): cty, ("corr_sanction", "submit"): twp1}
        s.sanction_step(then)(actor=sqjz2, sanction_id=rev.pk, data=OutcomeIn(outcome="决定机关回复"),
                              reason="" if then is dc.SanctionAction.ADOPT else "证据不足")
        assert told() == {("corr_sanction", then.value): twp1}
    praise = propose(dc.Step.PRAISE)
    s.sanction_step(dc.SanctionAction.REJECT)(actor=sqjz, sanction_id=praise.pk, data=OutcomeIn(), reason="事迹不足")
    assert told() == {("corr_sanction", "propose"): cty, ("corr_sanction", "reject"): twp1}

    # Positioning: the head approves; the period's end reaches the county and its head.
    mon, _ = s.monitor_propose(actor=sfs1, subject_id=one.pk, data=MonitorIn(
        ground=dc.MonitorGround.LEFT_AREA, facts="未经批准离开本县两日", months=1, device="DEV-1"))
    assert told() == {("corr_monitor", "propose"): ["sqjz"]}
    s.monitor_approve(actor=sqjz, monitor_id=mon.pk)
    assert told() == {("corr_monitor", "approve"): twp1}
    _due(Monitor, mon.pk)
    _sweep()
    assert told() == {("corr_monitor", "sla_yellow"): cty}
    _due(Monitor, mon.pk, red=True)
    _sweep()
    assert told() == {("corr_monitor", "sla_red"): cty}
    assert Monitor.objects.get(pk=mon.pk).status == dc.MonitorStatus.ENDED      # the period ran out: ended
    again, _ = s.monitor_propose(actor=sqjz2, subject_id=one.pk, data=MonitorIn(
        ground=dc.MonitorGround.LEFT_AREA, facts="再次未经批准离开本县", months=1, device="DEV-1"))
    s.monitor_refuse(actor=sqjz, monitor_id=again.pk, reason="已恢复正常报告")
    assert told() == {("corr_monitor", "propose"): ["sqjz"], ("corr_monitor", "refuse"): twp1}

    # 检察建议: to the county agency it is addressed to; its answer to the prosecutor who issued it.
    ov, _ = s.oversight_issue(actor=jcg1, subject_id=one.pk, data=OversightIn(
        kind=dc.OversightKind.SUGGESTION, omission=dc.Omission.OTHER, facts="未按时报告后未开展教育谈话",
        demand="建议落实报告提醒和教育谈话制度"))
    assert told() == {("corr_oversight", "issue"): cty}
    _due(Oversight, ov.pk)
    _sweep()
    assert told() == {("corr_oversight", "sla_yellow"): cty}
    _due(Oversight, ov.pk, red=True)
    _sweep()
    assert told() == {("corr_oversight", "sla_red"): cty}
    s.oversight_answer(actor=sqjz, oversight_id=ov.pk, data=AnswerIn(answer="已开展教育谈话并建立提醒制度"))
    assert told() == {("corr_oversight", "answer"): ["jcg1"]}
    s.oversight_reopen(actor=jcg1, oversight_id=ov.pk, reason="整改材料不全")
    assert told() == {("corr_oversight", "reopen"): cty}
    s.oversight_answer(actor=sqjz2, oversight_id=ov.pk, data=AnswerIn(answer="已补充谈话记录和提醒台账"))
    assert told() == {("corr_oversight", "answer"): ["jcg1"]}
    s.oversight_accept(actor=jcg1, oversight_id=ov.pk)
    assert told() == {("corr_oversight", "accept"): cty}

    # 变更执行地: the receiving county answers; refused, back to the old agency; taken in, its 司法所.
    s.transfer_out(actor=sqjz, subject_id=two.pk, data=TransferOutIn(to="sqjz-350603", reason="迁居龙文区"))
    assert told() == {("correction", "transfer_out"): ["lw1"]}
    _due(Subject, two.pk)
    _sweep()
    assert told() == {("correction", "sla_yellow"): ["lw1"]}
    lw1 = get_user_model().objects.get(username="lw1")
    s.transfer_refuse(actor=lw1, subject_id=two.pk, reason="居住地未核实")
    assert told() == {("correction", "transfer_refuse"): ["sfs2", "sqjz", "sqjz2"]}
    s.transfer_out(actor=sqjz2, subject_id=two.pk, data=TransferOutIn(to="sqjz-350603", reason="已核实居住地"))
    assert told() == {("correction", "transfer_out"): ["lw1"]}
    s.transfer_in(actor=lw1, subject_id=two.pk, data=TransferInIn(township="sfs-lw-1", address="蓝田街道2号"))
    assert told() == {("correction", "transfer_in"): ["lwsfs"]}
    s.terminate(actor=lw1, subject_id=two.pk, data=TerminateIn(end_reason=dc.EndReason.OTHER, reason="收监执行"))
    assert told() == {("correction", "terminate"): ["lwsfs"]}

    Subject.objects.filter(pk=one.pk).update(term_end=timezone.localdate())
    s.release(actor=sqjz, subject_id=one.pk)
    assert told() == {("correction", "release"): twp1}
    kinds = {"correction", "corr_leave", "corr_sanction", "corr_monitor", "corr_oversight"}
    assert told.missing(kinds) == set()


def test_a_correction_subject_is_never_named(district, corrections, gateway):
    """Every staff member takes SMS and WeChat for every topic; nothing they get — in-app, the
    deliveries' rows, the requests on the wire — carries the subject's name, crime, ID or phone."""
    from gongzhi.corrections import services as s
    from gongzhi.corrections.inputs import LeaveIn, OversightIn, SanctionIn
    from gongzhi.corrections.models import Subject
    from gongzhi.domain.notify import Topic
    for username in ("sfs1", "sfs1b", "sqjz", "sqjz2", "jcg1"):
        Preference.objects.create(user=get_user_model().objects.get(username=username), phone="13912345678",
                                  wechat_openid=f"o-{username}", channels={t.value: ["sms", "wechat"] for t in Topic})
    name, crime, id_number, phone = "欧阳铁柱", "非法吸收公众存款罪", "350602198805061234", "13905961234"
    told = Told()
    subject = _receive(district, corrections, "sqjz", name=name, crime=crime, id_number=id_number, phone=phone,
                       prohibition=f"禁止{name}进入娱乐场所")
    _due(Subject, subject.pk, red=True)
    _sweep()
    _sweep()
    _activate(subject, district.users["sfs1"])
    sfs1 = district.users["sfs1"]
    s.leave_apply(actor=sfs1, subject_id=subject.pk, data=LeaveIn(
        start=date(2026, 12, 1), end=date(2026, 12, 10), destination="厦门市", reason=f"{name}务工"))
    s.sanction_propose(actor=sfs1, subject_id=subject.pk, data=SanctionIn(step=dc.Step.WARN, facts=f"{name}未报告"))
    s.oversight_issue(actor=district.users["jcg1"], subject_id=subject.pk, data=OversightIn(
        kind=dc.OversightKind.CORRECTION, omission=dc.Omission.OTHER, facts=f"{name}（{crime}）脱管未处置",
        demand="依法纠正脱管未处置的问题"))
    told()
    drain(now=timezone.now() + timedelta(hours=12))
    notes = Notification.objects.filter(kind__in=list(PILLARS))
    assert notes.count() >= 10 and gateway.messages
    assert len(gateway.requests) == Delivery.objects.count() > 0
    texts = [f"{n.text} {n.number} {n.link}" for n in notes]
    texts += [f"{d.subject} {d.number} {d.link}" for d in Delivery.objects.all()]
    wire = json.dumps([r["body"] for r in gateway.requests], ensure_ascii=False)
    for blob in [*texts, wire]:
        for secret in (name, "欧阳", crime, id_number, phone):
            assert secret not in blob


def test_a_row_is_told_once_though_its_case_changes_hands_within_the_lookback(district, court):
    """The fan-out re-reads the last minutes' rows (a transaction that committed late); a row it
    told then is not told again to whoever holds the case now."""
    from gongzhi.court import services as s
    from gongzhi.court.inputs import PartyIn, RegisterIn
    from gongzhi.court.models import Member
    told = Told()
    s.register(actor=court["users"]["clerk1"], data=RegisterIn(
        cause=dcourt.Cause.LOAN, facts="原告诉被告民间借贷纠纷。", amount="20000",
        parties=[PartyIn(side=dcourt.Litigant.PLAINTIFF, name="甲"),
                 PartyIn(side=dcourt.Litigant.DEFENDANT, name="乙")]))
    assert told() == {("civil", "register"): ["clerk2", "judge1", "judge2"]}
    Member.objects.create(court=court["court"], user=_user("judge3"), role=dcourt.Cap.JUDGE)
    assert told() == {}


# ---- 民事速裁 -----------------------------------------------------------------------------------

@pytest.fixture
def court(district):
    """The court's team (judge1, judge2, clerk1, clerk2) and the court's 诉调对接 committee with one
    mediator who has an account (tjy1) and one who has left (tjy2, not in the register)."""
    from gongzhi.demo.court import build_court_staff, failed_mediation
    from gongzhi.mediation.models import Mediator
    made = build_court_staff(district)
    first = failed_mediation(district)
    Mediator.objects.create(org=first.organisation, user=_user("tjy1"), name="调解员甲")
    Mediator.objects.create(org=first.organisation, user=_user("tjy2"), name="调解员乙", active=False)
    made["first"] = first
    return made


def test_court_who_is_told(district, court):
    from gongzhi.court import services as s
    from gongzhi.court.inputs import BookIn, IntakeIn, JudgeIn, MediateIn, OverrideIn, PartyIn, RegisterIn
    from gongzhi.court.models import CivilCase
    from gongzhi.demo.court import failed_mediation
    u = court["users"]
    clerk, judge1 = u["clerk1"], u["judge1"]
    tjy1 = get_user_model().objects.get(username="tjy1")
    team = ["clerk1", "clerk2", "judge1", "judge2"]
    told = Told()

    # A clerk registers: the rest of the team is told of a case to triage.
    parties = [PartyIn(side=dcourt.Litigant.PLAINTIFF, name="张志强"),
               PartyIn(side=dcourt.Litigant.DEFENDANT, name="刘德胜")]
    plain, _ = s.register(actor=clerk, data=RegisterIn(cause=dcourt.Cause.LOAN, facts="原告诉被告民间借贷纠纷。",
                                                       amount="86000", parties=parties))
    assert told() == {("civil", "register"): ["clerk2", "judge1", "judge2"]}
    s.triage(actor=clerk, case_id=plain.pk)
    s.book(actor=clerk, case_id=plain.pk, data=BookIn(start=timezone.now() + timedelta(days=2), room="第一速裁法庭"))
    assert told() == {("civil", "book"): ["judge1"]}             # the judge it was booked for
    _due(CivilCase, plain.pk)
    _sweep()
    assert told() == {("civil", "sla_yellow"): ["judge1"]}
    s.judge(actor=judge1, case_id=plain.pk, data=JudgeIn(terms="被告归还原告借款本金", awarded="86000", on_spot=True))
    assert told() == {}                                        # no committee sent it: nobody to tell

    # Taken in from the committee's failed mediation: the team; the outcome to the committee only.
    first = court["first"]
    taken, _ = s.intake_from_mediation(actor=clerk, data=IntakeIn(mediation_case=first.pk))
    assert told() == {("civil", "intake"): ["clerk2", "judge1", "judge2"]}
    s.triage(actor=clerk, case_id=taken.pk)
    s.book(actor=judge1, case_id=taken.pk, data=BookIn(start=timezone.now() + timedelta(days=3), room="第一速裁法庭"))
    assert told() == {}                                        # the judge booked their own hearing
    s.judge(actor=judge1, case_id=taken.pk, data=JudgeIn(terms="被告归还原告借款本金八万元", awarded="80000",
                                                         on_spot=True))
    assert told() == {("civil", "judge"): ["tjy1"]}
    n = Notification.objects.get(user=tjy1, topic="case_notice")
    assert n.link == f"/mediation/{first.pk}/" and n.text == f"办理通知：{taken.number}（宣判）"

    def sent(amount="80000", by=tjy1):
        mcase = failed_mediation(district, amount=Decimal(amount))
        case, _ = s.intake_from_mediation(actor=by, data=IntakeIn(mediation_case=mcase.pk))
        return case
    case = sent(by=tjy1)                                       # the committee sends it itself
    assert told() == {("civil", "intake"): team}
    s.triage(actor=clerk, case_id=case.pk)
    s.mediate(actor=clerk, case_id=case.pk, data=MediateIn(terms="被告分期归还借款", awarded="60000"))
    assert told() == {("civil", "mediate"): ["tjy1"]}
    case = sent()
    s.triage(actor=clerk, case_id=case.pk)
    s.withdraw(actor=clerk, case_id=case.pk, reason="原告撤回起诉")
    assert told() == {("civil", "intake"): team, ("civil", "withdraw"): ["tjy1"]}
    case = sent()
    s.triage(actor=clerk, case_id=case.pk)
    s.override(actor=judge1, case_id=case.pk, data=OverrideIn(track=dcourt.Track.ORDINARY, reason="案情复杂需评估"))
    assert told() == {("civil", "intake"): team, ("civil", "override_transfer"): ["tjy1"]}
    case = sent(amount="900000")                               # beyond 速裁: 普通程序 at triage
    s.triage(actor=clerk, case_id=case.pk)
    assert CivilCase.objects.get(pk=case.pk).status == dcourt.CivilStatus.TRANSFERRED
    assert told() == {("civil", "intake"): team, ("civil", "triage_transfer"): ["tjy1"]}

    # A clock on a case no judge holds yet reaches the whole team.
    case = sent()
    s.triage(actor=clerk, case_id=case.pk)
    _due(CivilCase, case.pk, red=True)
    _sweep()
    _sweep()
    assert told() == {("civil", "intake"): team, ("civil", "sla_yellow"): team, ("civil", "sla_red"): team}
    assert told.missing({"civil"}) == set()


# ---- 三金 ---------------------------------------------------------------------------------------

@pytest.fixture
def sanjin(district):
    """The demo's funds (maker sanjin1; checkers sanjin2, sanjin3; committee sjtj1) with a second
    maker, sanjin4, on every fund."""
    from gongzhi.demo.funds import build_funds
    made = build_funds(district)
    extra = _user("sanjin4")
    for fund in made["funds"].values():
        fund.makers.add(extra)
    return made


def test_funds_who_is_told(district, sanjin):
    from gongzhi.funds import inputs as i, services as s
    from gongzhi.funds.models import Deposit, Grant
    u = sanjin["users"]
    maker, c1, c2, committee = u["sanjin1"], u["sanjin2"], u["sanjin3"], u["sjtj1"]
    makers, checkers = ["sanjin1", "sanjin4"], ["sanjin2", "sanjin3"]
    told = Told()

    dep = sanjin["deposits"]["pledged"]
    _due(Deposit, dep.pk)
    _sweep()
    assert told() == {("deposit", "sla_yellow"): makers}         # pledged, not paid in
    _due(Deposit, dep.pk, red=True)
    _sweep()
    assert told() == {("deposit", "sla_red"): makers}
    s.receive(actor=maker, deposit_id=dep.pk, data=i.ReceiveIn(amount=dep.amount, bank_reference="NA1"))
    assert told() == {("deposit", "receive"): checkers}          # to confirm
    s.confirm(actor=c1, deposit_id=dep.pk)
    assert told() == {("deposit", "confirm"): ["sanjin1"]}       # the maker who registered it
    s.condition_met(actor=committee, deposit_id=dep.pk, data=i.ConditionIn(note="双方确认协议已履行"))
    assert told() == {("deposit", "performed"): makers}
    s.propose(actor=maker, deposit_id=dep.pk, data=i.ProposeIn(to_victim=dep.amount, decision_ref="南调协履〔2026〕9号",
                                                               reason="协议已履行"))
    assert told() == {("deposit", "propose"): checkers}
    s.approve(actor=c1, deposit_id=dep.pk)
    assert told() == {("deposit", "approve"): ["sanjin3"]}        # the one checker still to approve
    s.approve(actor=c2, deposit_id=dep.pk)
    assert told() == {("deposit", "release"): ["sanjin1"]}        # the decision: to its proposer

    waiting = sanjin["deposits"]["proposed"]                      # approved once by sanjin2
    s.reject(actor=c2, deposit_id=waiting.pk, reason="决定文书不全")
    assert told() == {("deposit", "reject"): ["sanjin1"]}
    held = sanjin["deposits"]["criminal_held"]                   # ¥4,500 held, its case decided
    s.condition_met(actor=maker, deposit_id=held.pk, data=i.ConditionIn(decision_ref="南检不诉〔2026〕10号"))
    assert told() == {}                                           # 登记处理决定 is the makers' own step
    s.propose(actor=get_user_model().objects.get(username="sanjin4"), deposit_id=held.pk,
              data=i.ProposeIn(refund=held.amount, decision_ref="南检不诉〔2026〕10号", reason="不起诉，退还"))
    s.approve(actor=c1, deposit_id=held.pk)
    s.approve(actor=c2, deposit_id=held.pk)
    # Recipients are read when the fan-out reads the row (ADR 0020): by then the second approval is
    # given, and nobody is left to be asked for one.
    assert told() == {("deposit", "propose"): checkers, ("deposit", "refund"): ["sanjin4"]}
    held = sanjin["deposits"]["held"]                             # ¥120,000 held for a committee's case
    s.condition_met(actor=maker, deposit_id=held.pk, data=i.ConditionIn(note="协议未履行，依决定没收"))
    s.propose(actor=maker, deposit_id=held.pk, data=i.ProposeIn(forfeit=held.amount, decision_ref="南调决〔2026〕3号",
                                                                reason="依决定没收"))
    s.approve(actor=c2, deposit_id=held.pk)
    s.approve(actor=c1, deposit_id=held.pk)
    assert told() == {("deposit", "performed"): ["sanjin4"], ("deposit", "propose"): checkers,
                      ("deposit", "forfeit"): ["sanjin1"]}

    facts = dict(agreement=True, payer_cannot_pay=True, assets_checked=True, applicant_hardship=True)
    g = s.grant_apply(actor=maker, data=i.GrantIn(case_id=sanjin["case"](21).pk, applicant="受害方21",
                                                   payer="肇事方21", amount=300_000, facts="肇事方无力赔偿，已核实",
                                                   **facts))[0]
    assert told() == {("grant", "apply"): checkers}
    _due(Grant, g.pk)
    _sweep()
    assert told() == {("grant", "sla_yellow"): checkers}          # the decision is late
    _due(Grant, g.pk, red=True)
    _sweep()
    assert told() == {("grant", "sla_red"): checkers}
    s.grant_approve(actor=c1, grant_id=g.pk)
    assert told() == {("grant", "approve"): ["sanjin1"]}
    refused = sanjin["grants"]["applied"]
    s.grant_refuse(actor=c2, grant_id=refused.pk, reason="申请人已获保险理赔")
    assert told() == {("grant", "refuse"): ["sanjin1"]}
    assert told.missing({"deposit", "grant"}) == set()


# ---- 信用档案 -------------------------------------------------------------------------------------

def test_credit_who_is_told(district):
    """The demo's credit offices: xy1 and xy2 for resident1's community, xy3 and xy4 for the next."""
    from gongzhi.credit import services as svc
    from gongzhi.credit.inputs import ProposeIn, RequestIn
    from gongzhi.credit.models import Behaviour, Dispute, Entry, Repair
    from gongzhi.demo.credit import build_credit
    made = build_credit(district)
    u, mine = made["users"], made["files"][0]               # resident1's file
    resident1 = district.users["resident1"]
    officers = ["xy1", "xy2"]
    told = Told()

    entry = Entry.objects.get(file=mine, behaviour__code="volunteer")
    objection, _ = svc.dispute_file(actor=resident1, data=RequestIn(entry_id=entry.pk, reason="那天我没有参加"))
    assert told() == {("credit_dispute", "file"): officers}
    _due(Dispute, objection.pk)
    _sweep()
    assert told() == {("credit_dispute", "sla_yellow"): officers}
    _due(Dispute, objection.pk, red=True)
    _sweep()
    assert told() == {("credit_dispute", "sla_red"): officers}
    svc.dispute_uphold(actor=u["xy2"], dispute_id=objection.pk, reason="核对签到表，当日未参加")
    assert told() == {("credit_dispute", "uphold"): ["resident1"]}
    n = Notification.objects.get(user=resident1, topic="credit")
    assert n.link == "/credit/me/" and n.text == f"信用：{objection.number}（异议成立）"
    waiting = Dispute.objects.get(file=mine, status="filed")      # the demo's objection to 乱堆杂物
    svc.dispute_dismiss(actor=u["xy1"], dispute_id=waiting.pk, reason="巡查照片为本户门前")
    assert told() == {("credit_dispute", "dismiss"): ["resident1"]}

    def negative(code):
        b = Behaviour.objects.get(clause__community_id=mine.community_id, code=code)
        p, _ = svc.propose(actor=u["xy1"], file_id=mine.pk, data=ProposeIn(
            behaviour_id=b.pk, occurred_on=timezone.localdate() - timedelta(days=40), facts="四十天前的记录"))
        return svc.approve(actor=u["xy2"], proposal_id=p.pk)
    for code, decide in (("disturbance", "grant"), ("illegal_build", "refuse")):
        repair, _ = svc.repair_apply(actor=resident1, data=RequestIn(entry_id=negative(code).pk, reason="已整改并道歉"))
        assert told() == {("credit_repair", "apply"): officers}
        if decide == "grant":
            _due(Repair, repair.pk)
            _sweep()
            assert told() == {("credit_repair", "sla_yellow"): officers}
            _due(Repair, repair.pk, red=True)
            _sweep()
            assert told() == {("credit_repair", "sla_red"): officers}
            svc.repair_grant(actor=u["xy1"], repair_id=repair.pk, note="已核实整改")
        else:
            svc.repair_refuse(actor=u["xy1"], repair_id=repair.pk, reason="仍未拆除")
        assert told() == {("credit_repair", decide): ["resident1"]}
    assert told.missing({"credit_dispute", "credit_repair"}) == set()
