"""诉调对接 from the mediation side: on a failed case's page its committee's mediator finds
「诉调对接·转法院速裁」, sends the case to the court once (a second send changes nothing), and then
reads what became of it there; nobody else is offered the button or gets a case made."""
from __future__ import annotations

from django.test import Client

from gongzhi.court.models import CivilCase
from gongzhi.domain import court as dc
from gongzhi.domain.mediation import CaseStatus, Referral

BUTTON = "诉调对接·转法院速裁"


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _committee(district):
    """A failed 金融借贷 mediation (¥80,000) and a mediator of the committee that handled it."""
    from gongzhi.demo.court import failed_mediation
    from gongzhi.mediation.models import Mediator
    m = failed_mediation(district)
    Mediator.objects.create(org=m.organisation, user=district.users["med11"], name="调解员")
    return m, _client(district.users["med11"])


def test_the_committee_sends_a_failed_case_once_and_reads_its_court_case(court_staff, district):
    m, c = _committee(district)
    page = f"/mediation/{m.pk}/"
    assert BUTTON in c.get(page).content.decode()
    r = c.post("/court/intake", {"mediation_case": m.pk, "next": page})
    assert r.status_code == 302 and r["Location"] == page
    case = CivilCase.objects.get(mediation=m)
    assert (case.status, case.mediated, case.amount_fen) == (dc.CivilStatus.REGISTERED, True, 8_000_000)
    assert case.created_by == district.users["med11"] and case.facts == m.facts
    assert [p.name for p in case.parties.order_by("id")] == ["王建国", "李明华"]
    after = c.get(page).content.decode()
    assert BUTTON not in after and case.number in after and "已登记·待分流" in after
    # a second send (a double click, a stale page) makes no second case
    again = c.post("/court/intake", {"mediation_case": m.pk, "next": page}, follow=True).content.decode()
    assert CivilCase.objects.filter(mediation=m).count() == 1 and case.number in again


def test_no_button_for_an_open_case_nor_outside_the_committee(court_staff, district):
    m, c = _committee(district)
    m.status, m.referral = CaseStatus.MEDIATING, ""
    m.save()
    assert BUTTON not in c.get(f"/mediation/{m.pk}/").content.decode()
    m.status, m.referral = CaseStatus.FAILED, Referral.ARBITRATION     # guided to arbitration, not to court
    m.save()
    assert BUTTON not in c.get(f"/mediation/{m.pk}/").content.decode()
    m.referral = Referral.LITIGATION
    m.save()
    # the county's centre reads the case (its area) but is not the committee: no button, no case
    county = _client(district.users["county"])
    r = county.get(f"/mediation/{m.pk}/")
    assert r.status_code == 200 and BUTTON not in r.content.decode()
    county.post("/court/intake", {"mediation_case": m.pk, "next": f"/mediation/{m.pk}/"})
    assert not CivilCase.objects.filter(mediation=m).exists()


def test_the_way_back_is_a_page_of_this_site(court_staff, district):
    m, c = _committee(district)
    r = c.post("/court/intake", {"mediation_case": m.pk, "next": "//evil.example/x"})
    assert r.status_code == 302 and "evil.example" not in r["Location"]
