"""A month of dispute cases and legal-aid applications walked through the real services with
time travel (``at=``), so the demo shows every state, real documents and honest statistics."""
from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from gongzhi.core.errors import ServiceError
from gongzhi.core.models import CalendarYear
from gongzhi.domain.calendar import UnknownYear
from gongzhi.domain.legalaid import Specialty
from gongzhi.domain.mediation import PartyRole, Performance, Referral
from gongzhi.legalaid import inputs as li, services as aid
from gongzhi.mediation import inputs as mi, services as med
from gongzhi.mediation.models import Mediator, Organisation

from .district import GIVEN, SURNAMES, District

DISPUTES = [("neighbour", "楼上漏水导致楼下天花板发霉，双方协商不成", "赔偿维修费用"),
            ("marriage", "夫妻因子女抚养费问题多次争吵", "每月支付抚养费"),
            ("property", "业主认为物业费上涨不合理拒交，物业停止门禁卡服务", "恢复门禁并协商物业费"),
            ("traffic", "电动车与小轿车刮擦，赔偿金额谈不拢", "赔偿修车费和误工费"),
            ("wages", "装修公司拖欠十几名工人工资三个月", "支付拖欠工资"),
            ("homestead", "两户因宅基地边界围墙发生争执，一方扬言要报复", "确认边界拆除围墙"),
            ("consumer", "网购家电到货损坏商家拒绝退换", "退货退款")]
AID = [("civil", "labour", "none", "在工地务工被拖欠工资，多次讨要未果"),
       ("civil", "marriage", "none", "遭受家庭暴力，要求离婚并分割财产"),
       ("criminal", "criminal", "fixed", "儿子涉嫌盗窃被刑事拘留，家庭困难无力聘请律师"),
       ("civil", "injury", "none", "在厂里工作时手指被机器压伤，老板不肯赔偿"),
       ("civil", "traffic", "none", "骑车被货车撞伤，对方保险公司拒赔")]

# A provisional 2027 for the demo only: 30-working-day limits reach into next year, and the State
# Council notice may not be out yet.  Production refuses until an admin enters the real notice.
DEMO_2027 = {"holidays": ["2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11",
                          "2027-04-05", "2027-05-03", "2027-05-04", "2027-05-05", "2027-06-09", "2027-09-15",
                          "2027-10-01", "2027-10-04", "2027-10-05", "2027-10-06", "2027-10-07"],
             "workdays": [], "notice": "演示数据：按常规节日推定，非国务院通知，生产环境请录入正式通知"}


def _name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng):
    return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def simulate_cases(d: District, days: int = 30, per_day: int = 2, seed: int = 5) -> dict[str, int]:
    CalendarYear.objects.get_or_create(year=2027, defaults=DEMO_2027)
    rng = random.Random(seed)
    now = timezone.now()
    stats: dict[str, int] = {}
    places = d.grids
    for day in range(days, 0, -1):
        for _ in range(per_day):
            at = now - timedelta(days=day, hours=rng.randrange(8))
            try:
                _dispute(d, rng, rng.choice(places), at, now)
                _aid(d, rng, rng.choice(places), at, now)
            except (ServiceError, UnknownYear):
                stats["skipped"] = stats.get("skipped", 0) + 1
    from gongzhi.legalaid.models import Application
    from gongzhi.mediation.models import Case
    for c in Case.objects.values_list("status", flat=True):
        stats[f"调解:{c}"] = stats.get(f"调解:{c}", 0) + 1
    for a in Application.objects.values_list("status", flat=True):
        stats[f"法援:{a}"] = stats.get(f"法援:{a}", 0) + 1
    return stats


def _dispute(d, rng, grid, at, now):
    code, facts, claim = rng.choice(DISPUTES)
    parties = [mi.PartyIn(role=PartyRole.APPLICANT, name=_name(rng), phone=_phone(rng)),
               mi.PartyIn(role=PartyRole.RESPONDENT, name=_name(rng), phone=_phone(rng))]
    data = mi.ApplyIn(dispute_type=code, facts=facts, claim=claim, area=grid.code, parties=parties,
                      amount=Decimal(rng.choice([0, 800, 3000, 12000, 56000])))
    case, _ = med.case_apply(actor=d.users["admin"], data=data, at=at)
    org = Organisation.objects.get(pk=case.organisation_id)
    actor = (Mediator.objects.filter(org=org, user__isnull=False).first() or Mediator(user=d.users["admin"])).user
    age = (now - at).days
    step = min(6, age // 4 + rng.randrange(2))
    if step == 0:
        return
    med.case_accept(actor=actor, case_id=case.id, at=at + timedelta(hours=3))
    if step == 1:
        return
    med.case_schedule(actor=actor, case_id=case.id, at=at + timedelta(hours=4), data=mi.ScheduleIn(
        scheduled_at=at + timedelta(days=1, hours=2), place=f"{org.name}调解室"))
    if step == 2:
        return
    med.case_record(actor=actor, case_id=case.id, at=at + timedelta(days=1, hours=4), data=mi.RecordIn(
        attendees="双方当事人、调解员", record="双方陈述事实和诉求，调解员释法说理"))
    if step == 3:
        return
    if rng.random() < 0.18:
        med.case_fail(actor=actor, case_id=case.id, at=at + timedelta(days=2), data=mi.FailIn(
            reason="双方分歧较大，未能达成一致", referral=Referral.LITIGATION,
            referral_to="芗城区人民法院诉调对接中心"))
        return
    med.case_succeed(actor=actor, case_id=case.id, at=at + timedelta(days=2), data=mi.SucceedIn(
        agreement_terms=f"一、被申请人同意{claim}；二、双方就本纠纷再无其他争议。",
        performance_terms="自签订之日起十日内履行"))
    if step == 4:
        return
    med.case_sign(actor=actor, case_id=case.id, at=at + timedelta(days=2, hours=1))
    if step == 5:
        return
    med.case_follow_up(actor=actor, case_id=case.id, at=at + timedelta(days=12), data=mi.FollowUpIn(
        performance=Performance.FULL, note="电话回访，已按协议履行"))
    med.case_close(actor=actor, case_id=case.id, at=at + timedelta(days=12, hours=1))


def _aid(d, rng, grid, at, now):
    if rng.random() < 0.5:
        return
    matter, specialty, penalty, summary = rng.choice(AID)
    data = li.AidApplyIn(applicant_name=_name(rng), phone=_phone(rng), area=grid.code, household_size=3,
                         monthly_income=Decimal(rng.choice([600, 1200, 1700, 2600])), pledge=True, matter=matter,
                         specialty=specialty, penalty=penalty, summary=summary,
                         exempt="migrant_wages" if specialty == Specialty.LABOUR else None)
    app, _ = aid.aid_apply(actor=None, data=data, at=at)
    staff = app.office.staff.first()
    step = min(5, (now - at).days // 5 + rng.randrange(2))
    if step == 0:
        return
    try:
        aid.aid_approve(actor=staff, app_id=app.id, at=at + timedelta(days=1))
    except ServiceError:
        aid.aid_deny(actor=staff, app_id=app.id, reason="家庭人均收入超过法律援助经济困难标准",
                     at=at + timedelta(days=1))
        return
    if step == 1:
        return
    aid.aid_assign(actor=staff, app_id=app.id, data=li.AssignIn(), at=at + timedelta(days=1, hours=2))
    if step == 2:
        return
    aid.aid_progress(actor=staff, app_id=app.id, note="律师已与受援人签订委托协议", at=at + timedelta(days=3))
    if step == 3:
        return
    aid.aid_conclude(actor=staff, app_id=app.id, at=at + timedelta(days=15), data=li.ConcludeIn(
        result="经调解/判决结案，受援人权益得到维护", recovered=Decimal(rng.choice([0, 8000, 32000]))))
    if step == 4:
        return
    aid.aid_review(actor=staff, app_id=app.id, at=at + timedelta(days=16), data=li.ReviewIn(scores=[
        li.ReviewScore(expert="评查专家甲", score=rng.randrange(75, 96)),
        li.ReviewScore(expert="评查专家乙", score=rng.randrange(75, 96))]))
