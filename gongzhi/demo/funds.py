"""三金 demo (南安's three funds, in the demo district): the three funds with their bank accounts,
a maker (sanjin1) and two checkers (sanjin2, sanjin3), a mediation committee (sjtj1) whose cases
the 承诺金 secure, deposits in every state, donations and a paid charity grant — all made through
the services, so every posting is on the chain and every state has its timeline."""
from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongzhi.accounts.models import Profile
from gongzhi.domain import ledger as dl
from gongzhi.domain.mediation import CaseStatus, OrgKind, Source
from gongzhi.funds import inputs as i, services as s
from gongzhi.funds.models import Account, Deposit, Fund
from gongzhi.mediation.models import Case, DisputeType, Mediator, Organisation
from gongzhi.mediation.reference import ensure_dispute_types

from .district import District

User = get_user_model()
LOGINS = [("sanjin1", "陈经办", "三金专户 经办人（maker）"), ("sanjin2", "林复核", "三金专户 复核人（checker）"),
          ("sanjin3", "黄复核", "三金专户 复核人（checker）"), ("sjtj1", "吴调解", "三金 交通事故纠纷调委会 调解员")]


def _user(d: District, username: str, name: str, where: str):
    user = User.objects.create(username=username, password=d.users["admin"].password, first_name=name)
    Profile.objects.create(user=user, display_name=name, phone="")
    d.users[username] = user
    d.logins.append((username, where, where))
    return user


def build_funds(d: District) -> dict:
    ensure_dispute_types()
    users = {u: _user(d, u, n, w) for u, n, w in LOGINS}
    maker, c1, c2 = users["sanjin1"], users["sanjin2"], users["sanjin3"]
    funds = {}
    for kind, code, bank in [(dl.FundKind.CRIMINAL, "SJ-XS", "农商银行南安支行 9070 0001"),
                             (dl.FundKind.PLEDGE, "SJ-CN", "农商银行南安支行 9070 0002"),
                             (dl.FundKind.CHARITY, "SJ-JZ", "农商银行南安支行 9070 0003")]:
        f = Fund.objects.create(code=code, name=kind.label + "专户", kind=kind, bank_name=bank.rsplit(" ", 2)[0],
                                bank_account_no=bank.split(" ", 1)[1])
        Account.objects.create(fund=f, code=f"{code}-bank", name="银行专户", kind=dl.AccountKind.BANK)
        f.makers.add(maker)
        f.checkers.add(c1, c2)
        funds[kind] = f
    # The committee whose cases the 承诺金 secure (a traffic-accident committee: where they are used).
    org = Organisation.objects.create(code="sj-traffic", name="三金示范 交通事故纠纷人民调解委员会",
                                      kind=OrgKind.PROFESSIONAL, area=d.county, phone="0595-86000000")
    Mediator.objects.create(org=org, user=users["sjtj1"], name="吴调解", level=2, dialects="闽南话、普通话")
    dtype = DisputeType.objects.filter(code="traffic").first() or DisputeType.objects.first()
    now = timezone.now()

    def case(n: int) -> Case:
        c = Case.objects.create(source=Source.DESK, dispute_type=dtype, facts=f"交通事故赔偿纠纷（示范 {n}）",
                                area=d.county, area_path=d.county.path, organisation=org, status=CaseStatus.SIGNED,
                                applied_at=now, updated_at=now, agreement_terms="赔偿医疗费、误工费合计")
        c.number = f"TJSJ{n:04d}"
        c.save(update_fields=["number"])
        return c

    def pledge(n: int, amount: int, kind=dl.DepositKind.PLEDGE, loss=None):
        if kind is dl.DepositKind.PLEDGE:
            data = i.PledgeIn(kind=kind, secured_kind=dl.SecuredKind.MEDIATION, case_id=case(n).pk,
                              depositor=f"肇事方{n}", beneficiary=f"受害方{n}", amount=amount)
        else:
            data = i.PledgeIn(kind=kind, secured_kind=dl.SecuredKind.CRIMINAL, case_ref=f"南公刑和〔2026〕{n}号",
                              depositor=f"犯罪嫌疑人{n}", beneficiary=f"被害人{n}", amount=amount, loss=loss)
        return s.pledge(actor=maker, data=data)[0]

    def held(dep, ref):
        s.receive(actor=maker, deposit_id=dep.pk, data=i.ReceiveIn(amount=dep.amount, bank_reference=ref))
        return s.confirm(actor=c1, deposit_id=dep.pk)

    def dispose(dep, split: dl.Split, decision: str, final: bool = True):
        if dep.kind == dl.DepositKind.PLEDGE:
            s.condition_met(actor=users["sjtj1"], deposit_id=dep.pk, data=i.ConditionIn(note="双方确认协议已履行"))
        else:
            s.condition_met(actor=maker, deposit_id=dep.pk, data=i.ConditionIn(decision_ref=decision))
        s.propose(actor=maker, deposit_id=dep.pk, data=i.ProposeIn(
            to_victim=split.to_victim, refund=split.refund, forfeit=split.forfeit, decision_ref=decision,
            reason="依决定处置"))
        s.approve(actor=c1, deposit_id=dep.pk)
        if final:
            s.approve(actor=c2, deposit_id=dep.pk)

    deposits = {}
    deposits["pledged"] = pledge(1, 5_000_000)
    deposits["received"] = pledge(2, 8_000_000)
    s.receive(actor=maker, deposit_id=deposits["received"].pk,
              data=i.ReceiveIn(amount=8_000_000, bank_reference="NA20261102001"))
    deposits["held"] = held(pledge(3, 12_000_000), "NA20261102002")
    deposits["proposed"] = held(pledge(4, 3_000_000), "NA20261102003")
    dispose(deposits["proposed"], dl.Split(to_victim=3_000_000), "南调协履〔2026〕4号", final=False)
    deposits["released"] = held(pledge(5, 6_000_000), "NA20261102004")
    dispose(deposits["released"], dl.Split(to_victim=6_000_000), "南调协履〔2026〕5号")
    crim = held(pledge(6, 250_000, dl.DepositKind.CRIMINAL, loss=100_000), "NA20261102005")
    dispose(crim, dl.Split(to_victim=100_000, refund=150_000), "南检不诉〔2026〕6号")
    deposits["released_criminal"] = crim
    deposits["refunded"] = held(pledge(7, 300_000, dl.DepositKind.CRIMINAL, loss=120_000), "NA20261102006")
    dispose(deposits["refunded"], dl.Split(refund=300_000), "南公撤案〔2026〕7号")
    deposits["forfeited"] = held(pledge(8, 200_000, dl.DepositKind.CRIMINAL, loss=80_000), "NA20261102007")
    dispose(deposits["forfeited"], dl.Split(forfeit=200_000), "南刑初〔2026〕8号")
    deposits["lapsed"] = pledge(9, 1_000_000)
    s.lapse(actor=maker, deposit_id=deposits["lapsed"].pk, reason="逾期未缴存，当事人放弃")
    deposits["criminal_held"] = held(pledge(10, 450_000, dl.DepositKind.CRIMINAL, loss=180_000), "NA20261102008")

    today = timezone.localdate()
    donations = [s.donate(actor=maker, data=i.DonationIn(donor=donor, amount=amount, received_on=today,
                                                         reference=ref, key=ref))[0]
                 for donor, amount, ref in [("南安市慈善总会", 50_000_000, "NA20261102101"),
                                            ("某建材企业", 20_000_000, "NA20261102102"),
                                            ("爱心人士", 500_000, "NA20261102103")]]
    facts = dict(agreement=True, payer_cannot_pay=True, assets_checked=True, applicant_hardship=True)
    paid = s.grant_apply(actor=maker, data=i.GrantIn(
        case_id=case(11).pk, applicant="受害方11", payer="肇事方11（无业、无财产可供执行）", amount=800_000,
        facts="受害人住院治疗，肇事方经村委会证明及财产查询确无赔偿能力", **facts))[0]
    s.grant_approve(actor=c1, grant_id=paid.pk)
    s.grant_pay(actor=maker, grant_id=paid.pk, reference="NA20261102201")
    waiting = s.grant_apply(actor=maker, data=i.GrantIn(
        case_id=case(12).pk, applicant="受害方12", payer="肇事方12", amount=500_000,
        facts="肇事方重病，家庭无收入来源，已核实名下无财产", **facts))[0]
    deposits = {k: Deposit.objects.get(pk=v.pk) for k, v in deposits.items()}
    return {"funds": funds, "users": users, "deposits": deposits, "donations": donations,
            "grants": {"paid": paid, "applied": waiting}, "org": org, "case": case, "day": date.today()}
