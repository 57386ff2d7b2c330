"""民事速裁 through its services, API and pages: triage, override, elements, documents, series,
hearing slots, the clocks on the platform sweep at their edges, one judgment of two concurrent ones
(PostgreSQL), and scope.  Tests run on Monday 2026-11-02 09:00 Shanghai."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from gongzhi.casework.documents import text_of
from gongzhi.casework.models import CaseKind, CaseLog, DocKind, Document
from gongzhi.core.errors import Conflict, NotFound
from gongzhi.court import selectors as sel, services as s
from gongzhi.court.inputs import BookIn, ElementsIn, IntakeIn, JudgeIn, OverrideIn, PartyIn, RegisterIn
from gongzhi.court.models import CivilCase
from gongzhi.domain import court as dc
from gongzhi.domain.enums import SlaFlag
from gongzhi.ops.sweep import sweep_cases

from ..conftest import Api, sh


def _reg(court, cause, amount, key, **flags) -> CivilCase:
    case, _ = s.register(actor=court["users"]["clerk2"], data=RegisterIn(
        cause=cause, facts="原告诉被告借款纠纷一案。", claim="归还借款", amount=amount, client_key=key,
        parties=[PartyIn(side=dc.Litigant.PLAINTIFF, name="赵一"), PartyIn(side=dc.Litigant.DEFENDANT, name="钱二")],
        **flags))
    return case


def test_triage_at_the_line_through_the_service(court_staff):
    # the demo court's wage ¥106,123.00: the line is ¥53,061.50
    clerk = court_staff["users"]["clerk1"]
    at_line = s.triage(actor=clerk, case_id=_reg(court_staff, dc.Cause.LOAN, "53061.50", "a").pk)
    above = s.triage(actor=clerk, case_id=_reg(court_staff, dc.Cause.LOAN, "53061.51", "b").pk)
    agreed = s.triage(actor=clerk, case_id=_reg(court_staff, dc.Cause.LOAN, "53061.51", "c", agreed_pct=200).pk)
    assert (at_line.track, at_line.status) == (dc.Track.SMALL_CLAIMS, dc.CivilStatus.FILED)
    assert above.track == dc.Track.FAST and "53,061.50" in above.track_reason
    assert agreed.track == dc.Track.SMALL_CLAIMS
    assert at_line.clock == dc.CivilClock.TRIAL and at_line.filed_on is not None


def test_register_is_idempotent_and_staff_only(court_staff, district):
    first = _reg(court_staff, dc.Cause.LOAN, "100", "same")
    again = _reg(court_staff, dc.Cause.LOAN, "100", "same")
    assert first.pk == again.pk
    from gongzhi.core.errors import Forbidden
    with pytest.raises(Forbidden):
        s.register(actor=district.users["admin"], data=RegisterIn(
            cause=dc.Cause.LOAN, facts="事实四字以上", parties=[PartyIn(side=dc.Litigant.PLAINTIFF, name="甲"),
                                                          PartyIn(side=dc.Litigant.DEFENDANT, name="乙")]))


def test_override_by_a_judge_with_a_reason_never_into_barred_small_claims(court):
    case = court["cases"]["fast"]
    judge, clerk = court["users"]["judge1"], court["users"]["clerk1"]
    from gongzhi.core.errors import Forbidden
    with pytest.raises((Conflict, Forbidden)):       # a clerk holds no override
        s.override(actor=clerk, case_id=case.pk, data=OverrideIn(track=dc.Track.ORDINARY, reason="复杂"))
    divorce = court["cases"]["divorce"]
    with pytest.raises(Conflict, match="人身关系"):
        s.override(actor=judge, case_id=divorce.pk, data=OverrideIn(track=dc.Track.SMALL_CLAIMS, reason="简单"))
    moved = s.override(actor=judge, case_id=case.pk, data=OverrideIn(track=dc.Track.ORDINARY, reason="需追加被告"))
    assert (moved.track, moved.status, moved.clock, moved.override_reason) == (
        dc.Track.ORDINARY, dc.CivilStatus.TRANSFERRED, "", "需追加被告")


def test_intake_from_a_failed_mediation_carries_facts_and_parties_once(court_staff, district):
    from gongzhi.demo.court import failed_mediation
    m = failed_mediation(district)
    one, created = s.intake_from_mediation(actor=court_staff["users"]["clerk1"], data=IntakeIn(mediation_case=m.pk))
    two, again = s.intake_from_mediation(actor=court_staff["users"]["clerk2"], data=IntakeIn(mediation_case=m.pk))
    assert created and not again and one.pk == two.pk
    assert one.facts == m.facts and one.mediated and one.cause == dc.Cause.LOAN and one.amount_fen == 8_000_000
    assert [p.name for p in one.parties.all()] == ["王建国", "李明华"]
    assert s.triage(actor=court_staff["users"]["clerk1"], case_id=one.pk).track == dc.Track.FAST


def test_an_open_mediation_is_not_taken_in(court_staff, district):
    from gongzhi.demo.court import failed_mediation
    from gongzhi.domain.mediation import CaseStatus
    m = failed_mediation(district)
    m.status = CaseStatus.MEDIATING
    m.save()
    with pytest.raises(Conflict):
        s.intake_from_mediation(actor=court_staff["users"]["clerk1"], data=IntakeIn(mediation_case=m.pk))


LOAN = {"lender": "王建国", "borrower": "李明华", "principal": "80000", "lent_on": "2026-03-01",
        "due_on": "2026-09-01", "rate": "18", "guarantee": dc.Guarantee.SURETY.value, "guarantor": "张保",
        "repayments": [{"on": "2026-06-01", "amount": "5000"}]}


def test_elements_flag_the_rate_above_four_times_lpr_and_reach_the_documents(court):
    case = court["cases"]["from_mediation"]
    clerk, judge = court["users"]["clerk1"], court["users"]["judge1"]
    case = s.record_elements(actor=clerk, case_id=case.pk, data=ElementsIn(values=LOAN))
    assert [f["check"] for f in case.findings] == [dc.Check.RATE_ABOVE_CAP]      # LPR 3.00 % → cap 12 %
    ok = s.record_elements(actor=clerk, case_id=case.pk, data=ElementsIn(values={**LOAN, "rate": "12"}))
    assert ok.findings == []
    s.record_elements(actor=clerk, case_id=case.pk, data=ElementsIn(values=LOAN))
    s.book(actor=clerk, case_id=case.pk, data=BookIn(start=sh(2026, 11, 5, 14), room="第一速裁法庭"))
    s.judge(actor=judge, case_id=case.pk,
            data=JudgeIn(terms="被告于十日内归还借款本金八万元", awarded="80000", on_spot=True))
    docs = {d.doc: text_of(d.file.read()) for d in Document.objects.filter(kind=CaseKind.CIVIL, case_id=case.pk)}
    assert set(docs) == {DocKind.CIVIL_RECORD, DocKind.CIVIL_JUDGMENT}
    judgment = docs[DocKind.CIVIL_JUDGMENT]
    for words in ("80,000.00 元", "2026-03-01", "18%", "张保", "合同成立时（2026-03-01）一年期LPR",
                  "被告于十日内归还借款本金八万元"):
        assert words in judgment
    assert "王建国" in docs[DocKind.CIVIL_RECORD] and "80,000.00 元" in docs[DocKind.CIVIL_RECORD]


def test_series_followers_get_the_leads_outcome_as_drafts(court):
    lead, series = court["lead"], court["series"]
    followers = [c for c in CivilCase.objects.filter(series=series).exclude(pk=lead.pk)]
    assert len(followers) >= 2
    lead.refresh_from_db()
    for c in followers:
        # a draft, not an outcome: the case stays open for its judge
        assert c.status in (dc.CivilStatus.FILED, dc.CivilStatus.SCHEDULED) and c.outcome == ""
        assert c.follow_draft["outcome"] == dc.Outcome.JUDGMENT and c.follow_draft["terms"] == lead.terms
        expected = dc.yuan(c.amount_fen * lead.awarded_fen // lead.amount_fen)
        assert c.follow_draft["awarded"] == expected
        # never heard: no 判决书, not even a draft (the judge hears the case first)
        assert not Document.objects.filter(kind=CaseKind.CIVIL, case_id=c.pk, doc=DocKind.CIVIL_JUDGMENT).exists()


def test_a_slot_clash_is_refused_for_the_judge_and_the_room(court_staff):
    clerk = court_staff["users"]["clerk1"]
    a = s.triage(actor=clerk, case_id=_reg(court_staff, dc.Cause.LOAN, "100", "s1").pk)
    b = s.triage(actor=clerk, case_id=_reg(court_staff, dc.Cause.LOAN, "100", "s2").pk)
    s.book(actor=clerk, case_id=a.pk, data=BookIn(start=sh(2026, 11, 10, 9), room="第二速裁法庭"))
    with pytest.raises(Conflict, match="排期"):
        s.book(actor=clerk, case_id=b.pk, data=BookIn(start=sh(2026, 11, 10, 9, 39), room="第一速裁法庭"))
    s.book(actor=clerk, case_id=b.pk, data=BookIn(start=sh(2026, 11, 10, 9, 40), room="第二速裁法庭"))
    assert b.hearings.count() == 1


def test_the_trial_clock_turns_yellow_then_red_on_the_sweep(court_staff):
    # 速裁 filed Mon 2 Nov 09:00: 30 days → Wed 2 Dec, due at its end; yellow at 70 % from 2 Nov 00:00.
    clerk = court_staff["users"]["clerk1"]
    case = s.triage(actor=clerk, case_id=_reg(court_staff, dc.Cause.LOAN, "60000", "clock").pk)
    assert case.due_at == sh(2026, 12, 2, 23, 59, 59)
    warn = case.warn_at
    sweep_cases(now=warn - timedelta(seconds=1))
    case.refresh_from_db()
    assert case.sla_flag == SlaFlag.GREEN
    sweep_cases(now=warn + timedelta(seconds=1))
    case.refresh_from_db()
    assert case.sla_flag == SlaFlag.YELLOW
    sweep_cases(now=sh(2026, 12, 2, 23, 59, 59))
    case.refresh_from_db()
    assert case.sla_flag == SlaFlag.YELLOW
    sweep_cases(now=sh(2026, 12, 3, 0, 0, 1))
    case.refresh_from_db()
    assert case.sla_flag == SlaFlag.RED
    assert CaseLog.objects.filter(kind=CaseKind.CIVIL, case_id=case.pk, action=dc.CivilAction.SLA_RED).count() == 1


def test_the_judgment_clock_after_a_hearing_counts_working_days(court_staff):
    # Heard Mon 2 Nov: 10 working days → Mon 16 Nov.
    clerk, judge = court_staff["users"]["clerk1"], court_staff["users"]["judge1"]
    case = s.triage(actor=clerk, case_id=_reg(court_staff, dc.Cause.LOAN, "60000", "hear").pk)
    s.book(actor=clerk, case_id=case.pk, data=BookIn(start=sh(2026, 11, 2, 15), room="第二速裁法庭"))
    case = s.hear(actor=judge, case_id=case.pk, at=sh(2026, 11, 2, 15, 40))
    assert (case.clock, case.due_at) == (dc.CivilClock.JUDGMENT, sh(2026, 11, 16, 23, 59, 59))
    sweep_cases(now=sh(2026, 11, 17, 0, 0, 1))
    case.refresh_from_db()
    assert case.sla_flag == SlaFlag.RED


def test_scope_court_staff_only_and_the_committee_reads_the_outcome(court, district):
    case = court["cases"]["from_mediation"]
    assert Api(court["users"]["clerk2"]).get(f"/court/{case.pk}")[0] == 200
    for outsider in ("admin", "med11"):
        if outsider in district.users:
            assert Api(district.users[outsider]).get(f"/court/{case.pk}")[0] == 404
    with pytest.raises(NotFound):
        s.load(district.users["admin"], case.pk)
    # the mediation committee that sent it reads its outcome, only that
    from gongzhi.mediation.models import Mediator
    org = court["mediation"].organisation
    mediator = Mediator.objects.create(org=org, user=district.users["med11"], name="调解员")
    assert mediator.pk
    status, body = Api(district.users["med11"]).get(f"/court/from-mediation/{court['mediation'].pk}")
    assert status == 200 and set(body) == {"number", "track_label", "status_label", "outcome_label", "decided_at"}


def test_the_desk_and_the_case_page(court, district):
    from django.test import Client
    c = Client()
    c.force_login(court["users"]["clerk1"])
    r = c.get("/court/")
    assert r.status_code == 200 and "速裁".encode() in r.content
    case = court["cases"]["from_mediation"]
    r = c.post(f"/court/{case.pk}/elements", {"el-lender": "王建国", "el-borrower": "李明华", "el-principal": "80000",
                                             "el-lent_on": "2026-03-01", "el-rate": "18",
                                             "el-guarantee": dc.Guarantee.NONE.value})
    assert r.status_code == 302
    page = c.get(f"/court/{case.pk}/").content.decode()
    assert "超过合同成立时（2026-03-01）一年期LPR" in page and case.track_reason[:10] in page
    other = Client()
    other.force_login(district.users["admin"])
    assert other.get("/court/").status_code == 404


def test_shares_per_track(court):
    rows = {r["track"]: r for r in sel.shares(court["users"]["clerk1"])}
    assert rows[dc.Track.ORDINARY]["cases"] == 1 and rows[dc.Track.PRE_MEDIATION]["cases"] == 1
    assert sum(r["cases"] for r in rows.values()) == CivilCase.objects.count()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_judgments_one_wins(district):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is exercised on PostgreSQL")
    from gongzhi.demo.court import build_court_staff
    court = build_court_staff(district)
    clerk = court["users"]["clerk1"]
    case = s.triage(actor=clerk, case_id=_reg(court, dc.Cause.LOAN, "100", "race").pk)
    s.book(actor=clerk, case_id=case.pk, data=BookIn(start=sh(2026, 11, 20, 9), room="第一速裁法庭"))
    judges = [court["users"]["judge1"], court["users"]["judge2"]]
    barrier, results = threading.Barrier(2), []

    def run(j):
        try:
            barrier.wait()
            s.judge(actor=j, case_id=case.pk, data=JudgeIn(terms=f"{j.username} 判决主文", on_spot=True))
            results.append("ok")
        except Conflict:
            results.append("409")
        finally:
            connections.close_all()
    threads = [threading.Thread(target=run, args=(j,)) for j in judges]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["409", "ok"]
    assert CaseLog.objects.filter(kind=CaseKind.CIVIL, case_id=case.pk, action=dc.CivilAction.JUDGE).count() == 1
