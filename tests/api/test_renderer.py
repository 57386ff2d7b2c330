"""The orjson renderer writes the same JSON as the stdlib encoder for every kind of value we send,
and every aware datetime in Shanghai time."""
import json
import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.utils.translation import gettext_lazy
from ninja.renderers import JSONRenderer

from gongzhi.api.renderer import FastJSONRenderer, LocalTimeEncoder
from gongzhi.domain.calendar import SHANGHAI
from gongzhi.domain.enums import Status


def both(data):
    fast = FastJSONRenderer().render(None, data, response_status=200)
    slow = json.dumps(data, cls=LocalTimeEncoder)
    return json.loads(fast), json.loads(slow), fast


def test_every_value_kind_reads_the_same():
    data = {
        "at": datetime(2026, 11, 2, 9, 30, 15, 123456, tzinfo=SHANGHAI),
        "utc": datetime(2026, 11, 2, 1, 0, tzinfo=UTC),
        "naive": datetime(2026, 11, 2, 9, 0),
        "day": date(2026, 10, 1), "clock": time(23, 59, 59, 999999),
        "money": Decimal("56000.50"), "id": uuid.UUID(int=7), "status": Status.HANDLING,
        "label": gettext_lazy("事件"), "text": "小区门口垃圾堆积", "none": None, "flag": True,
        "nested": [{"at": datetime(2027, 1, 1, tzinfo=SHANGHAI), "n": 1.5}], "empty": {},
    }
    fast, slow, raw = both(data)
    assert fast == slow
    assert fast["at"] == "2026-11-02T09:30:15.123+08:00"         # Django's milliseconds, not orjson's µs
    assert fast["utc"] == "2026-11-02T09:00:00+08:00" and fast["status"] == "handling"   # UTC → Shanghai
    assert fast["naive"] == "2026-11-02T09:00:00" and fast["day"] == "2026-10-01"
    # Apart from the time zone, what ninja's own renderer wrote.
    stock = json.loads(JSONRenderer().render(None, data, response_status=200))
    assert {k: v for k, v in stock.items() if k != "utc"} == {k: v for k, v in fast.items() if k != "utc"}
    assert "小区门口".encode() in raw                              # UTF-8, not \u escapes


def test_what_orjson_refuses_falls_back_to_the_stdlib():
    for data in ({"big": 10**30}, {1: "integer key"}):
        fast, slow, _ = both(data)
        assert fast == slow


def test_not_a_number_leaves_as_null():
    """The stdlib would write NaN, which is not JSON; orjson writes null."""
    assert FastJSONRenderer().render(None, [float("nan")], response_status=200) == b"[null]"


def test_the_active_time_zone_is_read_per_response():
    """The zone is looked up once per response: a zone activated for a request still applies, to
    every datetime of a long list, exactly as the stdlib encoder writes it."""
    from django.utils import timezone
    data = [{"at": datetime(2026, 11, 2, 1, minute, 5, 250000 * (minute % 2), tzinfo=UTC)}
            for minute in range(60)]
    for zone, suffix in (("Asia/Urumqi", "+06:00"), ("UTC", "Z"), ("Asia/Shanghai", "+08:00")):
        with timezone.override(zone):
            fast, slow, _ = both(data)
        assert fast == slow
        assert all(row["at"].endswith(suffix) for row in fast)
    assert fast[1]["at"] == "2026-11-02T09:01:05.250+08:00"


def test_datetimes_read_as_djangos_encoder_writes_them():
    """The renderer writes each datetime itself (isoformat, milliseconds truncated, Z for UTC):
    Django's text for every fraction and offset, including one object written twice."""
    from zoneinfo import ZoneInfo

    from django.core.serializers.json import DjangoJSONEncoder
    from django.utils import timezone
    stdlib = DjangoJSONEncoder()
    moments = [datetime(2026, 11, 2, 1, 2, 3, micro, tzinfo=UTC) for micro in (0, 1, 999, 1000, 123456, 999999)]
    moments += [datetime(1950, 6, 1, 12, tzinfo=UTC), datetime(2026, 3, 29, 0, 59, 59, 500000, tzinfo=UTC)]
    for zone in ("Asia/Shanghai", "UTC", "Asia/Kathmandu", "America/St_Johns", "Europe/Amsterdam"):
        with timezone.override(zone):
            text = json.loads(FastJSONRenderer().render(None, {"m": moments, "again": moments[4]},
                                                        response_status=200))
        expected = [stdlib.default(m.astimezone(ZoneInfo(zone))) for m in moments]
        assert text == {"m": expected, "again": expected[4]}, zone
    assert expected[0] == "2026-11-02T02:02:03+01:00" and expected[3] == "2026-11-02T02:02:03.001+01:00"


def test_the_response_ninja_makes_per_call_is_an_empty_json_response_once_used():
    """PendingResponse stands for ninja's HttpResponse("", content_type=...): whatever a view or
    ninja reads or writes on it behaves as on that response."""
    from django.http import HttpResponse

    from gongzhi.api.renderer import PendingResponse
    kind = "application/json; charset=utf-8"
    pending, plain = PendingResponse(kind), HttpResponse("", content_type=kind)
    assert pending.status_code == plain.status_code == 200 and pending.charset == plain.charset
    assert pending.content == plain.content == b"" and list(pending.items()) == list(plain.items())
    assert pending.serialize() == plain.serialize() and pending.reason_phrase == "OK"
    for r in (pending, plain):
        r.status_code = 201
        r["X-Extra"] = "1"
        r.set_cookie("seen", "1")
        r.content = b'{"a":1}'
    assert pending.serialize() == plain.serialize() and pending.cookies["seen"].value == "1"
    assert PendingResponse(kind).cookies == {} and not hasattr(PendingResponse(kind), "no_such_attribute")
