"""Each role of the pillars, one working day each (issue 17's acceptance): from the login form and
``/`` (where it lands, its counts per tab), through the role's own work on the pages, to what
someone else does reaching it — the bell, the centre, the case it opens — and the SMS at the fake
gateway (a topic that goes by SMS by default, or one the user switched on in 通知设置).

Another person's part is a service call (the ORM only sets up a clock's passing or checks); what
this role does is clicks and fields, counted (tests/browser/day.py's Meter → artifacts/walks/)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.ops.sweep import sweep_cases

from .day import deliver, landing, read_notification, sms_on, sms_to, tab_counts

pytestmark = pytest.mark.browser


def op(meter, page, label: str, **fields):
    """Open the operation's panel (details.op), fill its fields by label, press its button: counted."""
    panel = page.locator("details.op", has=page.locator("summary", has_text=re.compile(f"^{re.escape(label)}$")))
    if panel.get_attribute("open") is None:
        meter.click(panel.locator("summary"))
    for name, value in fields.items():
        meter.fill(panel.get_by_label(name), value)
    with page.expect_navigation():
        meter.click(panel.get_by_role("button", name=label))


def open_link(meter, page, name: str, url: str | None = None):
    with page.expect_navigation(**({"url": re.compile(url)} if url else {})):
        meter.click(page.get_by_role("link", name=name).first)


def clock_passed(model, pk: int, *, red: bool = False) -> None:
    """The row's clock has passed its warning (``red``: its deadline too) — time passing, as the
    ORM sets it — and the sweep (the system) flags it."""
    now = timezone.now()
    model.objects.filter(pk=pk).update(warn_at=now - timedelta(hours=2),
                                       **({"due_at": now - timedelta(hours=1)} if red else {}))
    sweep_cases(now=now, full=True)


def read(meter, page, contains: str, lands: str, shot=None):
    """day.read_notification, counted: the bell and the notification are two clicks."""
    read_notification(page, contains, lands, shot)
    meter.tally(clicks=2)


# ---- 多元调处 and 法律援助 ------------------------------------------------------------------------

@pytest.fixture
def casework(live_district):
    from gongzhi.demo.casework import build_casework
    build_casework(live_district)
    return live_district


def _applied(d, mediator_user=None):
    """resident1 applies online for mediation of a neighbours' dispute in 瑞京社区 (its committee)."""
    from gongzhi.mediation import services as med
    from gongzhi.mediation.inputs import ApplyIn, PartyIn
    from gongzhi.mediation.models import Mediator
    chosen = Mediator.objects.get(user=mediator_user).pk if mediator_user else None
    case, _ = med.case_apply(actor=d.users["resident1"], data=ApplyIn(
        dispute_type="neighbour", facts="楼上住户长期深夜噪音扰民，多次协商无果", area=d.grids[0].code, mediator=chosen,
        parties=[PartyIn(role="applicant", name="王五"), PartyIn(role="respondent", name="赵六")]))
    return case


def test_mediator(open_as, casework, gateway, meter, shot):
    """调解员 med11: its committee is a routing unit too, so ``/`` opens its queue; the committee's
    cases are one click on, counted per tab; it accepts and schedules a session; the 调解期限
    turning yellow reaches it in-app and by SMS (超期预警 goes by SMS by default)."""
    from gongzhi.domain.mediation import CaseStatus
    from gongzhi.mediation.models import Case
    d = casework
    case = _applied(d, d.users["med11"])
    page = meter.watch(open_as("med11"))
    with meter.flow("landing"):
        landing(page, r"/queue/$", "我的待办")
        assert tab_counts(page) == {"待签收": 0, "办理中": 0, "即将超期": 0, "已超期": 0, "吹哨报到": 0}
        open_link(meter, page, "多元调处", r"/mediation/$")
        assert tab_counts(page) == {"待受理": 1, "调解中": 0, "待签协议": 0, "履行回访": 0, "已办结": 0}
        shot(page, "cases")
    with meter.flow("受理并安排调解"):
        open_link(meter, page, case.number, r"/mediation/\d+/$")
        op(meter, page, "受理")
        tomorrow = timezone.localdate() + timedelta(days=1)
        op(meter, page, "安排调解", 调解时间=f"{tomorrow:%Y-%m-%d}T09:30", 地点="瑞京社区调解室")
        shot(page, "scheduled")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.mediator.user == d.users["med11"]
    assert case.sessions.count() == 1
    deliver()
    # The session's notice to the mediator (an SMS of the parties' outbox: number and tracking link).
    assert "办理通知" in sms_to(gateway, d.users["med11"].profile.phone, case.number)
    gateway.messages.clear()
    clock_passed(Case, case.pk)
    deliver()
    with meter.flow("超期预警"):
        read(meter, page, case.number, rf"/mediation/{case.pk}/$", shot)
    assert "超期预警" in sms_to(gateway, d.users["med11"].profile.phone, case.number)


def _aid_applied(d, who="resident2", lawyer=None):
    from decimal import Decimal

    from gongzhi.legalaid import inputs as li, services as aid
    from gongzhi.legalaid.models import Lawyer
    chosen = Lawyer.objects.get(user=lawyer).pk if lawyer else None
    app, _ = aid.aid_apply(actor=d.users[who], data=li.AidApplyIn(
        applicant_name="刘春花", phone="13511112222", area=d.grids[0].code, household_size=3,
        monthly_income=Decimal("600"), pledge=True, matter="civil", specialty="labour", lawyer=chosen,
        summary="在工地务工八个月被拖欠工资三万二千元，多次讨要未果"))
    return app


AID_TABS = ("待审查", "待指派", "承办中", "待评查/回访", "已办结")


def test_legal_aid_officer(open_as, casework, gateway, meter, shot):
    """法律援助工作站 aid2: its list per tab; SMS switched on for 新派遣 in 通知设置; a resident's
    application reaches it (bell and SMS); it grants aid and assigns a lawyer on the page."""
    from gongzhi.domain.legalaid import AidStatus
    d = casework
    page = meter.watch(open_as("aid2"))
    with meter.flow("landing"):
        landing(page, r"/legalaid/$", "法律援助")
        assert tab_counts(page) == dict.fromkeys(AID_TABS, 0)
    with meter.flow("通知设置"):
        sms_on(meter, page, ["新派遣"], "13900001111")
        shot(page, "settings")
    app = _aid_applied(d)
    deliver()
    with meter.flow("新申请"):
        read(meter, page, app.number, rf"/legalaid/{app.pk}/$", shot)
    assert "新派遣" in sms_to(gateway, "13900001111", app.number)
    with meter.flow("审查并指派"):
        op(meter, page, "准予法律援助")
        op(meter, page, "指派律师")
        shot(page, "assigned")
    app.refresh_from_db()
    assert app.status == AidStatus.ASSIGNED and app.lawyer is not None
    with meter.flow("列表"):
        open_link(meter, page, "法律援助", r"/legalaid/$")
        assert tab_counts(page) == {**dict.fromkeys(AID_TABS, 0), "承办中": 1}


def test_lawyer(open_as, casework, gateway, meter, shot):
    """援助律师 lawyer1 (陈志明): its list; SMS on for 新派遣; the office's assignment reaches it; it
    records progress and concludes the case on the page."""
    from gongzhi.domain.legalaid import AidStatus
    from gongzhi.legalaid import inputs as li, services as aid
    d = casework
    page = meter.watch(open_as("lawyer1"))
    with meter.flow("landing"):
        landing(page, r"/legalaid/$", "法律援助")
        assert tab_counts(page) == dict.fromkeys(AID_TABS, 0)
    with meter.flow("通知设置"):
        sms_on(meter, page, ["新派遣"], "13900002222")
    app = _aid_applied(d, lawyer=d.users["lawyer1"])           # the applicant chose this lawyer (点援)
    aid.aid_approve(actor=d.users["aid2"], app_id=app.pk)
    aid.aid_assign(actor=d.users["aid2"], app_id=app.pk, data=li.AssignIn())
    deliver()
    with meter.flow("新指派"):
        read(meter, page, app.number, rf"/legalaid/{app.pk}/$", shot)
    assert "新派遣" in sms_to(gateway, "13900002222", app.number)
    with meter.flow("承办"):
        op(meter, page, "办案进展", 说明="已约见当事人，调取考勤记录和工资欠条")
        op(meter, page, "结案", 办理结果="经劳动仲裁调解，用人单位当庭支付欠薪三万二千元", 挽回经济损失="32000")
        shot(page, "concluded")
    app.refresh_from_db()
    assert app.status == AidStatus.CONCLUDED
    with meter.flow("列表"):
        open_link(meter, page, "法律援助", r"/legalaid/$")
        assert tab_counts(page) == {**dict.fromkeys(AID_TABS, 0), "待评查/回访": 1}


# ---- 社区矫正 -----------------------------------------------------------------------------------

CORR_TABS = ("全部", "待审批", "待报到/待宣告", "在矫", "脱管", "变更执行地", "已解矫/终止")


@pytest.fixture
def agencies(live_district):
    from gongzhi.demo.corrections import build_corrections
    return {**build_corrections(live_district, subjects=0), "d": live_district}


def _active_subject(d, made, **over):
    """A subject of 司法所一 received and brought to 在矫 by its staff (services)."""
    from ..notify.test_pillar_rules import _activate, _receive
    subject = _receive(d, made, "sfs1", grid=d.grids[0].code, **over)
    _activate(subject, d.users["sfs1"])
    deliver()
    subject.refresh_from_db()
    return subject


def test_correction_officer(open_as, agencies, gateway, meter, shot):
    """司法所 sfs1: its list per tab; a subject the county registered for it arrives (bell); it does
    the intake on the file — documents, 报到, team, plan, 宣告; a report missed reaches it in-app
    and by SMS (超期预警 goes by SMS by default: it only gives its phone in 通知设置)."""
    from gongzhi.corrections.models import Checkin
    from gongzhi.domain import corrections as dc

    from ..notify.test_pillar_rules import _receive
    d = agencies["d"]
    page = meter.watch(open_as("sfs1"))
    with meter.flow("landing"):
        landing(page, r"/corrections/$", "社区矫正")
        assert tab_counts(page) == dict.fromkeys(CORR_TABS, 0)
    with meter.flow("通知设置"):
        sms_on(meter, page, [], "13900003333")
    subject = _receive(d, agencies, "sqjz", grid=d.grids[0].code)
    deliver()
    with meter.flow("接收"):
        read(meter, page, subject.number, rf"/corrections/{subject.pk}/$", shot)
    with meter.flow("报到与宣告"):
        op(meter, page, "法律文书送达")
        op(meter, page, "报到")
        op(meter, page, "组建矫正小组", 矫正小组成员="司法所工作人员 林所长 13900000001 东铺头街道司法所\n"
                                               "家庭成员或监护人 黄父 13900000002 父亲")
        op(meter, page, "制定矫正方案", 矫正方案="每周到司法所当面报告一次，每月教育学习8小时、公益活动8小时。")
        op(meter, page, "入矫宣告")
        shot(page, "announced")
    subject.refresh_from_db()
    assert subject.status == dc.SubjStatus.ACTIVE
    with meter.flow("列表"):
        open_link(meter, page, "社区矫正", r"/corrections/$")
        assert tab_counts(page) == {**dict.fromkeys(CORR_TABS, 0), "全部": 1, "在矫": 1}
    # The first scheduled report's day passes unreported: the sweep marks it.
    Checkin.objects.filter(subject=subject, done_at__isnull=True).update(
        due_on=timezone.localdate() - timedelta(days=1), due_at=timezone.now() - timedelta(days=1))
    sweep_cases(now=timezone.now(), full=True)
    deliver()
    with meter.flow("未按时报告"):
        read(meter, page, "未按时报告", rf"/corrections/{subject.pk}/$", shot)
        assert "未按时报告" in page.locator(".checkins").inner_text()
    assert "超期预警" in sms_to(gateway, "13900003333", subject.number)


def test_county_agency(open_as, agencies, gateway, meter, shot):
    """县社区矫正机构 sqjz: a 10-day leave the 司法所 registered waits for it (待审批); a prosecutor's
    检察建议 reaches it in-app and by SMS (督办 goes by SMS by default); it approves the leave and
    answers the 检察建议 on the file."""
    from gongzhi.corrections import services as s
    from gongzhi.corrections.inputs import LeaveIn, OversightIn
    from gongzhi.domain import corrections as dc
    d = agencies["d"]
    subject = _active_subject(d, agencies)
    page = meter.watch(open_as("sqjz"))
    with meter.flow("landing"):
        landing(page, r"/corrections/$", "社区矫正")
        assert tab_counts(page) == {**dict.fromkeys(CORR_TABS, 0), "全部": 1, "在矫": 1}
    with meter.flow("通知设置"):
        sms_on(meter, page, [], "13900004444")
    start = timezone.localdate() + timedelta(days=7)
    leave, _ = s.leave_apply(actor=d.users["sfs1"], subject_id=subject.pk, data=LeaveIn(
        start=start, end=start + timedelta(days=9), destination="厦门市", reason="务工"))
    ov, _ = s.oversight_issue(actor=d.users["jcg1"], subject_id=subject.pk, data=OversightIn(
        kind=dc.OversightKind.SUGGESTION, omission=dc.Omission.OTHER, facts="报告登记未按月汇总，教育学习台账缺失",
        demand="建议完善报告登记和教育学习台账"))
    deliver()
    with meter.flow("待审批"):
        landing(page, r"/corrections/$")
        assert tab_counts(page)["待审批"] == 1
        read(meter, page, leave.number, rf"/corrections/{subject.pk}/$", shot)
        op(meter, page, "批准")
    leave.refresh_from_db()
    assert leave.status == dc.LeaveStatus.APPROVED
    with meter.flow("检察建议"):
        read(meter, page, ov.number, rf"/corrections/{subject.pk}/$")
        op(meter, page, "书面回复", 整改情况及回复="已建立报告登记月度汇总制度，补齐教育学习台账")
        shot(page, "answered")
    ov.refresh_from_db()
    assert ov.status == dc.OversightStatus.ANSWERED
    assert "督办" in sms_to(gateway, "13900004444", ov.number)


def test_prosecutor(open_as, agencies, gateway, meter, shot):
    """检察官 jcg1: every file of the county, read only; it issues a 检察建议 on the file; the
    county's written answer reaches it (办理通知, SMS switched on in 通知设置); it accepts it."""
    from gongzhi.corrections import services as s
    from gongzhi.corrections.inputs import AnswerIn
    from gongzhi.corrections.models import Oversight
    from gongzhi.domain import corrections as dc
    d = agencies["d"]
    subject = _active_subject(d, agencies)
    page = meter.watch(open_as("jcg1"))
    with meter.flow("landing"):
        landing(page, r"/corrections/$", "社区矫正")
        assert tab_counts(page) == {**dict.fromkeys(CORR_TABS, 0), "全部": 1, "在矫": 1}
    with meter.flow("通知设置"):
        sms_on(meter, page, ["办理通知"], d.users["jcg1"].profile.phone)
    with meter.flow("制发检察建议"):
        open_link(meter, page, "社区矫正", r"/corrections/$")
        open_link(meter, page, subject.number, rf"/corrections/{subject.pk}/$")
        assert page.locator("details[class*='op-subject-']").count() == 0      # no write form on the file
        op(meter, page, "制发检察建议/纠正违法通知书", 发现的问题="未按时报告后未及时开展教育谈话",
           检察意见="建议落实报告提醒和教育谈话制度")
        shot(page, "issued")
    ov = Oversight.objects.get(subject=subject)
    s.oversight_answer(actor=d.users["sqjz"], oversight_id=ov.pk, data=AnswerIn(
        answer="已对该对象开展教育谈话，并建立报告前一日电话提醒制度"))
    deliver()
    with meter.flow("审查回复"):
        read(meter, page, ov.number, rf"/corrections/{subject.pk}/$", shot)
        op(meter, page, "认可回复·办结")
    ov.refresh_from_db()
    assert ov.status == dc.OversightStatus.CLOSED
    assert "办理通知" in sms_to(gateway, d.users["jcg1"].profile.phone, ov.number)
    with meter.flow("检察监督台"):
        open_link(meter, page, "社区矫正", r"/corrections/$")
        open_link(meter, page, "检察监督", r"/corrections/oversight/$")
        assert ov.number in page.content()
        shot(page, "board")


# ---- 民事速裁 -----------------------------------------------------------------------------------

COURT_TABS = ("全部", "诉前调解", "小额速裁", "速裁（简易程序）", "普通程序")


@pytest.fixture
def court(live_district):
    from gongzhi.demo.court import build_court_staff, failed_mediation
    build_court_staff(live_district)
    return failed_mediation(live_district)


def test_court_clerk_and_judge(open_as, court, gateway, meter, shot):
    """书记员 clerk1 takes a failed mediation in (诉调对接), triages and books it — the judge it is
    booked for is told; 法官 judge1 opens it from the bell, and when the trial period's warning
    passes is told again in-app and by SMS (超期预警, its phone given in 通知设置); it judges on the spot."""
    from gongzhi.court.models import CivilCase
    from gongzhi.domain import court as dc
    mcase = court
    clerk = meter.watch(open_as("clerk1"))
    with meter.flow("书记员 landing"):
        landing(clerk, r"/court/$", "民事速裁")
        assert tab_counts(clerk) == dict.fromkeys(COURT_TABS, 0)
    judge = meter.watch(open_as("judge1"))
    with meter.flow("法官 landing"):
        landing(judge, r"/court/$", "民事速裁")
        sms_on(meter, judge, [], "13900005555")
    with meter.flow("诉调对接·分流·排期"):
        meter.select(clerk.get_by_label("调解不成的案件"), str(mcase.pk))
        with clerk.expect_navigation(url=re.compile(r"/court/\d+/$")):
            meter.click(clerk.get_by_role("button", name="转入法院"))
        with clerk.expect_navigation():
            meter.click(clerk.get_by_role("button", name="繁简分流"))
        meter.fill(clerk.locator("#book-start"), f"{timezone.localdate() + timedelta(days=2):%Y-%m-%d}T14:00")
        with clerk.expect_navigation():
            meter.click(clerk.get_by_role("button", name="排期开庭"))
        shot(clerk, "booked")
    case = CivilCase.objects.get(mediation=mcase)
    assert case.status == dc.CivilStatus.SCHEDULED and case.judge.username == "judge1"
    with meter.flow("书记员 列表"):
        open_link(meter, clerk, "民事速裁", r"/court/$")
        assert tab_counts(clerk) == {**dict.fromkeys(COURT_TABS, 0), "全部": 1, "速裁（简易程序）": 1}
    deliver()
    with meter.flow("排期通知"):
        read(meter, judge, "排期开庭", rf"/court/{case.pk}/$", shot)
    clock_passed(CivilCase, case.pk)
    deliver()
    with meter.flow("审理期限预警·宣判"):
        read(meter, judge, "黄灯预警", rf"/court/{case.pk}/$")
        meter.fill(judge.locator("#judge-terms"), "被告于本判决生效之日起十日内归还原告借款本金八万元")
        meter.fill(judge.locator("#judge-awarded"), "80000")
        with judge.expect_navigation():
            meter.click(judge.locator("form.op-judge button"))
        shot(judge, "judged")
    case.refresh_from_db()
    assert case.status == dc.CivilStatus.CLOSED and case.on_spot
    assert "超期预警" in sms_to(gateway, "13900005555", case.number)


# ---- 三金 ---------------------------------------------------------------------------------------

@pytest.fixture
def sanjin(live_district):
    from gongzhi.demo.funds import build_funds
    return build_funds(live_district)


def test_funds_maker_and_checker(open_as, sanjin, gateway, meter, shot):
    """经办 sanjin1 records a pledge's money arrived; 复核 sanjin2 (SMS on for 新派遣) is told, and
    confirms it onto the case's account; the confirmation goes back to the maker (maker–checker)."""
    from gongzhi.domain import ledger as dl
    dep = sanjin["deposits"]["pledged"]
    maker = meter.watch(open_as("sanjin1"))
    with meter.flow("经办 landing"):
        landing(maker, r"/funds/$", "三金专户")
        assert "已承诺·待缴存 1" in maker.locator("section.fund-SJ-CN").inner_text()
    checker = meter.watch(open_as("sanjin2"))
    with meter.flow("复核 landing"):
        landing(checker, r"/funds/$", "三金专户")
        sms_on(meter, checker, ["新派遣"], "13900006666")
    with meter.flow("登记到账"):
        open_link(meter, maker, dep.number, r"/funds/deposits/\d+/$")
        op(meter, maker, "登记到账", 到账金额="50,000.00", 银行流水号="NA20261103001")
        shot(maker, "received")
    deliver()
    with meter.flow("复核到账"):
        read(meter, checker, dep.number, rf"/funds/deposits/{dep.pk}/$", shot)
        op(meter, checker, "复核到账·转入代管")
    dep.refresh_from_db()
    assert dep.status == dl.DepositStatus.HELD
    assert "新派遣" in sms_to(gateway, "13900006666", dep.number)
    deliver()
    with meter.flow("经办 收到复核结果"):
        read(meter, maker, dep.number, rf"/funds/deposits/{dep.pk}/$", shot)
        assert maker.locator(".deposit-status").inner_text() == "代管中"


# ---- 积分超市 ------------------------------------------------------------------------------------

@pytest.fixture
def points(live_district):
    from gongzhi.demo.points import build_points
    return build_points(live_district)


def test_points_manager_and_counter(open_as, points, meter, shot):
    """积分管理员 jfgl1 confirms a resident's own claim and enters hours for another, which waits for
    the second manager (maker–checker); the counter's clerk dhd2 hands over a redeemed code.
    Points write no timeline row (ledger postings only), so nothing here can notify anyone yet."""
    from gongzhi.domain.points import RedemptionStatus
    from gongzhi.points import services as ps
    from gongzhi.points.models import Account, Claim, Redemption
    page = meter.watch(open_as("jfgl1"))
    queue = page.locator("ul.points-queue > li.card")
    with meter.flow("landing"):
        landing(page, r"/points/desk/$", "积分管理")
        assert queue.count() == 1                                   # resident3's own claim
    person = points["people"][0]
    before = Account.objects.get(person=person).balance
    with meter.flow("确认申报·录入时长"):
        with page.expect_navigation():
            meter.click(queue.first.get_by_role("button", name="确认"))
        assert queue.count() == 0
        meter.select(page.get_by_label("居民"), str(person.pk))
        meter.fill(page.get_by_label("时长（小时）"), "3")
        meter.fill(page.get_by_label("服务日期"), f"{timezone.localdate() - timedelta(days=1):%Y-%m-%d}")
        meter.fill(page.get_by_label("服务内容"), "社区防汛沙袋搬运")
        with page.expect_navigation():
            meter.click(page.get_by_role("button", name="录入"))
        assert "本人录入，须由另一名管理员确认" in queue.first.inner_text()
        shot(page, "claimed")
    claim = Claim.objects.get(activity="社区防汛沙袋搬运")
    ps.decide_claim(actor=points["users"]["jfgl2"], claim_id=claim.pk, confirm=True)     # the second manager
    with meter.flow("库存与账户"):
        page.reload()
        assert queue.count() == 0
        assert Account.objects.get(person=person).balance > before
    code = points["pending"].code
    counter = meter.watch(open_as("dhd2"))
    with meter.flow("兑换点 landing·核销"):
        landing(counter, r"/points/counter/$", "兑换点核销")
        meter.fill(counter.get_by_label("兑换码"), code.lower())
        with counter.expect_navigation():
            meter.click(counter.get_by_role("button", name="查询"))
        with counter.expect_navigation():
            meter.click(counter.get_by_role("button", name="确认交付"))
        assert "核销成功" in counter.locator(".messages").inner_text()
        shot(counter, "handed-over")
    assert Redemption.objects.get(code=code).status == RedemptionStatus.REDEEMED


# ---- 信用档案 -------------------------------------------------------------------------------------

@pytest.fixture
def credit(live_district):
    from gongzhi.demo.credit import build_credit
    return build_credit(live_district)


def _queue(page) -> dict[str, int]:
    """The officer's desk: each list under .credit-queue and how many items it holds."""
    out = {}
    for h in page.locator(".credit-queue h2").all():
        items = page.locator(".credit-queue h2", has_text=h.inner_text()).locator("xpath=following-sibling::ul[1]/li")
        out[h.inner_text()] = items.count() - items.locator("xpath=self::li[contains(@class,'muted')]").count()
    return out


def test_credit_officer(open_as, credit, live_district, gateway, meter, shot):
    """信用专员 xy2: its desk with what waits (a proposal, an objection); SMS on for 信用; a resident's
    objection reaches it (bell and SMS); it upholds it on the page."""
    from gongzhi.credit import services as cs
    from gongzhi.credit.inputs import RequestIn
    from gongzhi.credit.models import Dispute, Entry
    from gongzhi.domain import credit as dc
    page = meter.watch(open_as("xy2"))
    with meter.flow("landing"):
        landing(page, r"/credit/$", "信用档案")
        assert _queue(page) == {"待审核的信用记录": 1, "待处理的异议": 1, "待审核的修复申请": 0}
    with meter.flow("通知设置"):
        sms_on(meter, page, ["信用"], "13900007777")
    entry = Entry.objects.get(file=credit["files"][0], behaviour__code="volunteer")
    objection, _ = cs.dispute_file(actor=live_district.users["resident1"],
                                   data=RequestIn(entry_id=entry.pk, reason="这次活动我请假没去，签到表上不是我"))
    deliver()
    with meter.flow("异议"):
        read(meter, page, objection.number, rf"/credit/disputes/{objection.pk}/$", shot)
        op(meter, page, "异议成立·撤销记录", 理由="核对签到表，当日未参加")
        shot(page, "upheld")
    assert Dispute.objects.get(pk=objection.pk).status == dc.DisputeStatus.UPHELD
    assert "信用" in sms_to(gateway, "13900007777", objection.number)
    with meter.flow("回到工作台"):
        landing(page, r"/credit/$")
        assert _queue(page) == {"待审核的信用记录": 1, "待处理的异议": 1, "待审核的修复申请": 0}


# ---- 物业服务企业 and the grid's 帮教 -------------------------------------------------------------

@pytest.fixture
def estates(live_district):
    from gongzhi.demo.registry import build_registry
    build_registry(live_district)
    return live_district


def test_property_staff(open_as, estates, gateway, meter, shot, tmp_path):
    """物业客服 wy11: its queue per tab; SMS on for 新派遣; a resident's 物业服务 report is routed
    to the company and reaches it (bell and SMS); it signs and resolves it on the event page."""
    from gongzhi.demo.registry import PROPERTY_CATEGORY
    from gongzhi.domain.enums import Channel, EventKind, Status
    from gongzhi.events import intake, services

    from ..conftest import point_in
    from .test_loop_in_browser import photo
    d = estates
    page = meter.watch(open_as("wy11"))
    with meter.flow("landing"):
        landing(page, r"/queue/$", "我的待办")
        assert tab_counts(page) == {"待签收": 0, "办理中": 0, "即将超期": 0, "已超期": 0, "吹哨报到": 0}
    with meter.flow("通知设置"):
        sms_on(meter, page, ["新派遣"], "13900008888")
    lon, lat = point_in(d, 0)
    ev, _ = intake.event_report(actor=d.users["resident1"], data=intake.ReportInput(
        kind=EventKind.COMPLAINT, category=PROPERTY_CATEGORY, description="小区电梯停运两天了，物业一直没来修",
        channel=Channel.APP, lon=lon, lat=lat))
    # The community accepts and dispatches: the routing sends a 物业服务 report to the estate's company.
    services.event_accept(actor=d.users["comm11"], event_id=ev.id)
    ev = services.event_dispatch(actor=d.users["comm11"], event_id=ev.id)
    assert ev.handler_department.code.endswith("-wy")
    deliver()
    with meter.flow("签收·办结"):
        read(meter, page, ev.number, rf"/e/{ev.pk}/$", shot)
        op(meter, page, "签收")
        panel = page.locator("details.op", has=page.locator("summary", has_text=re.compile("^办结$")))
        if panel.get_attribute("open") is None:
            meter.click(panel.locator("summary"))
        panel.locator("input[type=file]").set_input_files(photo(tmp_path))
        op(meter, page, "办结", 办理结果="已更换电梯控制板，电梯恢复运行")
        shot(page, "resolved")
    ev.refresh_from_db()
    assert ev.status == Status.RESOLVED
    assert "新派遣" in sms_to(gateway, "13900008888", ev.number)


def test_grid_worker_bangjiao(open_as, agencies, gateway, meter, shot):
    """网格员 grid111: ``/`` opens 今日待办; its queue lists the 帮教 visit of a 社区矫正 subject in its
    grid (the person and the due day, never the file); it records the visit; an event the community
    dispatches to its grid reaches it (bell, and SMS switched on for 新派遣)."""
    from gongzhi.corrections.models import Visit, VisitTask
    from gongzhi.domain.enums import Channel, EventKind
    from gongzhi.events import intake, services

    from ..conftest import point_in
    d = agencies["d"]
    subject = _active_subject(d, agencies)
    task = VisitTask.objects.get(subject=subject, done_at__isnull=True)
    page = meter.watch(open_as("grid111", phone=True))
    with meter.flow("landing"):
        landing(page, r"/grid/$", "今日待办")
        open_link(meter, page, "我的待办", r"/queue/")
        assert tab_counts(page) == {"待签收": 0, "办理中": 0, "即将超期": 0, "已超期": 0}
        card = page.locator("li.corr-task")
        assert card.count() == 1 and f"{task.due_on:%Y-%m-%d}" in card.inner_text()
        shot(page, "bangjiao")
    with meter.flow("帮教走访"):
        meter.click(card.locator("summary"))
        meter.fill(card.get_by_label("走访情况"), "到家走访，本人在家，近期在物流公司上班，情绪稳定")
        with page.expect_navigation():
            meter.click(card.get_by_role("button", name="走访完成"))
    assert Visit.objects.filter(subject=subject, by=d.users["grid111"]).count() == 1
    with meter.flow("通知设置"):
        sms_on(meter, page, ["新派遣"], d.users["grid111"].profile.phone)
    lon, lat = point_in(d, 0)
    ev, _ = intake.event_report(actor=d.users["resident1"], data=intake.ReportInput(
        kind=EventKind.COMPLAINT, category="urban-appearance", description="小区门口垃圾堆积多日无人清运",
        lon=lon, lat=lat, channel=Channel.APP))
    services.event_accept(actor=d.users["comm11"], event_id=ev.id)
    services.event_dispatch(actor=d.users["comm11"], event_id=ev.id)
    deliver()
    with meter.flow("新派遣"):
        read(meter, page, ev.number, rf"/e/{ev.pk}/$", shot)
    assert "新派遣" in sms_to(gateway, d.users["grid111"].profile.phone, ev.number)
