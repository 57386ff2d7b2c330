"""民事速裁 on the statistics page: the share of cases and outcomes per track, and who sees them
(the court's team: their courts, with links into the desk; the county's leaders: counts only; not a
township's centre, not the system administrator).  Tests run on Monday 2026-11-02 09:00.

The expected numbers come from the demo court's shape (gongzhi.demo.court.build_court, small),
written out here — eleven cases registered today:
  小额速裁 6: 借贷 ¥20,000 (scheduled), 买卖 ¥15,000 (调解结案), four 物业 of ¥2,400–3,300 (the lead
             judged, three following it as drafts, still open);
  速裁 3:     交通事故 ¥86,000, 离婚 (no money, personal), the 借贷 ¥80,000 from the failed mediation;
  普通程序 1: 借贷 ¥900,000, above the 速裁 line: transferred (closed for the team, 转普通程序);
  诉前调解 1: 房屋租赁 ¥12,000, not yet mediated.
The test adds one case registered today and not yet triaged (counted apart) and one registered in
September (outside the period)."""
from __future__ import annotations

import re

import pytest
from django.test import Client

from gongzhi.court import services as s
from gongzhi.court.inputs import PartyIn, RegisterIn
from gongzhi.domain import court as dc

from ..conftest import sh

PERIOD = {"start": "2026-10-01", "end": "2026-11-02"}
SMALL, FAST, ORD, PRE = (t.value for t in (dc.Track.SMALL_CLAIMS, dc.Track.FAST, dc.Track.ORDINARY,
                                           dc.Track.PRE_MEDIATION))
JUDGMENT, MEDIATED, TRANSFERRED = dc.Outcome.JUDGMENT.value, dc.Outcome.MEDIATED.value, dc.Outcome.TRANSFERRED.value


@pytest.fixture
def figures(district):
    from gongzhi.demo.court import build_court
    court = build_court(district, small=True)
    clerk = court["users"]["clerk2"]
    for key, at in (("untriaged", None), ("september", sh(2026, 9, 15, 10))):
        s.register(actor=clerk, at=at, data=RegisterIn(
            cause=dc.Cause.LOAN, facts="原告诉被告借款纠纷一案。", amount="3000", client_key=key,
            parties=[PartyIn(side=dc.Litigant.PLAINTIFF, name="赵一"),
                     PartyIn(side=dc.Litigant.DEFENDANT, name="钱二")]))
    return court


def _page(user, **params):
    c = Client()
    c.force_login(user)
    r = c.get("/stats/", {**PERIOD, **params})
    return r.status_code, r.content.decode()


def _n(page: str, ident: str) -> int:
    return int(re.search(rf'id="{ident}">(\d+)%?<', page).group(1))


def _table(page: str) -> dict:
    return {t: (_n(page, f"court-{t}-cases"), _n(page, f"court-{t}-pct"), _n(page, f"court-{t}-closed"))
            for t in (SMALL, FAST, ORD, PRE)}


def test_the_county_leader_reads_the_counts_per_track(figures, district):
    status, page = _page(district.users["county"])
    assert status == 200
    # 6/11 = 54.5 %, 3/11 = 27.3 %, 1/11 = 9.1 %
    assert _table(page) == {SMALL: (6, 55, 2), FAST: (3, 27, 0), ORD: (1, 9, 1), PRE: (1, 9, 0)}
    assert (_n(page, f"court-{SMALL}-{JUDGMENT}"), _n(page, f"court-{SMALL}-{MEDIATED}")) == (1, 1)
    assert _n(page, f"court-{ORD}-{TRANSFERRED}") == 1 and _n(page, f"court-{FAST}-{JUDGMENT}") == 0
    assert _n(page, "court-total") == 11 and _n(page, "court-untriaged") == 1
    assert "/court/?track=" not in page                   # counts only: no way into the court's lists


def test_the_period_moves_the_figures(figures, district):
    _, page = _page(district.users["county"], start="2026-09-01", end="2026-09-30")
    assert _n(page, "court-total") == 0 and _n(page, "court-untriaged") == 1
    assert _table(page)[SMALL] == (0, 0, 0)


def test_the_courts_own_team_reads_them_with_links_to_its_desk(figures, district):
    status, page = _page(figures["users"]["clerk1"])
    assert status == 200                                  # no area role: the court's figures alone
    assert _table(page)[SMALL] == (6, 55, 2) and _n(page, "court-total") == 11
    assert f'href="/court/?track={FAST}"' in page
    assert "kpi-reported" not in page                     # not the county's event figures


@pytest.mark.parametrize("username", ["admin", "town1"])
def test_nobody_else_sees_them(figures, district, username):
    status, page = _page(district.users[username])
    assert status == 200 and "court-" not in page


def test_not_below_the_county_even_for_its_leader(figures, district):
    _, page = _page(district.users["county"], area=district.townships[0].code)
    assert "court-total" not in page
