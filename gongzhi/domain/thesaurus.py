"""同义词表: the things residents and grid workers report, with the words each side uses.

Citizens on the 12345 line and grid workers name the same object differently ("街灯" / "路灯",
"窨井盖" / "井盖", "电瓶车" / "电动车"). The 倒逼 cross-check compares *concepts*, not strings.
This is data in the spirit of a hotline's 热词/同义词库; a deployment extends it (the matcher takes
any mapping of concept → surface forms).
"""

OBJECTS: dict[str, tuple[str, ...]] = {
    "路灯": ("路灯", "街灯", "照明灯", "灯杆", "景观灯"),
    "井盖": ("井盖", "窨井盖", "下水井盖", "雨水井盖", "污水井盖"),
    "垃圾桶": ("垃圾桶", "垃圾箱", "果皮箱", "垃圾收集点"),
    "建筑垃圾": ("建筑垃圾", "装修垃圾", "渣土"),
    "生活垃圾": ("生活垃圾", "垃圾堆"),
    "广告牌": ("广告牌", "招牌", "广告招牌", "店招", "横幅"),
    "绿化": ("绿化带", "草坪", "绿地", "行道树", "树木"),
    "占道经营": ("占道摆摊", "流动摊贩", "摊贩占道", "占道经营", "马路市场"),
    "消防通道": ("消防通道", "消防车通道", "生命通道", "安全出口"),
    "电动车充电": ("电动车", "电瓶车", "电动自行车", "飞线充电"),
    "燃气": ("燃气管", "煤气管道", "天然气管", "燃气", "煤气", "液化气"),
    "围墙": ("围墙", "老围墙", "院墙", "挡土墙"),
    "供水": ("自来水", "供水", "水管", "停水"),
    "道路": ("道路", "路面", "马路", "人行道"),
    "公厕": ("公厕", "公共厕所", "厕所"),
    "漏水": ("漏水纠纷", "漏水不处理", "渗水吵架", "漏水", "渗水"),
    "物业收费": ("乱收费", "收费不合理", "多收钱", "物业费"),
    "噪音": ("噪音", "噪声", "扰民", "太吵"),
    "违建": ("违章建筑", "违建", "私搭乱建", "违章搭建"),
    "停车": ("乱停车", "违停", "乱停乱放", "僵尸车"),
    "下水道": ("下水道", "排水沟", "化粪池", "污水外溢"),
    "电梯": ("电梯", "升降梯"),
    "施工": ("施工", "工地", "打桩"),
}


def surface_forms(concepts: dict[str, tuple[str, ...]] = OBJECTS) -> dict[str, str]:
    """Every surface form → its concept (a form listed under two concepts keeps the first)."""
    out: dict[str, str] = {}
    for concept, forms in concepts.items():
        for f in forms:
            out.setdefault(f, concept)
    return out
