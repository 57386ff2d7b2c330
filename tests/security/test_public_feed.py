"""The public feed's SQL (Open311's _public) says what domain.privacy.publishable says, for every
kind × opted-in category × confidential flag; and a deleted reporter account does not bring the
reporter's real name back onto the timeline."""
import itertools

from gongzhi.api.open311 import _public
from gongzhi.domain.enums import EventKind
from gongzhi.domain.privacy import publishable
from gongzhi.events import intake
from gongzhi.events.models import Category, Event

from ..conftest import Api, point_in, report_payload


def test_the_feed_query_and_the_policy_agree(district):
    lon, lat = point_in(district, 0)
    expected = {}
    for kind, opted_in, confidential in itertools.product(EventKind, (True, False), (True, False)):
        code = "urban-appearance" if opted_in else "order"      # the demo opts one in, not the other
        ev, _ = intake.event_report(actor=district.users["comm11"], data=intake.ReportInput(
            kind=kind, category=code, description=f"{kind} {opted_in} {confidential}", lon=lon, lat=lat,
            channel="walk_in"))
        Event.objects.filter(pk=ev.pk).update(confidential=confidential)
        expected[ev.pk] = publishable(kind, category_public=opted_in, confidential=confidential)
    assert Category.objects.get(code="urban-appearance").public and not Category.objects.get(code="order").public
    published = set(_public().filter(pk__in=expected).values_list("pk", flat=True))
    assert published == {pk for pk, ok in expected.items() if ok}
    # 8 kinds × 2 × 2 = 32 cases; the policy publishes 5 kinds × opted in × not confidential
    assert len(expected) == 32 and len(published) == 5


def test_a_deleted_account_does_not_unmask_its_rows(district):
    resident = district.users["resident1"]
    s, ev = Api(resident).post("/events", report_payload(district, kind="tip_off", category="urban-build",
                                                         description="楼顶违章搭建", reporter_name="赵德明"))
    assert s == 201
    resident.delete()          # PIPL: a resident may have their account removed
    s, seen = Api(district.users["comm11"]).get(f"/events/{ev['id']}")
    assert s == 200 and seen["timeline"][0]["actor"] == "举报人"
    assert "赵德明" not in str(seen) and resident.username not in str(seen)
