"""Labels that reach templates as data (menus, operations, tabs): listed here so that
``makemessages`` collects them for the English catalogue."""
from django.utils.translation import gettext_noop as _   # "_" is a keyword xgettext knows

from gongzhi.events.operations import OPERATIONS

MENU = [_("上报"), _("我的待办"), _("分拨台"), _("本级待办"), _("网格地图"), _("我的上报"), _("统计")]
TABS = [_("待签收"), _("办理中"), _("即将超期"), _("已超期")]
SATISFACTION = [_("非常满意"), _("满意"), _("基本满意"), _("不满意"), _("非常不满意")]
OPERATION_LABELS = [_("受理"), _("不予受理"), _("派遣"), _("签收"), _("退回"), _("办理记录"), _("办结"),
                    _("延期申请"), _("审批延期"), _("上报上一级"), _("越级上报（按规则）"), _("吹哨（主办/协办）"),
                    _("协办部门报到"), _("督办"), _("核查"), _("答复"), _("回访/满意度"), _("重办"), _("归档"),
                    _("并单（并入主单）"), _("拆单")]
assert {op.label for op in OPERATIONS.values()} <= set(OPERATION_LABELS), "a new operation needs its label here"
STATS = [_("区域"), _("日期"), _("周"), _("月"), _("分类"), _("类型"), _("渠道"), _("处置单位"), _("结案率"), _("按时签收率"),
         _("按时办结率"), _("退回率"), _("重办率"), _("回访率"), _("满意率"), _("平均办结工作日"), _("超期数"), _("峰值")]
