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
    _("法律援助中心负责人"), _("系统"),
    # privacy's viewers, disclosures and visibilities, token states, the case documents' kinds
    _("匿名"), _("举报人保密"), _("本人"), _("承办人员"), _("其他工作人员"), _("公众"), _("社区矫正对象"),
    _("完整"), _("脱敏"), _("代称"), _("不显示"), _("公开"), _("内部"), _("保密"), _("有效"), _("令牌已撤销"),
    _("令牌已过期"), _("账号已停用"), _("受理通知书"), _("不予受理通知书"), _("人民调解协议书"),
    _("司法确认申请书"), _("调解终止告知书"), _("给予法律援助决定书"), _("不予法律援助决定书"), _("指派通知书"),
]

# 社区矫正 (issue 15): menu, tabs, the enums of domain.corrections, the operations, their fields and
# choices, the creation forms, the statistics' figures.
CORRECTIONS = [
    _("姓名"), _("身份证号码"), _("电话"), _("类别"), _("日期"), _("批准"), _("文书"),     # words other pages have too
    _("管制"), _("缓刑"), _("假释"), _("暂予监外执行"), _("人民法院"), _("监狱管理机关"), _("公安机关"), _("严管"),
    _("普管"), _("宽管"), _("待报到"), _("已报到·待宣告"), _("在矫"), _("脱管"), _("变更执行地·待接收"),
    _("期满解矫"), _("终止矫正"), _("接收"), _("法律文书送达"), _("法律文书逾期未送达"), _("组建矫正小组"),
    _("制定矫正方案"), _("入矫宣告"), _("调整管理等级"), _("月度计分考核"), _("安排报告"), _("报告"),
    _("未按时报告"), _("走访"), _("教育帮扶"), _("联系不上"), _("认定脱管"), _("恢复监管"), _("变更执行地"),
    _("接收变更执行地"), _("不同意接收"), _("工作记录"), _("报到期限"), _("脱管查找"), _("变更执行地接收"),
    _("社区矫正对象死亡"), _("被撤销缓刑、假释"), _("被决定收监执行"), _("其他法定情形"), _("当面报告"),
    _("电话报告"), _("视频报告"), _("教育学习"), _("公益活动"), _("心理矫治"), _("帮扶"), _("就业"), _("安置住房"),
    _("临时救助"), _("就学"), _("司法所工作人员"), _("村（居）委会人员"), _("家庭成员或监护人"),
    _("所在单位或就读学校人员"), _("社会工作者、志愿者"), _("派出所民警"), _("表扬"), _("训诫"), _("警告"),
    _("提请治安管理处罚"), _("提请撤销缓刑、假释"), _("提请收监执行"), _("无"), _("情节轻微"), _("情节较重"),
    _("情节严重"), _("已决定"), _("已提请·待答复"), _("已采纳"), _("不予采纳"), _("不予批准"), _("已改正"),
    _("提出"), _("批准并作出决定"), _("批准并提请"), _("决定机关采纳"), _("决定机关不予采纳"), _("确认已改正"),
    _("审批期限"), _("请假外出"), _("经常性跨市县活动"), _("已批准·外出中"), _("已销假"), _("销假"), _("撤回"),
    _("返回期限"), _("司法所"), _("县级社区矫正机构"), _("违反人民法院禁止令"),
    _("无正当理由，未经批准离开所居住的市、县"), _("拒不按照规定报告自己的活动情况，被给予警告"),
    _("违反监督管理规定，被给予治安管理处罚"), _("拟提请撤销缓刑、假释或者暂予监外执行收监执行"), _("定位中"),
    _("已解除"), _("提请电子定位"), _("延长"), _("解除"), _("即将到期"), _("已到期"), _("定位期限"), _("检察建议"),
    _("纠正违法通知书"), _("脱管未及时处置"), _("越权批准请假"), _("未按期接收、报到或送达"), _("应予处罚而未处罚"),
    _("违法使用电子定位"), _("其他执法问题"), _("待回复"), _("已回复·待审查"), _("制发"), _("书面回复"),
    _("认可回复·办结"), _("不认可回复·要求重新整改"), _("回复期限"), _("社区矫正档案"), _("社区矫正请假"),
    _("社区矫正奖惩"), _("电子定位"), _("检察监督"), _("检察官"), _("入矫告知书"), _("社区矫正方案"),
    _("表扬决定书"), _("训诫决定书"), _("警告决定书"), _("提请建议书"), _("解除社区矫正证明书"),
    _("检察建议回复函"), _("矫正小组成员"), _("矫正方案"), _("报告安排（缺省为最早一条未完成的）"), _("报告方式"),
    _("报告情况"), _("报告日期"), _("走访地点"), _("走访情况"), _("见到本人"), _("帮扶类别"), _("时长（小时）"),
    _("合作单位"), _("内容"), _("考核月份（任一日）"), _("得分"), _("管理等级"), _("新执行地社区矫正机构（编码）"),
    _("接收的司法所（编码）"), _("居住地网格（区域编码）"), _("新居住地址"), _("终止情形"), _("结果说明"),
    _("批准电子定位"), _("延长（月）"), _("整改情况及回复"), _("执行地司法所（编码）"), _("性别"), _("居住地址"),
    _("矫正类别"), _("决定机关类别"), _("决定机关"), _("文书编号"), _("罪名"), _("禁止令内容"),
    _("判决、裁定、决定生效日期"), _("矫正期限起"), _("矫正期限止"), _("身份"), _("单位"), _("奖惩"), _("事实"),
    _("证据"), _("外出日期"), _("返回日期"), _("前往地"), _("事由"), _("适用情形"), _("期限（月）"), _("设备编号"),
    _("定位时间"), _("监督事项"), _("所指执法行为（时间线记录）"), _("发现的问题"), _("检察意见"), _("社区矫正"),
    _("待报到/待宣告"), _("已解矫/终止"),
    _("执行地司法所"), _("接收的司法所"), _("居住地网格"), _("新执行地社区矫正机构"),    # the code is now the help
    _("司法所编码"), _("网格的区域编码"), _("社区矫正机构编码"),
    # web/corrections.py: the creations' names and the options it puts before a select's choices
    _("提出奖惩"), _("登记请假外出"), _("制发检察建议/纠正违法通知书"), _("（无）"), _("最早一条未完成的"),
    _("（不指向具体记录）"), _("（不选）"),
]


def _corrections_labels() -> set[str]:
    import inspect

    from pydantic import BaseModel

    from gongzhi.casework.forms import widgets
    from gongzhi.corrections import inputs, operations
    from gongzhi.corrections.selectors import TABS as corr_tabs
    out = {label for label, _ in corr_tabs.values()}
    tables = (operations.SUBJECT_OPERATIONS, operations.SANCTION_OPERATIONS, operations.LEAVE_OPERATIONS,
              operations.MONITOR_OPERATIONS, operations.OVERSIGHT_OPERATIONS)
    out |= {op.label for table in tables for op in table.values()}
    schemas = [cls for cls in vars(inputs).values() if inspect.isclass(cls) and issubclass(cls, BaseModel)
               and cls.__module__ == inputs.__name__]
    for schema in schemas:
        for w in widgets(schema):
            out |= {x for x in (w["label"], w.get("help")) if x}
            out |= {label for _, label in (w["choices"] or [])}
    return out


# 民事速裁 and 三金 (issue 16): their case kinds and documents, declared ahead of the pillars.
COURT_FUNDS = [
    _("民事案件"), _("三金专户资金"), _("调解救助金申请"), _("要素式庭审笔录"), _("要素式民事判决书（草稿）"),
    _("民事调解书（草稿）"), _("资金处置决定书"), _("人民调解救助金发放决定书"),
]
assert _corrections_labels() <= set(CORRECTIONS) | set(CASEWORK) | set(OPERATION_LABELS) | set(ENUMS) | set(REPORT), \
    "a new 社区矫正 label needs its entry here"
