"""A second labelled set for the 倒逼 cross-check, written with words the thesaurus does not know.

bench/crosscheck_data.py draws its objects and problems from the vocabulary gongzhi/domain/thesaurus.py
covers, so its precision/recall is the best case.  Here the same world (an object at an address;
a positive repeats a grid report, a hard negative is another matter at the same place and time, a
plain negative a matter nobody reported) is written otherwise:

- citizens name objects with synonyms the thesaurus does not list (小电驴, 茅房, 铁盖子), in
  traditional characters (路燈, 圍牆) or with typos (拉圾桶, 消防通導); grid workers keep to the
  standard term, as their app's category picker makes them;
- other call-centre and patrol templates, and other problem phrasings;
- the place sometimes in traditional characters or with 號 for 号, which the gazetteer and the
  门牌号 reader miss (a missing fact contradicts nothing, it only agrees on less).

Some of these phrasings happen to contain a word the thesaurus does know for another thing
("马路上的铁盖子" names 马路, a 道路): that is how real text behaves, and it costs recall.

Labels come from the generator's own world (a concept key per object), never from the matcher:
a negative is redrawn while a grid report of the same concept at a compatible address exists in
the window before the call, as in crosscheck_data.py.
"""

from __future__ import annotations

import random
import re

from crosscheck_data import ROADS, SPOTS, WINDOW

from gongzhi.domain.crosscheck import Record
from gongzhi.domain.thesaurus import surface_forms

# topic → (concept key, the grid's term, the grid's problem, citizens' words for it, their problems)
MATTERS = {
    "urban": [
        ("路灯", "路灯", "不亮", ["路燈", "街燈", "夜里那盏灯", "电线杆上的灯"], ["黑乎乎的", "一闪一闪", "烧坏了"]),
        ("井盖", "井盖", "松动", ["井蓋", "马路上的铁盖子", "地沟盖板", "窨井蓋"], ["一踩就响", "缺了一块", "不见了"]),
        (
            "垃圾桶",
            "垃圾桶",
            "满溢",
            ["垃圾筒", "拉圾桶", "分类箱", "垃圾房"],
            ["臭气熏天", "好几天没人倒", "苍蝇乱飞"],
        ),
        ("广告牌", "广告牌", "破损", ["廣告牌", "大牌子", "门头牌匾", "灯箱"], ["摇摇欲坠", "风一吹就晃", "快砸下来"]),
        ("占道经营", "占道经营", "影响通行", ["小贩", "摆地摊的", "夜市摊位", "卖菜的"], ["堵得走不了", "天天在那里"]),
        ("建筑垃圾", "建筑垃圾", "乱倒", ["碎砖头", "装修废料", "建築垃圾", "水泥块"], ["偷偷倒在这", "堆成小山"]),
    ],
    "safety": [
        ("消防通道", "消防通道", "被堵", ["消防通導", "逃生通道", "楼梯间"], ["被杂物堆死了", "根本进不去"]),
        ("电动车充电", "电动车", "楼道充电", ["电驴", "小电驴", "电动車", "电摩"], ["拉线充电", "插在楼道插座上"]),
        ("燃气", "燃气管", "有异味", ["气管子", "燃氣管", "管道气", "煤氣"], ["一股臭鸡蛋味", "嘶嘶响"]),
        ("围墙", "围墙", "开裂", ["圍牆", "矮墙", "那堵墙", "墙体"], ["裂开大口子", "往外歪", "掉砖头"]),
    ],
    "livelihood": [
        ("供水", "自来水", "停水", ["自來水", "水龙头", "家里的水", "管网"], ["一滴都没有", "水是黄的"]),
        ("道路", "路面", "塌陷", ["路麵", "柏油路", "地面"], ["陷下去一块", "坑坑洼洼", "开裂起拱"]),
        ("公厕", "公厕", "脏乱", ["洗手间", "卫生间", "茅房", "公廁"], ["臭得不行", "没有水冲", "门坏了"]),
    ],
    "dispute": [
        ("漏水", "邻居", "漏水纠纷", ["楼上人家", "樓上", "对门"], ["天花板滴水", "往下滴水", "墙面发霉"]),
        ("物业收费", "物业", "乱收费", ["物管", "管理处", "物業"], ["乱要钱", "停车费乱涨", "收费不透明"]),
    ],
}
GRID_STYLE = ["{p}发现{o}{q}。", "日常巡查：{o}{q}，位置{p}。", "{o}{q}（{p}），已上报。"]
CITIZEN_STYLE = [
    "群众来电：{p}{o}{q}，已经一个礼拜了。",
    "热线转办：{o}{q}（地点：{p}），请核实。",
    "{p}这里{o}{q}，到底有没有人管？",
    "反映人说{o}{q}，位置{p}。",
]
_TRAD = str.maketrans(
    {
        "胜": "勝",
        "利": "利",
        "华": "華",
        "京": "京",
        "门": "門",
        "东": "東",
        "场": "場",
        "区": "區",
        "园": "園",
        "馆": "館",
        "医": "醫",
        "院": "院",
        "车": "車",
        "站": "站",
        "实": "實",
        "验": "驗",
        "学": "學",
        "广": "廣",
        "万": "萬",
        "达": "達",
        "体": "體",
        "育": "育",
        "业": "業",
        "街": "街",
        "号": "號",
    }
)
_NUM = re.compile(r"(\d+)号")


def unknown_share() -> float:
    """Share of the citizens' object words the thesaurus does not list (the point of this set)."""
    known = surface_forms()
    words = [w for ms in MATTERS.values() for m in ms for w in m[3]]
    return sum(1 for w in words if w not in known) / len(words)


def _place(rng, grid: int) -> tuple[str, str, str, str]:
    """(the grid's wording, road, number, landmark) of a place in a grid."""
    road, spot = ROADS[grid % len(ROADS)], SPOTS[(grid * 7 + rng.randrange(3)) % len(SPOTS)]
    n = str(rng.randrange(1, 300))
    return f"{road}{n}号{spot}", road, n, spot


def _citizen_place(rng, road, num, spot) -> tuple[str, str | None, str | None]:
    """How a caller names it: (words, the number it gives, the landmark it gives)."""
    way = rng.randrange(5)
    if way == 0:
        return f"{road}{num}号", num, None
    if way == 1:
        return f"{spot}{road}段", None, spot
    if way == 2:
        return f"{road}{spot}旁", None, spot
    if way == 3:
        return f"{road}{num}号".translate(_TRAD), num, None  # 勝利路12號: read as no number
    return f"{spot}附近".translate(_TRAD), None, spot


def _same_matter(index, grid, concept, at, num, spot, exclude=None) -> bool:
    for r_at, r_num, r_spot, rid in index.get((grid, concept), ()):
        if rid == exclude or not (at - WINDOW <= r_at <= at):
            continue
        if (num is None or num == r_num) and (spot is None or spot == r_spot):
            return True
    return False


def build(grids: int, grid_reports: int, orders: int, seed: int = 1, days: int = 365, known: float = 0.0):
    """(reports, orders, truth), as crosscheck_data.build; ``known``: the share of calls that name
    the object by the grid's own (standard) term instead."""
    rng = random.Random(seed)
    topics = list(MATTERS)
    reports, facts, index = [], {}, {}
    t0 = 1_767_225_600.0
    for i in range(grid_reports):
        topic = rng.choice(topics)
        concept, term, prob, _, _ = rng.choice(MATTERS[topic])
        g = rng.randrange(grids)
        place, road, num, spot = _place(rng, g)
        at = t0 + rng.random() * days * 86_400
        reports.append(Record(i + 1, g, topic, at, rng.choice(GRID_STYLE).format(p=place, o=term, q=prob)))
        facts[i + 1] = (concept, road, num, spot)
        index.setdefault((g, concept), []).append((at, num, spot, i + 1))
    out, truth = [], {}
    base = grid_reports + 1
    for j in range(orders):
        oid = base + j
        kind = rng.random()
        if kind < 0.6:
            r = reports[rng.randrange(len(reports))]
            concept, road, num, spot = facts[r.id]
            m = next(x for x in MATTERS[r.topic] if x[0] == concept)
            at = r.at + rng.uniform(0.2, 10) * 86_400
            for _ in range(10):  # a naming no other report of it in the window shares
                words, n, s = _citizen_place(rng, road, num, spot)
                if not _same_matter(index, r.grid, concept, at, n, s, exclude=r.id):
                    break
            else:
                words = f"{road}{num}号{spot}"
            obj = m[1] if rng.random() < known else rng.choice(m[3])
            text = rng.choice(CITIZEN_STYLE).format(p=words, o=obj, q=rng.choice(m[4]))
            out.append(Record(oid, r.grid, r.topic, at, text))
            truth[oid] = r.id
        else:
            hard = kind < 0.85
            for _ in range(50):
                if hard:
                    near = reports[rng.randrange(len(reports))]
                    topic, grid = near.topic, near.grid
                    m = rng.choice([x for x in MATTERS[topic] if x[0] != facts[near.id][0]])
                    _, road, num, spot = facts[near.id]
                    at = near.at + rng.uniform(0.2, 10) * 86_400
                else:
                    topic = rng.choice(topics)
                    m = rng.choice(MATTERS[topic])
                    grid = rng.randrange(grids)
                    _, road, num, spot = _place(rng, grid)
                    at = t0 + rng.random() * days * 86_400
                words, n, s = _citizen_place(rng, road, num, spot)
                if not _same_matter(index, grid, m[0], at, n, s):
                    break
            obj = m[1] if rng.random() < known else rng.choice(m[3])
            text = rng.choice(CITIZEN_STYLE).format(p=words, o=obj, q=rng.choice(m[4]))
            out.append(Record(oid, grid, topic, at, text))
            truth[oid] = None
    return reports, out, truth
