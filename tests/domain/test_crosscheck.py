"""倒逼 matcher: same matter in other words matches; another matter in the same place does not;
only earlier reports inside the window, in the same or a neighbouring grid, count."""
import pytest

from gongzhi.domain.crosscheck import Index, Record, check

DAY = 86_400.0
REPORTS = [
    Record(1, 10, "urban", 100 * DAY, "巡查发现胜利路12号菜市场东门路灯不亮，已拍照上报。"),
    Record(2, 10, "urban", 101 * DAY, "胜利路15号菜市场东门井盖松动，请相关部门处理。"),
    Record(3, 10, "urban", 90 * DAY, "胜利路3号菜市场东门垃圾桶满溢，请相关部门处理。"),
    Record(4, 11, "urban", 99 * DAY, "巡查发现延安路8号汽车站广告牌破损，已拍照上报。"),
    Record(5, 10, "safety", 100 * DAY, "胜利路12号菜市场东门消防通道被堵，请相关部门处理。"),
]
INDEX = Index(REPORTS, {10: {11}, 11: {10}})


def order(oid, grid, topic, day, text):
    return Record(oid, grid, topic, day * DAY, text)


def test_the_same_matter_in_a_citizens_words_matches():
    v = check(order(100, 10, "urban", 103, "市民来电反映：胜利路12号的街灯坏了不亮好几天了，希望尽快处理。"), INDEX)
    assert v.matched_id == 1 and v.candidates >= 2


@pytest.mark.xfail(strict=True, reason="the known gap: surface similarity still links another matter in the same "
                                       "place (bench/crosscheck.py precision 0.56); a thesaurus is the next step")
def test_another_matter_in_the_same_place_does_not_match():
    v = check(order(101, 10, "urban", 103, "来电人称胜利路菜市场东门那边占道摆摊把路占了，没人管。"), INDEX)
    assert v.matched_id is None and v.nearest_id is not None


def test_neighbouring_grid_counts_and_topics_do_not_mix():
    assert check(order(102, 11, "urban", 103, "市民来电反映：胜利路15号的窨井盖翘起来好几天了。"), INDEX).matched_id == 2
    assert check(order(103, 10, "livelihood", 103, "胜利路12号路灯不亮"), INDEX).candidates == 0


def test_only_earlier_reports_inside_the_window():
    late = order(104, 10, "urban", 99, "胜利路12号路灯不亮")            # called before the grid saw it
    assert check(late, INDEX).matched_id is None
    old = order(105, 10, "urban", 120, "胜利路3号菜市场东门垃圾箱满了溢出来")   # 30 days after: outside
    assert check(old, INDEX).candidates == 0
