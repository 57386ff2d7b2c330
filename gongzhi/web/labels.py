"""Labels that reach templates as data (menus, operations, tabs): listed here so that
``makemessages`` collects them for the English catalogue."""
from django.utils.translation import gettext_noop as _  # "_" is a keyword xgettext knows

from gongzhi.events.operations import OPERATIONS

MENU = [_("上报"), _("我的待办"), _("分拨台"), _("本级待办"), _("网格地图"), _("我的上报"), _("统计"), _("督办台")]
TABS = [_("待签收"), _("办理中"), _("即将超期"), _("已超期")]
SATISFACTION = [_("非常满意"), _("满意"), _("基本满意"), _("不满意"), _("非常不满意")]
OPERATION_LABELS = [_("受理"), _("不予受理"), _("派遣"), _("签收"), _("退回"), _("办理记录"), _("办结"),
                    _("延期申请"), _("审批延期"), _("上报上一级"), _("越级上报（按规则）"), _("吹哨（主办/协办）"),
                    _("协办部门报到"), _("督办"), _("核查"), _("答复"), _("回访/满意度"), _("重办"), _("归档"),
                    _("并单（并入主单）"), _("拆单"), _("更正分类")]
assert {op.label for op in OPERATIONS.values()} <= set(OPERATION_LABELS), "a new operation needs its label here"
# The report page's labels and help: the titles and descriptions of events.intake.ReportInput.
REPORT = [_("事件类型"), _("事件分类"), _("问题描述"), _("时间、地点、经过，越具体越好办理"), _("紧急程度"),
          _("来源渠道"), _("地址"), _("可在地图上点选位置，或直接填写地址"), _("经度"), _("纬度"), _("所在网格"),
          _("没有定位时请选择网格"), _("报告人姓名"), _("联系电话"), _("匿名反映"), _("请选择")]


def _report_labels() -> set[str]:
    from gongzhi.events.intake import ReportInput
    from gongzhi.web.forms import REPORT_OFF_PAGE, InputForm
    form = InputForm(ReportInput, skip=REPORT_OFF_PAGE)      # what the page shows of the input
    return {x for w in form.widgets.values() for x in (w["label"], w["help"]) if x}


assert _report_labels() <= set(REPORT), "a new report field needs its label and help here"
STATS = [_("区域"), _("日期"), _("周"), _("月"), _("分类"), _("类型"), _("渠道"), _("处置单位"), _("结案率"),
         _("按时签收率"), _("按时办结率"), _("退回率"), _("重办率"), _("回访率"), _("满意率"), _("平均办结工作日"),
         _("超期数"), _("峰值")]

# 多元调处 and 法律援助: menu, tabs, operations, their fields and choices, statuses.
CASEWORK = [
    _("多元调处"), _("法律援助"), _("申请调解"), _("申请法律援助"),
    _("待受理"), _("调解中"), _("待签协议"), _("履行回访"), _("已办结"), _("待审查"), _("待指派"), _("承办中"),
    _("待评查/回访"),
    _("移交调解组织"), _("指派调解员"), _("回避"), _("安排调解"), _("调解记录"), _("调解成功（生成协议书）"),
    _("黄灯预警"), _("红灯超期"),      # the SLA sweep's timeline rows (issue 14)
    # 督办 of cases and the 督办台 (issue 14): operations, their fields and levels, the board's kinds
    _("督办"), _("超期自动督办"), _("督办级别"), _("督办意见"), _("一般督办"), _("黄牌督办"), _("红牌督办"),
    _("案情复杂·延长审查期限"), _("案情复杂的理由"), _("审查决定"), _("事件"), _("调解案件"), _("红灯"), _("黄灯"),
    _("协议已签订"), _("调解不成（诉调对接）"), _("申请司法确认"), _("结案"), _("撤回申请"), _("准予法律援助"),
    _("不予法律援助"), _("转交有管辖权的机构"), _("指派律师"), _("更换承办律师"), _("办案进展"), _("质量评查"),
    _("回访"),
    _("说明"), _("理由"), _("移交至调解组织"), _("调解员（缺省按规则推荐）"), _("当事人申请回避"), _("调解时间"),
    _("调解方式"), _("地点"), _("线上会议链接"), _("参加人员"), _("协议内容"), _("履行方式、时限"), _("协议金额（元）"),
    _("引导途径"), _("对接机构"), _("受理法院"), _("履行情况"), _("回访记录"), _("转交机构"),
    _("律师（缺省按申请人点援或规则）"), _("新律师（缺省按规则）"), _("办理结果"), _("挽回经济损失（元）"),
    _("专家评分"), _("满意度"),
    _("现场调解"), _("线上调解"), _("引导诉讼（诉调对接）"), _("引导仲裁"), _("移交行政处理"), _("其他途径"),
    _("已全部履行"), _("部分履行"), _("未履行"), _("按规则推荐"), _("按点援或规则推荐"),
    _("不予受理"), _("已受理"), _("调解成功·待签协议"), _("协议已签·履行中"), _("调解终止·已引导"), _("已结案"),
    _("已撤回"), _("准予援助·待指派"), _("不予援助"), _("已指派律师"), _("已结案·待评查"), _("已评查"), _("已归档"),
    _("低"), _("中"), _("高（民转刑预警）"),
    _("申请调解"), _("签订协议"), _("调解不成·引导诉讼/仲裁"), _("调解提醒"), _("提交申请"), _("申请人"), _("被申请人"),
    _("第三人"), _("网格事件转入"), _("110非警务警情转入"), _("网上申请"), _("窗口申请"), _("村（社区）人民调解委员会"),
    _("乡镇（街道）人民调解委员会"), _("行业性专业性调解委员会"), _("法院诉调对接调解室"), _("派出所调解室"),
    _("个人调解工作室"), _("在线调解平台"), _("调解成功"),
    _("刑事辩护/代理"), _("民事代理"), _("行政诉讼代理"), _("国家赔偿"), _("非诉讼代理"),
    _("劳动争议/讨薪"), _("工伤/人身损害"), _("婚姻家庭"), _("道路交通事故"), _("医疗纠纷"), _("合同债务"),
    _("房产物业"),
    _("刑事辩护"), _("行政诉讼"), _("其他"), _("不涉及"), _("有期徒刑及以下"), _("可能判处无期徒刑"), _("可能判处死刑"),
]


def _casework_labels() -> set[str]:
    from gongzhi.casework.forms import widgets
    from gongzhi.domain.legalaid import AidAction, AidStatus, Matter, Penalty, Specialty
    from gongzhi.domain.mediation import CaseAction, CaseStatus, OrgKind, PartyRole, RiskLevel, SessionMode, Source
    from gongzhi.legalaid.operations import OPERATIONS as aid_ops
    from gongzhi.legalaid.selectors import TABS as aid_tabs
    from gongzhi.mediation.operations import OPERATIONS as med_ops
    from gongzhi.mediation.selectors import TABS as med_tabs
    out = {label for label, _ in [*med_tabs.values(), *aid_tabs.values()]}
    out |= {s.label for s in [*CaseStatus, *AidStatus, *RiskLevel, *Matter, *Specialty, *Penalty, *CaseAction,
                              *AidAction, *PartyRole, *Source, *OrgKind, *SessionMode]}
    for op in [*med_ops.values(), *aid_ops.values()]:
        out.add(op.label)
        for w in widgets(op.schema):
            out.add(w["label"])
            out |= {label for _, label in (w["choices"] or [])}
    return out


assert _casework_labels() <= set(CASEWORK) | set(OPERATION_LABELS), "a new case label needs its entry here"

# The domain's enum labels that pages print as data (status, kind, channel, the timeline's action,
# roles, …), and the word for the system on a timeline row.  tests/web/test_admin_and_maps.py
# checks every label of every enum under gongzhi.domain has an English translation.
ENUMS = [
    _("法律援助案件"), _("咨询"), _("求助"), _("投诉"), _("举报"), _("建议"), _("矛盾纠纷"),
    _("安全隐患"), _("紧急"), _("一般"), _("特急"), _("居民端"), _("网格员巡查"),
    _("窗口来访"), _("12345热线"), _("110非警务警情"), _("待派遣"), _("转调解"),
    _("待核查"), _("待答复"), _("待回访"), _("已回访"), _("已并单"), _("批准延期"),
    _("驳回延期"), _("上报上级"), _("越级上报"), _("超期自动上报"), _("吹哨"), _("报到"),
    _("核查不通过"), _("查看敏感信息"), _("并单"), _("随主单办理"), _("人民调解成功"),
    _("人民调解未成"), _("普通网格"), _("校园网格"), _("景区网格"), _("园区网格"), _("居民"),
    _("网格员"), _("网格警员"), _("N类力量"), _("社区工作人员"), _("乡镇（街道）综治中心"),
    _("区（县）综治中心"), _("部门工作人员"), _("督查人员"), _("系统管理员"), _("待审批"),
    _("已批准"), _("已驳回"), _("WGS-84 / CGCS2000"), _("GCJ-02（高德/腾讯/微信）"),
    _("BD-09（百度）"), _("图片"), _("音频"), _("视频"), _("上一级调解组织或综治中心"),
    _("法律援助中心负责人"), _("系统")
]
