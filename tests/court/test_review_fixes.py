"""民事速裁 after the cold review: bad element values refused (and old bad rows never a 500), the
rate cap's LPR of the loan's formation, a series confirmation re-checked on the locked row,
follow-the-lead drafts without the lead's 主文, the hearing record a draft, user text inert in
the .docx, the admin template given plain values, 诉调对接 within the court's area, and the
pages' numbers validated.  Tests run on Monday 2026-11-02 09:00 Shanghai."""
from __future__ import annotations

import io

import pytest
from docx import Document as Docx

from gongzhi.casework.documents import text_of
from gongzhi.casework.models import CaseKind, CaseLog, DocKind, Document, DocumentTemplate
from gongzhi.core.errors import Conflict, Invalid, NotFound
from gongzhi.court import selectors as sel, services as s
from gongzhi.court.inputs import BookIn, ElementsIn, IntakeIn, JudgeIn, PartyIn, RegisterIn
from gongzhi.court.models import CivilCase, Court, Member, Series
from gongzhi.domain import court as dc

from ..conftest import Api, sh

LOAN = {"lender": "王建国", "borrower": "李明华", "principal": "80000", "lent_on": "2026-03-01",
        "due_on": "2026-09-01", "rate": "10", "guarantee": dc.Guarantee.NONE.value,
        "repayments": [{"on": "2026-06-01", "amount": "5000"}]}


def _reg(court, key, *, facts="原告诉被告借款纠纷一案。", id_number="") -> CivilCase:
    case, _ = s.register(actor=court["users"]["clerk2"], data=RegisterIn(
        cause=dc.Cause.LOAN, facts=facts, claim="归还借款", amount="80000", client_key=key,
        parties=[PartyIn(side=dc.Litigant.PLAINTIFF, name="赵一", id_number=id_number),
                 PartyIn(side=dc.Litigant.DEFENDANT, name="钱二")]))
    return s.triage(actor=court["users"]["clerk1"], case_id=case.pk)


def _docs(case) -> dict:
    return {d.doc: d for d in Document.objects.filter(kind=CaseKind.CIVIL, case_id=case.pk)}


# ---- 1. a bad 明细 row ---------------------------------------------------------------------------

def test_a_bad_row_is_refused_with_a_422_naming_it_and_the_case_still_reads(court_staff):
    case = _reg(court_staff, "bad-row")
    api = Api(court_staff["users"]["clerk1"])
    status, body = api.post(f"/court/{case.pk}/elements", {"values": {**LOAN, "repayments": ["x"]}})
    assert status == 422 and "repayments" in body["fields"] and "已还款明细" in body["fields"]["repayments"]
    case.refresh_from_db()
    assert case.elements == {}
    assert api.get(f"/court/{case.pk}")[0] == 200
    # a bad percent and date: refused in Chinese, never Python's text
    status, body = api.post(f"/court/{case.pk}/elements", {"values": {**LOAN, "rate": "abc", "lent_on": "2026-13-01"}})
    assert status == 422 and set(body["fields"]) == {"rate", "lent_on"}
    assert "<class" not in str(body) and "Invalid" not in str(body) and "百分比格式不正确" in body["fields"]["rate"]


def test_rows_stored_before_the_refusal_are_skipped_not_a_500(court_staff):
    case = _reg(court_staff, "old-bad")
    CivilCase.objects.filter(pk=case.pk).update(elements={**LOAN, "repayments": ["x", 3, {"on": "2026-06-01",
                                                                                          "amount": "5000"}]})
    api = Api(court_staff["users"]["clerk1"])
    status, body = api.get(f"/court/{case.pk}")
    assert status == 200
    assert dict(body["elements"])["已还款明细"] == "还款日期 2026-06-01，还款金额 5,000.00 元"
    from django.test import Client
    c = Client()
    c.force_login(court_staff["users"]["clerk1"])
    r = c.get(f"/court/{case.pk}/")
    assert r.status_code == 200 and "2026-06-01 5000" in r.content.decode()


# ---- 2. the rate cap's LPR -------------------------------------------------------------------------

def test_the_cap_uses_the_lpr_when_the_loan_was_made(court_staff):
    # demo LPR table: 3.10 % from 2024-10-21, 3.00 % from 2025-05-20 (filing 2026-11-02: 3.00 %).
    # Lent 2025-01-01 at 12.4 %: 4 × 3.10 % = 12.4 % at formation, not above; at filing's 12 % it would be.
    case = _reg(court_staff, "lpr-moved")
    clerk = court_staff["users"]["clerk1"]
    ok = s.record_elements(actor=clerk, case_id=case.pk, data=ElementsIn(
        values={**LOAN, "lent_on": "2025-01-01", "due_on": "2025-06-01", "rate": "12.4", "repayments": []}))
    assert ok.findings == []
    over = s.record_elements(actor=clerk, case_id=case.pk, data=ElementsIn(
        values={**LOAN, "lent_on": "2025-01-01", "due_on": "2025-06-01", "rate": "12.41", "repayments": []}))
    assert [f["check"] for f in over.findings] == [dc.Check.RATE_ABOVE_CAP]
    assert "合同成立时（2025-01-01）一年期LPR 3.10%" in over.findings[0]["message"]


# ---- 3. a series confirmed twice at once ---------------------------------------------------------

def test_a_case_joined_to_a_series_meanwhile_refuses_the_second_confirmation(court_staff, monkeypatch):
    clerk = court_staff["users"]["clerk1"]
    a, b = _reg(court_staff, "sa"), _reg(court_staff, "sb")
    other = Series.objects.create(court=court_staff["court"], cause=dc.Cause.LOAN, respondent="钱二",
                                  confirmed_by=clerk, confirmed_at=a.registered_at)
    real = s._respondent

    def racing(case):       # another clerk's confirmation commits between the read and the writes
        CivilCase.objects.filter(pk=b.pk).update(series=other)
        return real(case)
    monkeypatch.setattr(s, "_respondent", racing)
    with pytest.raises(Conflict) as exc:
        s.confirm_series(actor=clerk, case_ids=[a.pk, b.pk])
    assert exc.value.code == "in_series"
    a.refresh_from_db()
    assert a.series_id is None and Series.objects.count() == 1      # the new series dropped whole


# ---- 4. following the lead -------------------------------------------------------------------------

def test_followers_drafts_keep_the_leads_terms_out_of_their_documents_and_follow_once(court):
    lead, series, clerk = court["lead"], court["series"], court["users"]["clerk1"]
    lead.refresh_from_db()
    followers = list(CivilCase.objects.filter(series=series).exclude(pk=lead.pk).order_by("id"))
    for c in followers:
        assert c.follow_draft["terms"] == lead.terms and c.follow_draft["terms_label"] == "参照示范案件主文"
        # none was heard: no 判决书, not even a draft
        assert c.heard_at is None and DocKind.CIVIL_JUDGMENT not in _docs(c)
    logs = CaseLog.objects.filter(kind=CaseKind.CIVIL, action=dc.CivilAction.FOLLOW).count()
    assert s.follow_lead(actor=clerk, series_id=series.pk) == []          # a second call: nothing again
    assert CaseLog.objects.filter(kind=CaseKind.CIVIL, action=dc.CivilAction.FOLLOW).count() == logs
    # a follower heard, then drafted again: its 判决书 draft names its own parties, never the lead's 主文
    one = followers[0]
    CivilCase.objects.filter(pk=one.pk).update(follow_draft={})
    s.book(actor=clerk, case_id=one.pk, data=BookIn(start=sh(2026, 11, 20, 16), room="第二速裁法庭"))
    s.hear(actor=court["users"]["judge1"], case_id=one.pk)
    assert [c.pk for c in s.follow_lead(actor=clerk, series_id=series.pk)] == [one.pk]
    text = text_of(_docs(one)[DocKind.CIVIL_JUDGMENT].file.read())
    assert lead.terms not in text and lead.number in text
    lead_plaintiff = lead.parties.get(side=dc.Litigant.PLAINTIFF).name
    assert lead_plaintiff not in text and one.parties.get(side=dc.Litigant.PLAINTIFF).name in text


# ---- 5. the hearing record, a draft ------------------------------------------------------------------

def test_the_hearing_record_is_a_draft_asserting_nothing_and_findings_are_hints(court_staff):
    case = _reg(court_staff, "hear")
    clerk, judge = court_staff["users"]["clerk1"], court_staff["users"]["judge1"]
    s.record_elements(actor=clerk, case_id=case.pk, data=ElementsIn(values={**LOAN, "rate": "18"}))
    s.book(actor=clerk, case_id=case.pk, data=BookIn(start=sh(2026, 11, 5, 14), room="第一速裁法庭"))
    s.hear(actor=judge, case_id=case.pk)
    s.judge(actor=judge, case_id=case.pk, data=JudgeIn(terms="被告归还借款", awarded="80000"))
    docs = _docs(case)
    record = docs[DocKind.CIVIL_RECORD]
    assert record.title.endswith("（草稿）")
    texts = {k: text_of(d.file.read()) for k, d in docs.items()}
    for t in texts.values():
        assert "当事人对无争议要素予以确认" not in t and "上述要素经庭审核实" not in t
    judgment = texts[DocKind.CIVIL_JUDGMENT]
    hints = judgment.index("审查提示")
    reasons = judgment.index("本院认为")
    assert hints < judgment.index("超过合同成立时") < reasons          # the finding sits under 审查提示
    assert "超过" not in judgment[reasons:judgment.index("判决如下")]


# ---- 6. user text cannot reshape the .docx -----------------------------------------------------------

def test_bars_and_hashes_in_a_partys_text_stay_text(court_staff):
    case = _reg(court_staff, "inert", facts="借款事实如下：\n| 伪造 | 签名行\n# 伪标题\n 普通")
    s.book(actor=court_staff["users"]["clerk1"], case_id=case.pk,
           data=BookIn(start=sh(2026, 11, 5, 15), room="第一速裁法庭"))
    s.hear(actor=court_staff["users"]["judge1"], case_id=case.pk)
    d = Docx(io.BytesIO(_docs(case)[DocKind.CIVIL_RECORD].file.read()))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    assert not any("伪造" in c for c in cells)
    fake = [p for p in d.paragraphs if "伪标题" in p.text]
    assert fake and not any(r.bold for p in fake for r in p.runs)
    assert any("｜ 伪造 ｜ 签名行" in p.text for p in d.paragraphs)


# ---- 7. the admin's template reads plain values ---------------------------------------------------

def test_an_admin_template_cannot_reach_the_case_model(court_staff):
    case = _reg(court_staff, "tpl", id_number="350602199001011234")
    DocumentTemplate.objects.create(doc=DocKind.CIVIL_RECORD, title="笔录", body=(
        "案号 {{ c.number }}\nP[{{ c.created_by.password }}]\nI[{% for p in c.parties.all %}{{ p.id_number }}"
        "{% endfor %}]"))
    s.book(actor=court_staff["users"]["clerk1"], case_id=case.pk,
           data=BookIn(start=sh(2026, 11, 5, 16), room="第一速裁法庭"))
    s.hear(actor=court_staff["users"]["judge1"], case_id=case.pk)
    text = text_of(_docs(case)[DocKind.CIVIL_RECORD].file.read())
    assert case.number in text and "P[]" in text and "I[]" in text
    assert "350602199001011234" not in text and court_staff["users"]["clerk2"].password not in text


# ---- 8. 诉调对接 within the court's area ------------------------------------------------------------

def _far_court(district):
    """A court of another county, with its own clerk."""
    from django.contrib.auth import get_user_model

    from gongzhi.areas.models import Area
    from gongzhi.domain.enums import Level
    area = Area.objects.create(code="350603", name="龙文区", level=Level.COUNTY)
    far = Court.objects.create(code="fy-350603", name="漳州市龙文区人民法院", area=area,
                               avg_wage_fen=10_612_300, wage_year=2025)
    user = get_user_model().objects.create(username="far_clerk")
    Member.objects.create(court=far, user=user, role=dc.Cap.CLERK)
    return far, user


def test_another_courts_staff_neither_see_nor_take_in_the_mediation(court_staff, district):
    from gongzhi.demo.court import failed_mediation
    m = failed_mediation(district)
    far, far_clerk = _far_court(district)
    assert m in list(sel.waiting_mediations(court_staff["users"]["clerk1"]))
    assert list(sel.waiting_mediations(far_clerk)) == []
    with pytest.raises(NotFound):
        s.intake_from_mediation(actor=far_clerk, data=IntakeIn(mediation_case=m.pk))
    with pytest.raises(NotFound):       # nor by naming the court of the case's area
        s.intake_from_mediation(actor=far_clerk, data=IntakeIn(mediation_case=m.pk, court="fy-350602"))
    assert not CivilCase.objects.filter(mediation=m).exists()
    # the committee sends it to the court of its area, never to a court elsewhere
    from gongzhi.mediation.models import Mediator
    med = district.users["med11"]
    Mediator.objects.create(org=m.organisation, user=med, name="调解员")
    with pytest.raises(Invalid):
        s.intake_from_mediation(actor=med, data=IntakeIn(mediation_case=m.pk, court=far.code))
    case, created = s.intake_from_mediation(actor=med, data=IntakeIn(mediation_case=m.pk))
    assert created and case.court_id == court_staff["court"].pk


def test_a_mediation_not_guided_to_litigation_is_not_taken_in(court_staff, district):
    from gongzhi.demo.court import failed_mediation
    from gongzhi.domain.mediation import Referral
    m = failed_mediation(district)
    m.referral = next(r for r in Referral if r != Referral.LITIGATION)
    m.save()
    with pytest.raises(Conflict) as exc:
        s.intake_from_mediation(actor=court_staff["users"]["clerk1"], data=IntakeIn(mediation_case=m.pk))
    assert exc.value.code == "not_referred"


# ---- 9. the pages' numbers -----------------------------------------------------------------------

def test_the_pages_refuse_a_non_number_in_words(court_staff):
    from django.test import Client
    c = Client()
    c.force_login(court_staff["users"]["clerk1"])
    a, b = _reg(court_staff, "wa"), _reg(court_staff, "wb")
    series = s.confirm_series(actor=court_staff["users"]["clerk1"], case_ids=[a.pk, b.pk])
    r = c.post(f"/court/series/{series.pk}/lead", {"case": "abc"}, follow=True)
    assert r.status_code == 200 and "示范案件应为整数" in r.content.decode()
    r = c.post(f"/court/{a.pk}/book", {"start": "2026-11-05T14:00", "room": "第一速裁法庭", "minutes": "abc"})
    page = r.content.decode()
    assert r.status_code == 422 and "时长（分钟）应为整数" in page and "开庭时间格式不正确" not in page
    r = c.post(f"/court/{a.pk}/book", {"start": "2026-11-05T14:00", "room": "第一速裁法庭", "minutes": "5"})
    assert r.status_code == 422 and "开庭时间格式不正确" not in r.content.decode()
    r = c.post(f"/court/{a.pk}/elements", {"version": "x", "el-principal": "1"})
    assert r.status_code == 422 and "版本应为整数" in r.content.decode()


def test_the_lead_of_a_series_cannot_change_once_decided(court):
    lead, series, clerk = court["lead"], court["series"], court["users"]["clerk1"]
    lead.refresh_from_db()
    assert lead.status == dc.CivilStatus.CLOSED
    other = CivilCase.objects.filter(series=series).exclude(pk=lead.pk).first()
    with pytest.raises(Conflict, match="已结案"):
        s.set_lead(actor=clerk, series_id=series.pk, case_id=other.pk)
    series.refresh_from_db()
    assert series.lead_id == lead.pk


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_follow_calls_at_once_draft_each_follower_once(court):
    import threading

    from django.db import connection, connections
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is exercised on PostgreSQL")
    lead, series, clerk = court["lead"], court["series"], court["users"]["clerk1"]
    CivilCase.objects.filter(series=series).exclude(pk=lead.pk).update(follow_draft={})
    before = CaseLog.objects.filter(kind=CaseKind.CIVIL, action=dc.CivilAction.FOLLOW).count()
    barrier, drafted = threading.Barrier(2), []

    def run():
        try:
            barrier.wait()
            drafted.extend(c.pk for c in s.follow_lead(actor=clerk, series_id=series.pk))
        finally:
            connections.close_all()
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    followers = CivilCase.objects.filter(series=series).exclude(pk=lead.pk).count()
    assert sorted(drafted) == sorted(set(drafted)) and len(drafted) == followers
    assert CaseLog.objects.filter(kind=CaseKind.CIVIL, action=dc.CivilAction.FOLLOW).count() == before + followers
