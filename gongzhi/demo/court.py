"""The demo district's 民事速裁: 芗城区人民法院 with its 大速裁 team (judges ``judge1``, ``judge2``,
clerks ``clerk1``, ``clerk2``), the LPR table, cases in every track (built through the services),
a series of 物业纠纷 against one property company with a judged lead case and followers drafted
from it, and one case that came over from a failed mediation (诉调对接)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from gongzhi.core import admindata
from gongzhi.core.models import CalendarYear
from gongzhi.court import services as s
from gongzhi.court.inputs import BookIn, ElementsIn, IntakeIn, JudgeIn, MediateIn, PartyIn, RegisterIn
from gongzhi.court.models import Court, Lpr, Member
from gongzhi.domain import court as dc
from gongzhi.domain.mediation import CaseStatus as M, OrgKind, PartyRole, Referral, Source

from .cases import DEMO_2027
from .district import District

# The published one-year LPR (全国银行间同业拆借中心): the rows a court keeps in its admin.
LPRS = [(date(2024, 10, 21), Decimal("3.10")), (date(2025, 5, 20), Decimal("3.00"))]
# 福建省上年度城镇就业人员年平均工资 — a demo figure; the court enters the published one each year.
DEMO_WAGE_FEN, DEMO_WAGE_YEAR = 10_612_300, 2025
STAFF = [("judge1", "陈立法", dc.Cap.JUDGE), ("judge2", "黄思远", dc.Cap.JUDGE),
         ("clerk1", "林书琪", dc.Cap.CLERK), ("clerk2", "吴晓敏", dc.Cap.CLERK)]
PROPERTY_CO = "漳州市鑫源物业管理有限公司"


def _user(d: District, hashed: str, username: str, name: str, where: str, role_label: str):
    from django.contrib.auth import get_user_model

    from gongzhi.accounts.models import Profile
    user = d.users.get(username)
    if user is None:
        user = get_user_model().objects.create(username=username, password=hashed)
        Profile.objects.create(user=user, display_name=name, phone="")
        d.users[username] = user
        d.logins.append((username, role_label, where))
    return user


def _parties(plaintiff: str, defendant: str) -> list[PartyIn]:
    return [PartyIn(side=dc.Litigant.PLAINTIFF, name=plaintiff, address="芗城区"),
            PartyIn(side=dc.Litigant.DEFENDANT, name=defendant, address="芗城区")]


def failed_mediation(d: District, *, amount: Decimal = Decimal("80000"), at=None):
    """A 金融借贷 mediation that ended without agreement and was referred to court (诉调对接)."""
    from gongzhi.mediation.models import Case, DisputeType, Organisation, Party
    from gongzhi.mediation.reference import ensure_dispute_types
    ensure_dispute_types()
    now = at or timezone.now()
    org = Organisation.objects.filter(kind=OrgKind.COURT).first() or Organisation.objects.create(
        code=f"{d.county.code}-sdtj", name="芗城区人民法院诉调对接调解室", kind=OrgKind.COURT, area=d.county)
    grid = d.grids[0]
    case = Case.objects.create(source=Source.DESK, dispute_type=DisputeType.objects.get(code="finance"),
                               facts="申请人王建国于2026年3月1日出借被申请人李明华人民币八万元，约定年利率18%，"
                                     "到期未还，经调解双方未能达成一致。", claim="请求归还借款本金80000元及利息",
                               amount=amount, area=grid, area_path=grid.path, organisation=org,
                               status=M.FAILED, applied_at=now - timedelta(days=20),
                               accepted_at=now - timedelta(days=19),
                               concluded_at=now - timedelta(days=1), succeeded=False, referral=Referral.LITIGATION,
                               referral_to="芗城区人民法院", updated_at=now)
    case.number = f"TJ{timezone.localtime(now):%Y%m%d}{case.pk:06d}"
    case.save(update_fields=["number"])
    Party.objects.bulk_create([
        Party(case=case, role=PartyRole.APPLICANT, name="王建国", phone="13905961234", address="芗城区胜利路"),
        Party(case=case, role=PartyRole.RESPONDENT, name="李明华", phone="13905964321", address="芗城区新华路")])
    return case


def build_court_staff(d: District) -> dict:
    """The court, its LPR table and its 速裁 team, no case: what a test that registers its own
    cases needs (a few rows, no documents — the full demo below renders .docx files)."""
    # Trial periods of two and six months reach into next year: the demo's provisional 2027 (demo.cases).
    CalendarYear.objects.get_or_create(year=2027, defaults=DEMO_2027)
    admindata.invalidate()
    hashed = d.users["admin"].password
    court = Court.objects.create(code="fy-350602", name="漳州市芗城区人民法院", area=d.county,
                                 avg_wage_fen=DEMO_WAGE_FEN, wage_year=DEMO_WAGE_YEAR)
    known = set(Lpr.objects.values_list("since", flat=True))
    Lpr.objects.bulk_create([Lpr(since=since, one_year_pct=pct) for since, pct in LPRS if since not in known])
    users = {username: _user(d, hashed, username, name, court.name, f"速裁团队{role.label}")
             for username, name, role in STAFF}
    Member.objects.bulk_create([Member(court=court, user=users[username], role=role) for username, _, role in STAFF])
    return {"court": court, "users": users, "cases": {}}


def build_court(d: District, *, small: bool = False) -> dict:
    out = build_court_staff(d)
    court, users = out["court"], out["users"]
    clerk, judge = users["clerk1"], users["judge1"]
    now = timezone.now()

    def reg(cause, amount, plaintiff, defendant, key, **flags):
        case, _ = s.register(actor=clerk, data=RegisterIn(cause=cause, facts=f"{plaintiff}诉{defendant}{cause.label}。",
                                                          claim="请求依法判决", amount=amount,
                                                          parties=_parties(plaintiff, defendant), client_key=key,
                                                          **flags))
        return case

    # one per track
    small_case = s.triage(actor=clerk, case_id=reg(dc.Cause.LOAN, "20000", "张志强", "刘德胜", "small").pk)
    fast_case = s.triage(actor=clerk, case_id=reg(dc.Cause.TRAFFIC, "86000", "郑美玲", "苏建华", "fast").pk)
    divorce = s.triage(actor=clerk, case_id=reg(dc.Cause.DIVORCE, "", "杨秀英", "许国栋", "divorce").pk)
    ordinary = s.triage(actor=clerk, case_id=reg(dc.Cause.LOAN, "900000", "蔡文博", "漳州某贸易有限公司", "ord").pk)
    pre = s.triage(actor=clerk, case_id=reg(dc.Cause.TENANCY, "12000", "何丽娟", "罗永福", "pre").pk)
    s.record_elements(actor=clerk, case_id=fast_case.pk, data=ElementsIn(values={
        "accident_on": "2026-08-12", "place": "芗城区胜利西路与延安北路交叉口", "claimed": "86000", "medical": "52000",
        "lost_income": "24000", "nursing": "10000", "insurer": "某财产保险股份有限公司漳州中心支公司",
        "liability": [{"party": "苏建华", "share": "70"}, {"party": "郑美玲", "share": "30"}]}))
    start = timezone.localtime(now).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    s.book(actor=clerk, case_id=fast_case.pk, data=BookIn(start=start, room=court.room_list[0]))
    s.book(actor=clerk, case_id=small_case.pk,
           data=BookIn(start=start + timedelta(minutes=40), room=court.room_list[0]))
    out["cases"].update(small=small_case, fast=fast_case, divorce=divorce, ordinary=ordinary, pre=pre)
    # a mediated one, closed
    closed = s.triage(actor=clerk, case_id=reg(dc.Cause.SALE, "15000", "漳州市百川建材商行", "陈宏伟", "sale",
                                                mediated=True).pk)
    s.mediate(actor=clerk, case_id=closed.pk,
              data=MediateIn(terms="被告于2026年12月31日前支付货款15000元", awarded="15000"))
    # 物业纠纷 series: six owners' cases against one company, the lead judged, the rest drafted from it
    owners = ["黄志明", "林淑芬", "陈国强", "王丽华", "郭建平", "周晓燕"][: 4 if small else 6]
    series_cases = [s.triage(actor=clerk, case_id=reg(
        dc.Cause.PROPERTY_SERVICE, f"{2400 + 300 * i}", owner,
        PROPERTY_CO if i % 2 else PROPERTY_CO.removeprefix("漳州市"),
        f"wy{i}", mediated=True).pk) for i, owner in enumerate(owners)]
    groups = s.suggest_series(clerk)
    group = next(g for g in groups if {c.pk for c in g} >= {c.pk for c in series_cases[:2]})
    series = s.confirm_series(actor=clerk, case_ids=[c.pk for c in group])
    lead = series_cases[0]
    s.set_lead(actor=clerk, series_id=series.pk, case_id=lead.pk)
    s.book(actor=clerk, case_id=lead.pk, data=BookIn(start=start + timedelta(hours=2), room=court.room_list[1]))
    s.judge(actor=judge, case_id=lead.pk, data=JudgeIn(
        terms="被告于判决生效之日起十日内返还原告多收取的物业服务费，驳回原告其他诉讼请求",
        awarded="2000", on_spot=True))
    s.follow_lead(actor=clerk, series_id=series.pk)
    out.update(series=series, lead=lead, series_cases=series_cases)
    # 诉调对接: a failed mediation comes over and is triaged 速裁
    mcase = failed_mediation(d)
    from_med, _ = s.intake_from_mediation(actor=clerk, data=IntakeIn(mediation_case=mcase.pk))
    out["cases"]["from_mediation"] = s.triage(actor=clerk, case_id=from_med.pk)
    out["mediation"] = mcase
    return out
