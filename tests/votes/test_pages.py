"""The 出卷票决 pages as residents and staff use them (phone first; the services behind them are
tested in test_ballots)."""
import re

import pytest
from django.test import Client

from gongzhi.votes.models import Ballot


def client(user):
    c = Client()
    c.force_login(user)
    return c


def test_resident_votes_on_the_page_and_gets_a_receipt(votes_demo):
    v = votes_demo
    c = client(v["voters"][4])
    p = v["voting"]
    page = c.get(f"/votes/{p.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "确认投票" in html and 'name="option"' in html
    key = re.search(r'name="client_key" value="([0-9a-f]+)"', html).group(1)
    r = c.post(f"/votes/{p.pk}/ballot", {"option": "1", "client_key": key})
    assert r.status_code == 200
    receipt = re.search(r'class="receipt">([0-9A-Z-]{14})<', r.content.decode()).group(1)
    assert Ballot.objects.filter(proposal=p, receipt=receipt).exists()
    again = c.post(f"/votes/{p.pk}/ballot", {"option": "2", "client_key": key})      # a resubmitted form
    assert Ballot.objects.filter(proposal=p).count() == 5       # the demo's 4 and this one
    assert receipt in again.content.decode()
    assert "确认投票" not in c.get(f"/votes/{p.pk}/").content.decode()
    check = c.get(f"/votes/{p.pk}/receipts", {"receipt": receipt.lower()})
    assert "您的选票已被计入" in check.content.decode()


def test_staff_page_offers_steps_and_no_ballot_contents(votes_demo):
    v = votes_demo
    c = client(v["staff"])
    html = c.get(f"/votes/{v['voting'].pk}/").content.decode()
    assert "代投" in html and "录入纸质票" in html and "计票并公布结果" not in html     # the window is open
    decided = c.get(f"/votes/{v['decided'].pk}/").content.decode()
    assert "表决通过" in decided and "83.33%" in decided
    listing = c.get(f"/votes/{v['decided'].pk}/receipts").content.decode()
    assert listing.count('class="receipt"') >= 15
    r = c.get(f"/votes/{v['decided'].pk}/notice.docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert c.get("/votes/").status_code == 200 and c.get("/votes/new").status_code == 200


def test_comment_and_moderation_on_the_page(votes_demo):
    v = votes_demo
    p = v["opinion"]
    resident = client(v["voters"][3])
    r = resident.post(f"/votes/{p.pk}/comment", {"text": "夜间\x1b充电", "client_key": "k" * 16})
    assert r.status_code == 302
    assert "夜间" not in resident.get(f"/votes/{p.pk}/").content.decode()
    resident.post(f"/votes/{p.pk}/comment", {"text": "建议设置两个出入口", "client_key": "j" * 16})
    html = client(v["voters"][0]).get(f"/votes/{p.pk}/").content.decode()
    assert "建议设置两个出入口" in html and "广告信息，与议题无关" in html and "加微信" not in html


@pytest.mark.parametrize("who", ["comm12", "grid121", "resident_outside"])
def test_outsiders_get_404(votes_demo, district, who):
    from django.contrib.auth import get_user_model
    user = district.users.get(who) or get_user_model().objects.create(username=who)
    c = client(user)
    assert c.get(f"/votes/{votes_demo['decided'].pk}/").status_code == 404
    assert c.get(f"/votes/{votes_demo['decided'].pk}/notice.docx").status_code == 404


def test_english_pages(votes_demo):
    c = client(votes_demo["voters"][4])
    c.cookies["django_language"] = "en"
    html = c.get(f"/votes/{votes_demo['voting'].pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Cast my vote" in html and "Voting rule" in html and "确认投票" not in html
    r = c.post(f"/votes/{votes_demo['voting'].pk}/ballot", {"option": "9", "client_key": "x" * 16},
               HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "No such option" in r.content.decode()
