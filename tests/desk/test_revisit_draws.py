"""随机抽查回访 end to end: the day's draw (all complaints, the configured share of the rest, the
seed stored, drawn once), the call list for centre staff, and the result recorded through the 回访
service so it counts in 满意率."""
from datetime import date

from django.core.management import call_command
from django.test import Client

from gongzhi.domain import revisit as rules
from gongzhi.domain.enums import Status
from gongzhi.events import revisit
from gongzhi.events.models import Category, Event, RevisitDraw, RevisitPick, RevisitShare
from tests.api.test_loop import _walk_to
from tests.conftest import report_payload

DAY = date(2026, 11, 2)     # the tests' Monday: events answered today are that day's pool


def _answered(district, as_user, n, kind):
    ids = []
    for _ in range(n):
        s, ev = as_user("resident1").post("/events", report_payload(district, 0, kind=kind))
        assert s in (200, 201), ev
        _walk_to("answered", ev["id"], as_user)
        ids.append(ev["id"])
    return ids


def test_draw_complaints_all_share_of_the_rest_reproducible(district, as_user):
    complaints = _answered(district, as_user, 2, "complaint")
    helps = _answered(district, as_user, 4, "help")
    # 25 % of the 4 help requests of this category (handled by grid 1) → 1.
    RevisitShare.objects.create(category=Category.objects.get(code="urban-appearance"), percent=25)
    RevisitShare.objects.create(percent=0)       # default: none
    d, created = revisit.revisit_draw(day=DAY)
    assert created and d.candidates == 6
    picks = list(d.picks.order_by("event_id").values_list("event_id", "reason"))
    assert [p for p in picks if p[1] == rules.PickReason.COMPLAINT] == [(i, "complaint") for i in complaints]
    sampled = [i for i, r in picks if r == rules.PickReason.SAMPLED]
    assert len(sampled) == 1 and sampled[0] in helps
    # The seed is the day's and the configuration's, stored with the draw; re-drawing the rules
    # from what is stored gives the same list.
    shares, default = revisit.configuration()
    assert d.config == rules.config_key(shares, default) and d.seed == rules.seed_for(DAY, d.config)
    again = rules.draw(revisit.candidates(DAY), shares, default, d.seed)
    assert [(p.event_id, p.reason.value) for p in again] == picks
    # A day is drawn once: the command reports the stored draw.
    d2, created = revisit.revisit_draw(day=DAY)
    assert not created and d2.pk == d.pk and RevisitDraw.objects.count() == 1


def test_command_draws_a_day(district, as_user, capsys):
    _answered(district, as_user, 1, "complaint")
    call_command("revisit_draw", "--date", "2026-11-02")
    assert "drawn, seed" in capsys.readouterr().out
    assert RevisitPick.objects.count() == 1
    call_command("revisit_draw", "--date", "2026-11-02")
    assert "already drawn" in capsys.readouterr().out


def test_page_lists_and_records_the_call_into_satisfaction(district, as_user):
    [i] = _answered(district, as_user, 1, "complaint")
    revisit.revisit_draw(day=DAY)
    pick = RevisitPick.objects.get()
    c = Client()
    c.force_login(district.users["comm11"])
    html = c.get("/revisits/").content.decode()
    assert Event.objects.get(pk=i).number in html and "投诉件全部回访" in html
    assert c.post(f"/revisits/{pick.pk}/record", {"satisfaction": "9"}).status_code == 302
    assert RevisitPick.objects.get().called_at is None              # refused: not 1–5
    r = c.post(f"/revisits/{pick.pk}/record", {"satisfaction": "2", "note": "仍有异味"})
    assert r.status_code == 302
    ev = Event.objects.get(pk=i)
    assert ev.status == Status.REVISITED and ev.satisfaction == 2    # the 回访 service: feeds 满意率
    pick.refresh_from_db()
    assert pick.satisfaction == 2 and pick.called_by == district.users["comm11"]
    # Recorded once.
    c.post(f"/revisits/{pick.pk}/record", {"satisfaction": "5"})
    assert Event.objects.get(pk=i).satisfaction == 2
    assert Event.objects.get(pk=i).number in c.get("/revisits/?done=1").content.decode()


def test_only_centre_staff_in_scope(district, as_user):
    _answered(district, as_user, 1, "complaint")
    revisit.revisit_draw(day=DAY)
    pick = RevisitPick.objects.get()
    for username, status in [("grid111", 404), ("resident1", 404), ("dept_cg", 404), ("supervisor", 404)]:
        c = Client()
        c.force_login(district.users[username])
        assert c.get("/revisits/").status_code == status, username
        assert c.post(f"/revisits/{pick.pk}/record", {"satisfaction": "4"}).status_code == status, username
    c = Client()
    c.force_login(district.users["comm21"])          # another township's community: not its event
    assert Event.objects.get(pk=pick.event_id).number not in c.get("/revisits/").content.decode()
    assert c.post(f"/revisits/{pick.pk}/record", {"satisfaction": "4"}).status_code == 404
    assert Client().get("/revisits/").status_code == 302


def test_one_share_per_category_and_unit(district):
    import pytest
    from django.core.exceptions import ValidationError
    RevisitShare.objects.create(percent=10)
    with pytest.raises(ValidationError):
        RevisitShare(percent=20).full_clean()            # a second default
    cat = Category.objects.get(code="urban-appearance")
    RevisitShare(category=cat, percent=20).full_clean()  # a category's own share is fine
    with pytest.raises(ValidationError):
        RevisitShare(percent=20, department=district.departments["dept_cg"] if "dept_cg" in district.departments
                     else next(iter(district.departments.values())), area=district.grids[0]).full_clean()
    with pytest.raises(ValidationError):
        RevisitShare(percent=101).full_clean()
