"""并单 and 拆单: duplicates suggested with reasons, merged repeats follow the main order's answer
and closing (every reporter is answered), a split makes a linked order of its own."""
import json

import pytest
from django.test import Client

from gongzhi.core.errors import Invalid, NotFound
from gongzhi.events import duplicates, intake, services
from gongzhi.events.models import Event, EventAction

from ..conftest import point_in


def report(district, user, description, grid=0, dlon=0.0, **over):
    lon, lat = point_in(district, grid)
    return intake.event_report(actor=district.users[user], data=intake.ReportInput(
        kind=over.pop("kind", "complaint"), category=over.pop("category", "urban-appearance"),
        description=description, lon=lon + dlon, lat=lat, **over))[0]


def test_duplicates_are_suggested_with_reasons(district):
    a = report(district, "resident1", "胜利路口垃圾桶满了好几天没人清运，臭味很大")
    b = report(district, "resident2", "胜利路口的垃圾桶满了好几天都没人清运", dlon=0.0005)      # ~50 m away
    c = report(district, "resident3", "胜利路口垃圾桶满了好几天没人清运", grid=3)                 # another grid
    d = report(district, "resident3", "小区里有人遛狗不牵绳", dlon=0.0003)                    # same place, other matter
    # another category
    e = report(district, "resident2", "楼上漏水泡坏了天花板", category="dispute-neighbour", kind="dispute")
    found = duplicates.candidates(district.users["town1"], a)
    numbers = [x["number"] for x in found]
    assert numbers[0] == b.number and c.number not in numbers and d.number not in numbers and e.number not in numbers
    assert "相距" in found[0]["reason"] and "描述相似" in found[0]["reason"]
    # The API shows the same to a centre, and nothing out of scope to another township.
    c1 = Client()
    c1.force_login(district.users["town1"])
    assert [x["number"] for x in json.loads(c1.get(f"/api/events/{a.id}/duplicates").content)] == numbers


def test_merged_repeat_follows_the_main_order_to_the_answer_and_close(district):
    town, worker = district.users["town1"], district.users["grid111"]
    main = report(district, "resident1", "胜利路口垃圾桶满了好几天没人清运")
    repeat = report(district, "resident2", "胜利路口垃圾桶满了好几天都没人清运")
    with pytest.raises(Invalid):
        services.event_merge(actor=town, event_id=repeat.id, into=repeat.number, reason="重复")
    services.event_merge(actor=town, event_id=repeat.id, into=main.number, reason="同一事项重复反映")
    repeat.refresh_from_db()
    assert repeat.status == "merged" and repeat.merged_into == main
    for call in (services.event_accept, services.event_dispatch):
        call(actor=town, event_id=main.id)
    services.event_sign(actor=worker, event_id=main.id)
    services.event_resolve(actor=worker, event_id=main.id, result="已清运")
    services.event_verify(actor=town, event_id=main.id, passed=True)
    services.event_answer(actor=town, event_id=main.id, answer="垃圾已清运，感谢反映")
    repeat.refresh_from_db()
    assert repeat.status == "answered" and repeat.answer == "垃圾已清运，感谢反映"
    assert EventAction.objects.filter(event=repeat, action="follow").count() == 1
    # The repeat's own reporter rates their report; closing the main closes the repeat too.
    services.event_revisit(actor=district.users["resident2"], event_id=repeat.id, satisfaction=5)
    services.event_close(actor=town, event_id=main.id)
    repeat.refresh_from_db()
    assert repeat.status == "closed" and repeat.satisfaction == 5


def test_split_makes_a_linked_order(district):
    town = district.users["town1"]
    ev = report(district, "resident1", "门口垃圾没人清运，另外隔壁工地夜间施工噪音很大")
    child = services.event_split(actor=town, event_id=ev.id, category="urban-stall",
                                 description="隔壁工地夜间施工噪音很大")
    assert child.split_from == ev and child.category.code == "urban-stall" and child.reporter == ev.reporter
    assert child.area == ev.area and child.status == "reported"
    last = EventAction.objects.filter(event=ev, action="split").get()
    assert last.data == {"child": child.number}
    with pytest.raises(NotFound):
        services.event_split(actor=district.users["grid121"], event_id=ev.id, category="urban-stall",
                             description="越权拆单")
    assert Event.objects.count() == 2


def test_merge_and_split_from_the_event_page(district):
    town = Client()
    town.force_login(district.users["town1"])
    a = report(district, "resident1", "胜利路口垃圾桶满了好几天没人清运")
    b = report(district, "resident2", "胜利路口垃圾桶满了好几天都没人清运")
    page = town.get(f"/e/{b.id}/").content.decode()
    assert "可能重复" in page and a.number in page and f'value="{a.number}"' in page
    r = town.post(f"/e/{b.id}/do/merge", {"into": "NOPE", "reason": "重复"})
    assert r.status_code == 422 and "找不到事件" in r.content.decode()
    assert town.post(f"/e/{b.id}/do/merge", {"into": a.number, "reason": "重复反映"}).status_code == 302
    assert "本件已并入主单" in town.get(f"/e/{b.id}/").content.decode()
    r = town.post(f"/e/{a.id}/do/split", {"category": "urban-stall", "description": "另有占道经营问题"})
    assert r.status_code == 302 and Event.objects.filter(split_from=a).count() == 1


def test_a_failure_while_repeats_follow_leaves_the_main_order_unanswered(district, monkeypatch):
    """并单 is atomic: the main order's answer and its repeats' follow rows land together or not at all."""
    town, worker = district.users["town1"], district.users["grid111"]
    main = report(district, "resident1", "胜利路口垃圾桶满了好几天没人清运")
    first = report(district, "resident2", "胜利路口垃圾桶满了好几天都没人清运")
    second = report(district, "resident3", "胜利路口垃圾桶满了，好几天没人清运")
    for repeat in (first, second):
        services.event_merge(actor=town, event_id=repeat.id, into=main.number, reason="同一事项重复反映")
    for call in (services.event_accept, services.event_dispatch):
        call(actor=town, event_id=main.id)
    services.event_sign(actor=worker, event_id=main.id)
    services.event_resolve(actor=worker, event_id=main.id, result="已清运")
    services.event_verify(actor=town, event_id=main.id, passed=True)
    real_save = EventAction.save
    calls = []

    def fail_on_second_follow(row, *args, **kw):
        if row.action == "follow":
            calls.append(row.event_id)
            if len(calls) == 2:
                raise RuntimeError("disk full")
        return real_save(row, *args, **kw)
    monkeypatch.setattr(EventAction, "save", fail_on_second_follow)
    with pytest.raises(RuntimeError):
        services.event_answer(actor=town, event_id=main.id, answer="垃圾已清运，感谢反映")
    assert len(calls) == 2           # it failed half-way through the repeats
    for ev in (main, first, second):
        ev.refresh_from_db()
    assert main.status == "verified" and main.answer == ""
    assert first.status == second.status == "merged" and first.answer == second.answer == ""
    assert not EventAction.objects.filter(action__in=["answer", "follow"]).exists()
