"""社区矫正 on the statistics page and the big screen: the counts of the demo's files, and who sees
them (ADR 0016: counts only, for corrections staff, prosecutors and the county's leaders — not a
township's centre, not the system administrator).  Tests run on Monday 2026-11-02 09:00.

The expected numbers come from the fixture's shape (gongzhi.demo.corrections.SHAPE, 16 subjects),
written out here: 3 plain 在矫 + 1 due to end + 2 脱管 since 5 days + 1 脱管 since 13 days + 1
变更执行地 pending are under supervision (8); 2 待报到, 2 待宣告, 2 released, 1 terminated (death)
are not."""
from __future__ import annotations

import re

import pytest
from django.test import Client

from gongzhi.corrections import services as s
from gongzhi.corrections.clocks import flag_missed
from gongzhi.corrections.inputs import TerminateIn
from gongzhi.domain import corrections as dc
from gongzhi.ops.sweep import sweep_cases
from gongzhi.stats.corrections import subjects_for

from ..conftest import sh

PERIOD = {"start": "2026-10-01", "end": "2026-11-02"}


def _page(district, username, path="/stats/", **params):
    c = Client()
    c.force_login(district.users[username])
    r = c.get(path, {**PERIOD, **params})
    return r.status_code, r.content.decode()


def _n(page: str, ident: str) -> int:
    return int(re.search(rf'id="{ident}">(\d+)<', page).group(1))


def test_the_county_leader_reads_the_files_counts(corr, district):
    _, page = _page(district, "county")
    assert _n(page, "kpi-corr-active") == 8
    # 脱管 days count the first day: since 28 Oct → 6 days (two of them), since 20 Oct → 14.
    assert _n(page, "kpi-corr-absconded") == 3 and _n(page, "kpi-corr-absconded-days") == 6 + 6 + 14
    assert _n(page, "kpi-corr-oversight") == 1 and _n(page, "kpi-corr-oversight-overdue") == 0
    assert _n(page, "kpi-corr-revoked") == 0              # the one terminated file ended by death
    assert _n(page, "kpi-corr-documents-late") == 0       # nothing flagged until the sweep says so


def test_the_figures_follow_the_files(corr, district):
    # The 待报到 file received 14 days ago (decided 17 Oct, documents due Tue 27 Oct) is late; the
    # one received 3 days ago (due Mon 9 Nov) is not.
    flag_missed()
    active = corr["subjects"]["active"][0]
    s.terminate(actor=district.users["sqjz"], subject_id=active.pk, data=TerminateIn(
        end_reason=dc.EndReason.REVOKED, reason="人民法院裁定撤销缓刑"))
    _, page = _page(district, "supervisor")
    assert _n(page, "kpi-corr-documents-late") == 1
    assert _n(page, "kpi-corr-revoked") == 1 and _n(page, "kpi-corr-active") == 7
    _, before = _page(district, "supervisor", start="2026-10-01", end="2026-10-31")
    assert _n(before, "kpi-corr-revoked") == 0            # revoked today: not in October's figures
    # The 检察建议 issued 31 Oct has two months to be answered: overdue once that has passed.
    sweep_cases(now=sh(2027, 1, 4, 9))
    _, screen = _page(district, "county", "/stats/screen/panel")
    assert _n(screen, "c-corr-oversight") == 1 and _n(screen, "c-corr-absconded") == 3
    _, page = _page(district, "county")
    assert _n(page, "kpi-corr-oversight-overdue") == 1


def test_the_big_screen_shows_them_too(corr, district):
    status, page = _page(district, "county", "/stats/screen/")
    assert status == 200
    assert _n(page, "c-corr-active") == 8 and _n(page, "c-corr-documents-late") == 0


@pytest.mark.parametrize("username", ["admin", "town1"])
def test_nobody_else_sees_them(corr, district, username):
    # The system administrator reads no file and sees no count; a township's counts could name a person.
    for path in ("/stats/", "/stats/screen/panel"):
        status, page = _page(district, username, path)
        assert status == 200 and "corr-" not in page


def test_not_below_the_county_even_for_its_leader(corr, district):
    _, page = _page(district, "county", area=district.townships[0].code)
    assert "kpi-corr-" not in page


def test_corrections_staff_and_prosecutors_count_their_counties(corr, district):
    county = district.county
    for username in ("sqjz", "sfs1", "jcg1"):
        assert subjects_for(district.users[username], county).count() == 16
    assert subjects_for(district.users["resident1"], county) is None
