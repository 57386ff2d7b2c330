"""The desk's count stops past a cap (web.paging, issue 18): exact up to the cap, "more than" past it."""
from django.test import Client

from gongzhi.areas.models import Area
from gongzhi.web import paging
from gongzhi.web.paging import CappedPaginator

from ..conftest import report_payload


def test_the_count_is_exact_up_to_the_cap_and_capped_one_past_it(district):
    n = Area.objects.count()
    assert n > 5
    exact = CappedPaginator(Area.objects.order_by("id"), 2, cap=n)
    assert (exact.count, exact.capped, exact.num_pages) == (n, False, (n + 1) // 2)
    over = CappedPaginator(Area.objects.order_by("id"), 2, cap=n - 1)
    assert (over.count, over.capped, over.num_pages) == (n - 1, True, n // 2)
    assert [a.id for a in over.page(1)] == list(Area.objects.order_by("id").values_list("id", flat=True)[:2])


def test_the_desk_says_more_than_past_the_cap(district, as_user, monkeypatch):
    for _ in range(3):
        as_user("resident1").post("/events", report_payload(district, 0))
    c = Client()
    c.force_login(district.users["county"])
    total = c.get("/desk/").context["page"].paginator.count
    monkeypatch.setattr(paging, "CAP", total)
    page = c.get("/desk/").content.decode()
    assert f"共 {total} 件" in page and "超过" not in page
    monkeypatch.setattr(paging, "CAP", total - 1)
    page = c.get("/desk/").content.decode()
    assert f"超过 {total - 1} 件，请缩小检索范围" in page
