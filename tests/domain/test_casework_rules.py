"""Pure rules of 多元调处 and 法律援助, from tables of cases (milliseconds)."""
from decimal import Decimal as D

import pytest

from gongzhi.domain import legalaid as la, mediation as dm
from gongzhi.domain.workflow import CapacityError, ReasonRequired, TransitionError, transition

S, A, C = dm.CaseStatus, dm.CaseAction, dm.CaseCapacity


@pytest.mark.parametrize("action,status,caps,reason,after", [
    (A.ACCEPT, S.APPLIED, {C.ORG}, "", S.ACCEPTED),
    (A.RECORD, S.ACCEPTED, {C.ORG}, "", S.MEDIATING),
    (A.SUCCEED, S.MEDIATING, {C.ORG}, "", S.SUCCEEDED),
    (A.SIGN, S.SUCCEEDED, {C.ORG}, "", S.SIGNED),
    (A.FAIL, S.SUCCEEDED, {C.ORG}, "拒签", S.FAILED),
    (A.CLOSE, S.SIGNED, {C.ORG}, "", S.CLOSED),
    (A.RECUSE, S.MEDIATING, {C.APPLICANT}, "亲属", S.MEDIATING),
    (A.WITHDRAW, S.APPLIED, {C.APPLICANT}, "和解", S.WITHDRAWN),
    (A.TRANSFER, S.APPLIED, {C.CENTRE}, "专业调委会", S.APPLIED),
])
def test_mediation_moves(action, status, caps, reason, after):
    assert transition(action, status, caps, reason, table=dm.TRANSITIONS) == after


@pytest.mark.parametrize("action,status,caps,reason,error", [
    (A.SUCCEED, S.ACCEPTED, {C.ORG}, "", TransitionError),      # no session held yet
    (A.SIGN, S.MEDIATING, {C.ORG}, "", TransitionError),
    (A.ACCEPT, S.APPLIED, {C.CENTRE}, "", CapacityError),        # centres watch, committees accept
    (A.ACCEPT, S.APPLIED, {C.APPLICANT}, "", CapacityError),
    (A.REFUSE, S.APPLIED, {C.ORG}, "  ", ReasonRequired),
    (A.CLOSE, S.MEDIATING, {C.ORG}, "", TransitionError),
    (A.WITHDRAW, S.SIGNED, {C.APPLICANT}, "x", TransitionError),
])
def test_mediation_refusals(action, status, caps, reason, error):
    with pytest.raises(error):
        transition(action, status, caps, reason, table=dm.TRANSITIONS)


def test_success_rate_matches_the_seed_figure():
    assert dm.success_rate(1298, 1581) == 82.1 and dm.success_rate(0, 0) is None


@pytest.mark.parametrize("text,amount,parties,earlier,level,flags", [
    ("楼上噪音扰民", None, 2, 0, dm.RiskLevel.LOW, ()),
    ("对方扬言要报复", None, 2, 0, dm.RiskLevel.HIGH, ("言语威胁",)),
    ("说不想活了要跳楼", None, 2, 0, dm.RiskLevel.HIGH, ("自伤自杀倾向",)),
    ("双方推搡", None, 2, 0, dm.RiskLevel.MEDIUM, ("已发生肢体冲突",)),
    ("双方推搡", None, 2, 1, dm.RiskLevel.HIGH, ("已发生肢体冲突",)),      # violence that recurs
    ("宅基地边界", D("150000"), 2, 0, dm.RiskLevel.MEDIUM, ("涉及金额较大",)),
    ("工资拖欠", None, 12, 0, dm.RiskLevel.MEDIUM, ("群体性苗头",)),
    ("又因排水吵起来", None, 2, 3, dm.RiskLevel.MEDIUM, ("反复纠纷（一年内 3 次）",)),
])
def test_risk_flags(text, amount, parties, earlier, level, flags):
    r = dm.assess_risk(dm.RiskFacts(text, amount, parties, earlier))
    assert (r.level, r.flags) == (level, flags)


ORGS = [
    dm.OrgFacts(1, "村调委会", dm.OrgKind.VILLAGE, "/c/t1/v1/", frozenset(), open_cases=9, mediators=3),
    dm.OrgFacts(2, "镇调委会", dm.OrgKind.TOWNSHIP, "/c/t1/", frozenset(), open_cases=0, mediators=2),
    dm.OrgFacts(3, "交通调委会", dm.OrgKind.PROFESSIONAL, "/c/", frozenset({"traffic"})),
    dm.OrgFacts(4, "邻村调委会", dm.OrgKind.VILLAGE, "/c/t1/v2/", frozenset()),
]


def test_organisations_specialist_then_nearest():
    assert [c.id for c in dm.rank_organisations(ORGS, dm.CaseFacts("traffic", "/c/t1/v1/g1/"))] == [3, 1, 2]
    assert [c.id for c in dm.rank_organisations(ORGS, dm.CaseFacts("neighbour", "/c/t1/v1/g1/"))] == [1, 2]
    assert dm.rank_organisations(ORGS, dm.CaseFacts("neighbour", "/x/")) == []


MEDIATORS = [
    dm.MediatorFacts(1, "甲", 7, level=5, types=frozenset({"neighbour"}), open_cases=0),
    dm.MediatorFacts(2, "乙", 7, level=1, open_cases=1, succeeded=9, concluded=10),
    dm.MediatorFacts(3, "丙", 7, level=4, dialects=frozenset({"客家话"}), open_cases=2, max_cases=2),
    dm.MediatorFacts(4, "丁", 8, level=3),
]


def test_mediators_specialty_seniority_load_and_choice():
    low = dm.CaseFacts("neighbour", "/c/")
    assert [c.id for c in dm.rank_mediators(MEDIATORS, low, 7)] == [1, 2]          # 丙 is full, 丁 elsewhere
    high = dm.CaseFacts("neighbour", "/c/", risk=dm.RiskLevel.HIGH)
    assert dm.rank_mediators(MEDIATORS, high, 7)[0].id == 2                         # senior for a high risk
    excluded = dm.CaseFacts("neighbour", "/c/", excluded=frozenset({1}))
    assert dm.pick_mediator(MEDIATORS, excluded, 7).id == 2
    assert dm.pick_mediator(MEDIATORS, low, 7, chosen=2).reason == "当事人选定"
    for chosen, words in [(1, "回避"), (3, "已满"), (4, "不属于"), (99, "不存在")]:
        with pytest.raises(dm.AssignmentError, match=words):
            dm.pick_mediator(MEDIATORS, excluded, 7, chosen=chosen)


@pytest.mark.parametrize("income,standard,exempt,pledge,eligible,words", [
    ("1500", "900", "", True, True, "≤"),
    ("1800", "900", "", True, True, "1800.00 元"),          # the line itself is inside
    ("1800.01", "900", "", True, False, "超过"),
    ("9000", "900", "农民工请求支付劳动报酬", True, True, "免予经济困难审查"),
    ("100", "900", "", False, False, "诚信承诺"),
])
def test_means_test(income, standard, exempt, pledge, eligible, words):
    e = la.eligibility(la.Means(D(income), D(standard), D(2), exempt, pledge))
    assert e.eligible is eligible and words in e.basis


def test_means_test_refuses_without_a_standard():
    with pytest.raises(la.StandardMissing):
        la.eligibility(la.Means(D("100"), None, D(2), "", True))


LAWYERS = [
    la.LawyerFacts(1, "资深刑辩", 15, criminal_years=12),
    la.LawyerFacts(2, "青年律师", 2, criminal_years=2, juvenile=True),
    la.LawyerFacts(3, "未成年人专家", 9, criminal_years=5, juvenile=True, open_cases=1),
    la.LawyerFacts(4, "劳动律师", 6, specialties=frozenset({"labour"})),
    la.LawyerFacts(5, "满额", 20, criminal_years=20, juvenile=True, open_cases=8, max_cases=8),
]


@pytest.mark.parametrize("case,best,allowed", [
    (la.AidCaseFacts(la.Matter.CRIMINAL, la.Penalty.DEATH), 1, {1, 3}),
    (la.AidCaseFacts(la.Matter.CRIMINAL, la.Penalty.LIFE, minor=True), 3, {3}),
    (la.AidCaseFacts(la.Matter.CRIMINAL, la.Penalty.FIXED, minor=True), 3, {2, 3}),
    (la.AidCaseFacts(la.Matter.CIVIL, specialty="labour"), 4, {1, 2, 3, 4}),
])
def test_lawyer_rules(case, best, allowed):
    ranked = la.rank_lawyers(LAWYERS, case)
    assert ranked[0].id == best and {c.id for c in ranked} == allowed


def test_applicant_choice_is_checked_against_the_rules():
    capital = la.AidCaseFacts(la.Matter.CRIMINAL, la.Penalty.DEATH)
    assert la.pick_lawyer(LAWYERS, capital, chosen=1).reason == "申请人点援"
    with pytest.raises(la.LawyerError, match="3 年以上"):
        la.pick_lawyer(LAWYERS, capital, chosen=2)
    with pytest.raises(la.LawyerError, match="未成年人"):
        la.pick_lawyer(LAWYERS, la.AidCaseFacts(la.Matter.CRIMINAL, minor=True), chosen=4)
    with pytest.raises(la.LawyerError, match="没有符合"):
        la.pick_lawyer(LAWYERS[1:2], capital)


@pytest.mark.parametrize("scores,mean,grade", [([92, 85, 88], 88.3, "良好"), ([95, 90], 92.5, "优秀"),
                                               ([60], 60.0, "合格"), ([59, 40], 49.5, "不合格")])
def test_review_grades(scores, mean, grade):
    assert la.review_grade(scores) == (mean, grade)


@pytest.mark.parametrize(("clock", "complex_case", "code"), [
    ("decision", False, None),                    # the one moment it may be made
    ("decision", True, "already_extended"),       # once only
    ("assign", False, "no_decision_clock"),       # the decision is made: nothing left to extend
    ("", False, "no_decision_clock"),
])
def test_the_complex_case_extension_only_while_the_decision_clock_runs_and_once(clock, complex_case, code):
    refused = la.complex_refusal(clock, complex_case)
    assert (refused[0] if refused else None) == code
