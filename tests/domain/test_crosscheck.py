"""倒逼 matcher: the same matter in other words matches; another object, another house number or
another landmark does not; only earlier reports inside the window, in the same or a neighbouring
grid, count."""
import gc

from gongzhi.domain.crosscheck import Index, Reader, Record, check

DAY = 86_400.0
READER = Reader(roads=["胜利路", "延安路"], landmarks=["菜市场东门", "汽车站", "人民公园"])
REPORTS = [
    Record(1, 10, "urban", 100 * DAY, "巡查发现胜利路12号菜市场东门路灯不亮，已拍照上报。"),
    Record(2, 10, "urban", 101 * DAY, "胜利路15号菜市场东门井盖松动，请相关部门处理。"),
    Record(3, 10, "urban", 90 * DAY, "胜利路3号菜市场东门垃圾桶满溢，请相关部门处理。"),
    Record(4, 11, "urban", 99 * DAY, "巡查发现延安路8号汽车站广告牌破损，已拍照上报。"),
    Record(5, 10, "safety", 100 * DAY, "胜利路12号菜市场东门消防通道被堵，请相关部门处理。"),
    Record(6, 10, "urban", 95 * DAY, "胜利路200号人民公园路灯不亮，请相关部门处理。"),
]
INDEX = Index(REPORTS, {10: {11}, 11: {10}}, reader=READER)


def order(oid, grid, topic, day, text):
    return Record(oid, grid, topic, day * DAY, text)


def test_reading_facts():
    f = READER.facts("来电人称胜利路菜市场东门旁那边照明灯晚上不亮，公共厕所也堵了")
    assert f.concepts == {"路灯", "公厕"} and f.road == "胜利路" and f.landmark == "菜市场东门" and f.number is None
    assert READER.facts("胜利路12号").number == "12"


def test_the_same_matter_in_a_citizens_words_matches():
    v = check(order(100, 10, "urban", 103, "市民来电反映：胜利路12号的街灯坏了不亮好几天了，希望尽快处理。"), INDEX)
    assert v.matched_id == 1 and v.candidates >= 3 and "同一事项" in v.reason
    v = check(order(106, 10, "urban", 103, "来电人称菜市场东门胜利路段照明灯晚上不亮，没人管。"), INDEX)
    assert v.matched_id == 1                       # the landmark tells it from the lamp at No. 200


def test_another_matter_in_the_same_place_does_not_match():
    v = check(order(101, 10, "urban", 103, "来电人称胜利路菜市场东门那边占道摆摊把路占了，没人管。"), INDEX)
    assert v.matched_id is None and v.nearest_id is not None and "均非同一事项" in v.reason


def test_the_same_object_elsewhere_does_not_match():
    assert check(order(107, 10, "urban", 103, "胜利路99号路灯不亮"), INDEX).matched_id is None       # number
    assert check(order(108, 10, "urban", 103, "汽车站胜利路段路灯不亮"), INDEX).matched_id is None   # landmark


def test_neighbouring_grid_counts_and_topics_do_not_mix():
    call = order(102, 11, "urban", 103, "市民来电反映：胜利路15号的窨井盖翘起来好几天了。")
    assert check(call, INDEX).matched_id == 2
    assert check(order(103, 10, "livelihood", 103, "胜利路12号路灯不亮"), INDEX).candidates == 0


def test_only_earlier_reports_inside_the_window():
    late = order(104, 10, "urban", 99, "胜利路12号路灯不亮")            # called before the grid saw it
    assert check(late, INDEX).matched_id is None
    old = order(105, 10, "urban", 120, "胜利路3号菜市场东门垃圾箱满了溢出来")   # 30 days after: outside
    assert check(old, INDEX).candidates == 0


def test_an_object_the_thesaurus_does_not_know_falls_back_to_the_words():
    idx = Index([Record(9, 1, "urban", 10 * DAY, "胜利路12号报刊亭倾斜快倒了")], reader=READER)
    assert check(order(110, 1, "urban", 11, "胜利路12号的报刊亭倾斜，快倒了"), idx).matched_id == 9
    assert check(order(111, 1, "urban", 11, "胜利路12号那边有人乱扔烟头"), idx).matched_id is None


def test_the_build_pauses_the_garbage_collector_only_while_it_runs():
    assert gc.isenabled()
    Index(REPORTS, reader=READER)
    assert gc.isenabled()
