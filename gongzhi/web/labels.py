"""Labels that reach templates as data (menus, operations, tabs): listed here so that
``makemessages`` collects them for the English catalogue."""
from django.utils.translation import gettext_noop as N

from gongzhi.events.operations import OPERATIONS

MENU = [N("上报"), N("我的待办"), N("分拨台"), N("本级待办"), N("网格地图"), N("我的上报"), N("统计")]
TABS = [N("待签收"), N("办理中"), N("即将超期"), N("已超期")]
SATISFACTION = [N("非常满意"), N("满意"), N("基本满意"), N("不满意"), N("非常不满意")]
OPERATION_LABELS = [N("受理"), N("不予受理"), N("派遣"), N("签收"), N("退回"), N("办理记录"), N("办结"),
                    N("延期申请"), N("审批延期"), N("上报上一级"), N("越级上报（按规则）"), N("吹哨（主办/协办）"),
                    N("协办部门报到"), N("督办"), N("核查"), N("答复"), N("回访/满意度"), N("重办"), N("归档")]
assert {op.label for op in OPERATIONS.values()} <= set(OPERATION_LABELS), "a new operation needs its label here"
STATS = [N("区域"), N("日期"), N("周"), N("月"), N("分类"), N("类型"), N("渠道"), N("处置单位"), N("结案率"), N("按时签收率"),
         N("按时办结率"), N("退回率"), N("重办率"), N("回访率"), N("满意率"), N("平均办结工作日"), N("超期数"), N("峰值")]
