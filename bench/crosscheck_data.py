"""A labelled synthetic set for the 倒逼 cross-check: grid reports, and hotline calls that either
repeat one of them in a citizen's words (positive) or raise a different matter in the same place and
time (hard negative) or a matter nobody reported (plain negative).

The same matter is written differently on each side: synonyms for the object and the problem,
another way of naming the place, call-centre boilerplate around it, clauses reordered.

A matter is an object at an address (grid, object, house number, landmark). The labels are kept
true to that: a negative is redrawn while some grid report of the same matter exists in the window
before the call, and a positive that names only a landmark shared by another report of the same
object in the window names its house number instead, so exactly one report is the right answer.
(The first version of this set did not check, and about one order in twenty was mislabelled.)
"""
from __future__ import annotations

import random
import re

from gongzhi.domain.crosscheck import Record  # noqa: F401

# topic → (object, synonyms of it) and problems with their synonyms
MATTERS = {
    "urban": [(["垃圾桶", "垃圾箱", "果皮箱"], ["满溢", "满了溢出来", "堆满没人清"]),
              (["路灯", "街灯", "照明灯"], ["不亮", "坏了不亮", "晚上不亮"]),
              (["井盖", "窨井盖", "下水井盖"], ["松动", "翘起来", "晃动有响声"]),
              (["广告牌", "招牌", "广告招牌"], ["破损", "快掉下来", "松脱"]),
              (["绿化带", "草坪", "绿地"], ["被毁", "被踩坏", "被人挖了种菜"]),
              (["占道摆摊", "流动摊贩", "摊贩占道"], ["影响通行", "堵住人行道", "把路占了"]),
              (["建筑垃圾", "装修垃圾", "渣土"], ["乱倒", "随意倾倒", "堆在路边"])],
    "safety": [(["消防通道", "消防车通道", "生命通道"], ["被堵", "被车占用", "堆满杂物"]),
               (["电动车", "电瓶车", "电动自行车"], ["楼道充电", "在楼道里充电", "飞线充电"]),
               (["燃气管", "煤气管道", "天然气管"], ["有异味", "好像漏气", "闻到煤气味"]),
               (["围墙", "老围墙", "院墙"], ["开裂", "有裂缝快倒了", "倾斜"])],
    "livelihood": [(["自来水", "供水", "水管"], ["停水", "没水了", "爆管漏水"]),
                   (["道路", "路面", "马路"], ["塌陷", "有大坑", "坑洼积水"]),
                   (["公厕", "公共厕所", "厕所"], ["脏乱", "没人打扫", "堵了"])],
    "dispute": [(["邻居", "楼上住户", "隔壁"], ["漏水纠纷", "漏水不处理", "渗水吵架"]),
                (["物业", "物业公司", "小区物业"], ["乱收费", "收费不合理", "多收钱"])],
}
ROADS = ["胜利路", "延安路", "新华街", "瑞京路", "北京路", "芝山路", "大同路", "南昌路", "元光路", "丹霞路"]
SPOTS = ["菜市场东门", "幸福小区", "实验小学", "人民公园", "汽车站", "第一医院", "万达广场", "老街口", "体育馆",
         "工业园"]
GRID_STYLE = ["巡查发现{p}{o}{q}，已拍照上报。", "{p}{o}{q}，请相关部门处理。", "网格员巡查：{p}，{o}{q}。"]
CITIZEN_STYLE = ["市民来电反映：{p}的{o}{q}好几天了，希望尽快处理。", "来电人称{p}那边{o}{q}，没人管。",
                 "诉求人反映，{p}附近{o}{q}，影响生活，请求处理。", "{o}{q}，在{p}，麻烦派人看看。"]


def _place(rng, grid: int) -> tuple[str, str]:
    """A place in a grid, named two ways (road number / landmark nearby)."""
    road, spot = ROADS[grid % len(ROADS)], SPOTS[(grid * 7 + rng.randrange(3)) % len(SPOTS)]
    n = rng.randrange(1, 300)
    return f"{road}{n}号{spot}", rng.choice([f"{road}{n}号", f"{spot}{road}段", f"{road}{spot}旁"])


WINDOW = 14 * 86_400
GAZETTEER = {"roads": ROADS, "landmarks": SPOTS}     # the city's 标准地址: what the matcher may know
_NUM = re.compile(r"(\d+)号")


def _same_matter(index, grid, obj, at, text, exclude=None) -> bool:
    """Is there a grid report of this object at a compatible address in the window before ``at``?"""
    num = _NUM.search(text)
    spot = next((x for x in SPOTS if x in text), None)
    for r_at, r_num, r_spot, rid in index.get((grid, obj), ()):
        if rid == exclude or not (at - WINDOW <= r_at <= at):
            continue
        if (num is None or num.group(1) == r_num) and (spot is None or spot == r_spot):
            return True
    return False


def build(grids: int, grid_reports: int, orders: int, seed: int = 1, days: int = 365,
          neighbours_of=None):
    """(reports, orders, truth): truth[order_id] = the grid report id it repeats, or None."""
    rng = random.Random(seed)
    topics = list(MATTERS)
    reports = []
    index = {}
    t0 = 1_767_225_600.0          # 2026-01-01
    for i in range(grid_reports):
        topic = rng.choice(topics)
        obj, probs = rng.choice(MATTERS[topic])
        g = rng.randrange(grids)
        place, _ = _place(rng, g)
        text = rng.choice(GRID_STYLE).format(p=place, o=obj[0], q=probs[0])
        at = t0 + rng.random() * days * 86_400
        reports.append(Record(i + 1, g, topic, at, text))
        index.setdefault((g, obj[0]), []).append(
            (at, _NUM.search(place).group(1), next(x for x in SPOTS if x in place), i + 1))
    out, truth = [], {}
    base = grid_reports + 1
    for j in range(orders):
        oid = base + j
        kind = rng.random()
        if kind < 0.6:                                   # repeats a grid report, days later
            r = reports[rng.randrange(len(reports))]
            topic = r.topic
            obj, probs = next((o, q) for o, q in MATTERS[topic] if o[0] in r.text and q[0] in r.text)
            # the report's address, named by the citizen one of three ways
            road = next(x for x in ROADS if x in r.text)
            num = _NUM.search(r.text).group(1)
            spot = next(x for x in SPOTS if x in r.text)
            grid = r.grid if rng.random() < 0.8 and neighbours_of is None else (
                r.grid if neighbours_of is None else rng.choice([r.grid, *neighbours_of(r.grid)]))
            at = r.at + rng.uniform(0.2, 10) * 86_400
            ways = [f"{road}{num}号", f"{spot}{road}段", f"{road}{spot}旁"]
            rng.shuffle(ways)
            # a way of naming it that no other report of this object in the window shares
            p = next((w for w in ways if not _same_matter(index, r.grid, obj[0], at, w, exclude=r.id)),
                     f"{road}{num}号{spot}")
            text = rng.choice(CITIZEN_STYLE).format(p=p, o=rng.choice(obj), q=rng.choice(probs))
            out.append(Record(oid, grid, topic, at, text))
            truth[oid] = r.id
        else:                                             # a matter the grid did not report
            hard = kind < 0.85
            for _ in range(50):                           # redraw until no report of it exists
                if hard:                                  # same place, same topic, another matter
                    near = reports[rng.randrange(len(reports))]
                    topic = near.topic
                    others = [m for m in MATTERS[topic] if m[0][0] not in near.text]
                    obj, probs = rng.choice(others)
                    _, p = _place(random.Random(near.id), near.grid)
                    grid, at = near.grid, near.at + rng.uniform(0.2, 10) * 86_400
                else:
                    topic = rng.choice(topics)
                    obj, probs = rng.choice(MATTERS[topic])
                    grid = rng.randrange(grids)
                    _, p = _place(rng, grid)
                    at = t0 + rng.random() * days * 86_400
                if not _same_matter(index, grid, obj[0], at, p):
                    break
            text = rng.choice(CITIZEN_STYLE).format(p=p, o=rng.choice(obj), q=rng.choice(probs))
            out.append(Record(oid, grid, topic, at, text))
            truth[oid] = None
    return reports, out, truth


def score(verdicts, truth) -> tuple[float, float]:
    """Precision and recall of "matched": a match counts only if it found the true grid report."""
    tp = sum(1 for v in verdicts if v.matched_id is not None and v.matched_id == truth[v.order_id])
    fp = sum(1 for v in verdicts if v.matched_id is not None and v.matched_id != truth[v.order_id])
    fn = sum(1 for v in verdicts if truth[v.order_id] is not None and v.matched_id != truth[v.order_id])
    return tp / max(1, tp + fp), tp / max(1, tp + fn)
