"""The demo district's 社区矫正: the county agency (``sqjz``, also its head), a 司法所 per township
(``sfs1``…), two prosecutors of the county's 检察官办公室 (``jcg1``, ``jcg2``), two partners, and
subjects in every state, built through the services with their history back-dated — some 脱管,
a 训诫 decided, one 检察建议 awaiting its answer and one answered.
"""
from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.core import admindata
from gongzhi.core.models import CalendarYear
from gongzhi.corrections import services as s
from gongzhi.corrections.inputs import (
    ActivityIn,
    AnswerIn,
    CheckinIn,
    LeaveIn,
    LevelIn,
    Member,
    MonitorIn,
    OutcomeIn,
    OversightIn,
    PlanIn,
    PositionIn,
    ReceiveIn,
    SanctionIn,
    ScoreIn,
    TeamIn,
    TerminateIn,
    TransferOutIn,
    VisitIn,
)
from gongzhi.corrections.models import Agency, AgencyKind, Partner
from gongzhi.domain import corrections as dc
from gongzhi.domain.enums import Level as AreaLevel, Role

from .cases import DEMO_2027
from .district import GIVEN, SURNAMES, District, _person

CRIMES = ["危险驾驶罪", "盗窃罪", "诈骗罪", "故意伤害罪", "交通肇事罪", "寻衅滋事罪", "开设赌场罪",
          "非法吸收公众存款罪"]
PLAN = ("一、监督管理：按管理等级定期报告，每月走访一次；二、教育矫正：每月教育学习不少于8小时、公益活动不少于8小时；"
        "三、心理矫治：由合作高校心理咨询师每季度评估一次；四、帮扶：协助落实就业岗位。")
# (state, count) the demo builds; with ``n`` subjects the rest are 在矫.
SHAPE = [("notified", 2), ("notified_late", 1), ("reported", 2), ("absconded", 2), ("absconded_long", 1),
         ("transferring", 1), ("released", 2), ("terminated", 1), ("due_to_end", 1)]


def build_corrections(d: District, subjects: int = 30, seed: int = 15, weeks: int = 9) -> dict:
    """``weeks``: how many weeks of reports each file has before today (tests keep it short)."""
    # Periods of 60 days (检察建议) reach into next year: the demo's provisional year (demo.cases).
    CalendarYear.objects.get_or_create(year=2027, defaults=DEMO_2027)
    admindata.invalidate()
    rng = random.Random(seed)
    hashed = d.users["admin"].password
    now = timezone.now()
    county = Agency.objects.create(code="sqjz-350602", name="芗城区社区矫正管理局", kind=AgencyKind.COUNTY,
                                   area=d.county, phone="0596-2023001", address="芗城区胜利西路")
    # Corrections staff are an agency's members, not a role over an area (the desk is not theirs).
    sqjz = _agent(d, hashed, "sqjz", "许振华", "芗城区社区矫正管理局", "社区矫正机构（负责人）")
    county.staff.add(sqjz)
    county.head = sqjz
    county.save()
    townships = []
    for i, town in enumerate(d.townships, 1):
        twp = Agency.objects.create(code=f"sfs-{town.code}", name=f"{town.name}司法所", kind=AgencyKind.TOWNSHIP,
                                    area=town, parent=county, phone=f"0596-20230{i:02d}")
        user = _agent(d, hashed, f"sfs{i}", rng.choice(SURNAMES) + rng.choice(GIVEN), f"{town.name}司法所")
        twp.staff.add(user)
        townships.append(twp)
    for i in (1, 2):
        _person(d, hashed, f"jcg{i}", ["陈检", "周检"][i - 1] + "察", f"1390596100{i}", Role.PROSECUTOR,
                f"{d.county.name}人民检察院", area=d.county, title="社区矫正检察官办公室")
    # The neighbouring county a 变更执行地 goes to: its own area, so 芗城's prosecutors stop seeing a
    # file once it has moved there.
    longwen = Area.objects.get_or_create(code="350603", defaults={"name": "龙文区", "level": AreaLevel.COUNTY})[0]
    other = Agency.objects.create(code="sqjz-350603", name="龙文区社区矫正管理局", kind=AgencyKind.COUNTY,
                                  area=longwen, phone="0596-2100000")
    Partner.objects.create(name="闽南师范大学心理健康教育中心", kind=dc.ActivityKind.PSYCH,
                           contact="林老师 0596-2591000")
    base = Partner.objects.create(name="芗城涉台社区矫正帮扶基地", kind=dc.ActivityKind.HELP,
                                  contact="王经理 0596-2888000", note="为涉台社区矫正对象提供就业和住宿")
    plan = [state for state, count in SHAPE for _ in range(count)]
    plan += ["active"] * max(0, subjects - len(plan))
    made = {"county": county, "townships": townships, "other": other, "subjects": {}}
    for k, state in enumerate(plan[:subjects]):
        twp = townships[k % len(townships)]
        staff = twp.staff.first()
        grid = [g for g in d.grids if g.path.startswith(twp.area.path)][k % 3 if len(d.grids) > 8 else 0]
        subj = _subject(rng, staff, sqjz, twp, grid, state, now, base, weeks)
        made["subjects"].setdefault(state, []).append(subj)
    _oversight(d, made, now)
    return made


def _agent(d: District, hashed: str, username: str, name: str, where: str, role: str = "司法所工作人员"):
    from django.contrib.auth import get_user_model

    from gongzhi.accounts.models import Profile
    user = get_user_model().objects.create(username=username, password=hashed)
    Profile.objects.create(user=user, display_name=name, phone="")
    d.users[username] = user
    d.logins.append((username, role, where))
    return user


def _subject(rng, staff, head, twp: Agency, grid, state: str, now, base: Partner, weeks: int):
    ago = {"notified": 3, "notified_late": 14, "reported": 9, "released": 400}.get(state, rng.randrange(60, 200))
    start = now - timedelta(days=ago)
    decided = timezone.localtime(start).date() - timedelta(days=2)
    years = 1 if state in ("released", "due_to_end") else rng.choice([1, 2, 3])
    term_start = decided
    term_end = term_start + timedelta(days=365 * years)
    if state == "due_to_end":
        term_end = timezone.localtime(now).date()
    kind = rng.choice([dc.CorrType.PROBATION] * 6 + [dc.CorrType.PAROLE] * 2 + [dc.CorrType.CONTROL,
                                                                                   dc.CorrType.MEDICAL])
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    gender = rng.choice("男男男女")
    subject, _ = s.receive(actor=staff, at=start, data=ReceiveIn(
        township=twp.code, grid=grid.code, name=name, gender=gender, id_number=_id_number(rng, gender),
        phone=f"13{rng.randrange(10**9):09d}", address=f"{grid.parent.name}{rng.randrange(1, 99)}号",
        # 假释 is ruled by the intermediate court on the prison's proposal; the rest by the district court.
        kind=kind, decider=dc.Decider.COURT,
        decision_body="漳州市芗城区人民法院" if kind != dc.CorrType.PAROLE else "福建省漳州市中级人民法院",
        decision_no=f"（{decided.year}）闽0602刑初{rng.randrange(100, 999)}号", crime=rng.choice(CRIMES),
        prohibition="禁止进入夜总会、酒吧、迪厅" if rng.random() < 0.2 else "",
        decided_on=decided, term_start=term_start, term_end=term_end))
    if state in ("notified", "notified_late"):
        return subject
    t = start + timedelta(days=1)
    s.documents_received(actor=staff, subject_id=subject.pk, at=t)
    s.report_in(actor=staff, subject_id=subject.pk, at=t + timedelta(hours=2))
    if state == "reported":
        return subject
    t += timedelta(days=1)
    s.form_team(actor=staff, subject_id=subject.pk, at=t, data=TeamIn(members=[
        Member(role=dc.TeamRole.TOWNSHIP, name=staff.profile.display_name, org=twp.name),
        Member(role=dc.TeamRole.COMMITTEE, name=rng.choice(SURNAMES) + rng.choice(GIVEN), org=grid.parent.name),
        Member(role=dc.TeamRole.FAMILY, name=rng.choice(SURNAMES) + rng.choice(GIVEN), org="配偶")]))
    s.write_plan(actor=staff, subject_id=subject.pk, at=t, data=PlanIn(plan=PLAN))
    s.announce(actor=staff, subject_id=subject.pk, at=t + timedelta(hours=1))
    # Supervision up to today: weekly reports over the last nine weeks (the next one is open, so
    # a file shows a missed report only where the demo means one: the 脱管 ones).
    when = max(t + timedelta(days=7), now - timedelta(days=7 * weeks))
    last_report = now - timedelta(days=5) if state != "absconded_long" else now - timedelta(days=20)
    while when < last_report:
        s.checkin(actor=staff, subject_id=subject.pk, at=when,
                  data=CheckinIn(way=rng.choice(list(dc.CheckinWay)), result="按时报告，思想稳定，遵守规定"))
        when += timedelta(days=7)
    s.visit(actor=staff, subject_id=subject.pk, at=t + timedelta(days=10),
            data=VisitIn(place="家中", result="家庭关系和睦，已找到工作"))
    s.activity(actor=staff, subject_id=subject.pk, at=t + timedelta(days=12), data=ActivityIn(
        kind=dc.ActivityKind.SERVICE, on=timezone.localtime(t).date() + timedelta(days=12), hours=Decimal("4"),
        content="社区环境整治志愿服务"))
    if rng.random() < 0.3:
        s.activity(actor=staff, subject_id=subject.pk, at=t + timedelta(days=13), data=ActivityIn(
            kind=dc.ActivityKind.HELP, help_kind=dc.HelpKind.JOB, on=timezone.localtime(t).date() + timedelta(days=13),
            partner=base.pk, content="介绍至帮扶基地就业"))
    month = timezone.localtime(t).date().replace(day=1) + timedelta(days=32)
    s.record_score(actor=staff, subject_id=subject.pk, at=t + timedelta(days=30),
                   data=ScoreIn(month=month, score=rng.randrange(75, 98)))
    if ago > 120 and state == "active" and rng.random() < 0.6:      # good months: the county loosens
        s.set_level(actor=head, subject_id=subject.pk, at=t + timedelta(days=95), data=LevelIn(
            level=dc.Level.NORMAL, reason="连续三个月考核不低于90分"))
    if state in ("absconded", "absconded_long"):
        days = 5 if state == "absconded" else 13
        s.unreachable(actor=staff, subject_id=subject.pk, at=now - timedelta(days=days, hours=3),
                      reason="电话关机，走访家中未见本人")
        s.abscond(actor=staff, subject_id=subject.pk, at=now - timedelta(days=days), reason="查找一日未果，认定脱管")
        return subject
    if state == "transferring":
        s.transfer_out(actor=head, subject_id=subject.pk, at=now - timedelta(days=2),
                       data=TransferOutIn(to="sqjz-350603", reason="随家人迁居龙文区"))
        return subject
    if state == "terminated":
        s.terminate(actor=head, subject_id=subject.pk, at=now - timedelta(days=20),
                    data=TerminateIn(end_reason=dc.EndReason.DEATH, reason="因病死亡，已核实死亡证明"))
        return subject
    if state == "released":
        s.release(actor=head, subject_id=subject.pk, at=now - timedelta(days=20))
        return subject
    if rng.random() < 0.25:                    # an approved trip, one already back
        leave, _ = s.leave_apply(actor=staff, subject_id=subject.pk, at=now - timedelta(days=6), data=LeaveIn(
            start=timezone.localtime(now).date() - timedelta(days=5), end=timezone.localtime(now).date()
            + timedelta(days=1), destination="厦门市思明区", reason="探望住院的母亲"))
        s.leave_approve(actor=staff, leave_id=leave.pk, at=now - timedelta(days=6, hours=-1))
    return subject


def _id_number(rng, gender: str) -> str:
    """A well-formed 18-digit number (GB 11643: the 17th digit odd for men, the check digit)."""
    body = (f"350602{1965 + rng.randrange(40)}{rng.randrange(1, 13):02d}{rng.randrange(1, 28):02d}"
            f"{rng.randrange(100):02d}{rng.choice('13579' if gender == '男' else '02468')}")
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def _oversight(d: District, made: dict, now) -> None:
    """A 训诫 for the longer 脱管, a positioning approved, and the prosecutors' two 检察建议."""
    if "absconded_long" not in made["subjects"]:       # a smaller build (tests): agencies and people only
        return
    head = d.users["sqjz"]
    jcg = d.users["jcg1"]
    long = made["subjects"]["absconded_long"][0]
    staff = long.township.staff.first()
    sanction, _ = s.sanction_propose(actor=staff, subject_id=long.pk, at=now - timedelta(days=3), data=SanctionIn(
        step=dc.Step.WARN, facts="无正当理由脱离监管超过十日", evidence="查找记录、通话记录"))
    active = made["subjects"].get("active", [])
    if active:
        first = active[0]
        fstaff = first.township.staff.first()
        adm, _ = s.sanction_propose(actor=fstaff, subject_id=first.pk, at=now - timedelta(days=9), data=SanctionIn(
            step=dc.Step.ADMONISH, facts="未经批准擅自离开居住地一日，情节轻微", evidence="本人承认、行程记录"))
        s.sanction_approve(actor=head, sanction_id=adm.pk, at=now - timedelta(days=8), data=OutcomeIn())
        mon, _ = s.monitor_propose(actor=fstaff, subject_id=first.pk, at=now - timedelta(days=8), data=MonitorIn(
            ground=dc.MonitorGround.LEFT_AREA, months=2, device="GZ-DEV-0001",
            facts="未经批准离开芗城区前往厦门，经教育后仍有再犯可能"))
        s.monitor_approve(actor=head, monitor_id=mon.pk, at=now - timedelta(days=8))
        # The device adapter's positions (simulated: no device in a demo), every 2 hours of a day.
        lon, lat = first.grid.geometry["coordinates"][0][0] if first.grid and first.grid.geometry else (117.65, 24.51)
        for h in range(0, 24, 2):
            s.position_in(actor=head, at=now, data=PositionIn(device="GZ-DEV-0001", at=now - timedelta(hours=h),
                                                              lon=lon + h * 0.0003, lat=lat + h * 0.0002))
    s.oversight_issue(actor=jcg, subject_id=long.pk, at=now - timedelta(days=2), data=OversightIn(
        kind=dc.OversightKind.SUGGESTION, omission=dc.Omission.ABSCOND_NOT_ACTED,
        facts="该对象脱管已超过十日，未见依法给予警告的决定", demand="建议依法及时作出警告决定并落实查找措施"))
    if len(active) > 1:
        ov, _ = s.oversight_issue(actor=jcg, subject_id=active[1].pk, at=now - timedelta(days=20), data=OversightIn(
            kind=dc.OversightKind.CORRECTION, omission=dc.Omission.INTAKE_LATE,
            facts="该对象入矫宣告晚于规定期限", demand="依法纠正，今后在报到后及时组织入矫宣告"))
        s.oversight_answer(actor=head, oversight_id=ov.pk, at=now - timedelta(days=12), data=AnswerIn(
            answer="已组织全体工作人员学习实施办法，建立报到后五个工作日内宣告的提醒机制"))
