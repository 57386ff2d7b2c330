"""Sentences the server composes with values in them, as patterns: each is a catalogue entry, and
``core.wording`` translates a composed sentence by the pattern it matches (values translated when
the catalogue knows them: labels; kept otherwise: names, numbers, codes).  A sentence whose only
values are numbers needs no pattern: its entry with each number as {n} is found by its shape.

tests/web/test_english_messages.py fails on an error message composed with values (an f-string
given to a ServiceError) whose pattern is not listed here.
"""
from django.utils.translation import gettext_noop as _  # "_" is a keyword xgettext knows

from gongzhi.domain import corrections, court

# Error messages (ServiceError and the domain's errors the services pass on).
ERRORS = [
    _("{kind}不带照片"),
    _("该{noun}已被他人更新，请刷新后重试"), _("该{noun}刚被他人处理，请刷新后重试"),
    _("{noun}不存在或不在您的管辖范围内"),
    _("找不到司法所 {code}"), _("找不到区域 {code}"), _("找不到网格 {code}"), _("找不到部门 {code}"),
    _("找不到事件 {code}"), _("找不到机构 {code}"), _("找不到调解组织 {code}"), _("无效分类 {code}"),
    _("{grid}不属于{township}辖区"),
    _("{kind}应由人民法院判决或裁定"),
    _("{kind}对象不适用{step}"),
    _("入矫宣告前须完成：{items}"),
    _("矫正期限至 {day} 届满，届满前不能解矫"),
    _("外出 {n} 日，应由{authority}审批"), _("应由{authority}审批"),
    _("要素格式不正确：{items}"),
    _("坐标超出范围: 经度 {lon}, 纬度 {lat}"),
    _("金额格式不正确：{value}"), _("不得适用小额诉讼程序（民诉法第一百六十六条）：{items}"),
    _("日期格式不正确（应为 年-月-日，如 2026-03-01）：{value}"), _("百分比格式不正确：{value}"),
    _("应为整数：{value}"), _("第{n}行{label}：{error}"),
    _("借贷不平衡：差额 {amount}"), _("金额必须为整数分：{value}"), _("账户 {account} 不存在"),
    _("网格边界无效: {error}"),
    _("{what}无法识别：{value}（可填：{choices}）"), _("{what}格式不正确：{value}"),
    _("身份证号码应为 18 位（17 位数字加校验位）：{value}"), _("身份证号码中的出生日期不合理：{value}"),
    _("身份证号码中的出生日期不存在：{value}"), _("日期不合理：{value}"), _("日期无法识别：{value}（应如 2020-03-05）"),
    _("日期不存在：{value}"),
    _("已在最高处置层级（{level}），无法继续上报"),
    _("文件「{name}」的内容不是允许的图片、音频或视频（检测为 {found}）"),
    _("文件过大：「{name}」{size}，{kind}上限 {limit}"),
    _("图片「{name}」像素过多：{claimed}上限 {n} 万像素，请缩小后再上传"),
    _("图片「{name}」无法读取尺寸，文件可能已损坏"), _("图片「{name}」无法读取，文件可能已损坏或不完整"),
    _("HEIC 照片「{name}」带有拍摄信息（位置、设备等），系统无法去除，请转为 JPEG 后再上传"
      "（iPhone：设置 → 相机 → 格式 → 兼容性最佳）"),
    _("上传过于频繁：每 {window}最多上传 {n} 个文件，请 {wait}后再试"),
    _("部门不存在：{items}"), _("主单{status}，不能再并入"),
    _("文件过大：「{name}」超过上传上限 {limit} MB"),
    _("您不是{fund}的经办人"), _("您不是{fund}的复核人"),
    _("到账金额 {amount} 与承诺金额 {pledged} 不符"), _("救助基金可用余额 {amount} 不足"),
    _("第 {n} 行无法识别：{error}"),
    _("结转后的完成日期须在 {day} 之后、不晚于 {latest}"),
    _("「{name}」不是图片：任务证据只收照片"),
    _("缺少必需的列：{items}；文件中的列为：{columns}"), _("缺少必需的列：{items}"),
    _("时间「{value}」格式不正确"), _("Excel 文件已损坏或不是 .xlsx：{error}"),
    _("不符合法律援助条件：{basis}"),
    _("渠道未启用：{channel}"), _("您不会收到以下类别的消息：{items}"),
    _("{what}晚于服务器时间，请校准手机时间"), _("{what}早于 {n} 天前，不再接收"),
    _("该巡查已{status}，结束时间以服务器为准"),
    _("积分规则 {rule} 不存在或已停用"), _("{item}库存不足"),
    _("CSV 第 {n} 行无法读取：{error}"), _("网格「{grid}」不存在或不在您的辖区"),
    _("该身份证号码已登记为另一姓名（{name}），请核对"),
    _("区域「{code}」不存在"),
    _("投票截止时间为 {time}，尚未到"), _("投票开始时间为 {time}，尚未到"),
    _("以下纸质票批次尚未两人录入一致：{items}"),
    _("文件「{name}」的内容不是 PDF 或图片（检测为 {found}）"), _("文件「{name}」过大，上限 20 MB"),
    _("图片「{name}」无法读取或像素过多"),
    _("上传格式不正确：{error}"),
    _("提交的内容太大（上限 {limit}），请减小后重试；附件请逐个上传"),
    _("提交的文字中含有不允许的{kind}（U+{code}），请删除后重试"), _("含有不允许的{kind}（U+{code}），请删除后重试"),
    # the domain's exceptions that compose their own words (workflow, ledger, sla)
    _("{action}: 当前状态「{status}」不允许此操作"), _("您无权执行「{action}」"), _("「{action}」必须填写原因"),
    _("账户 {account} 余额不足：记账后余额将为 {balance}"), _("幂等键 {key} 已用于另一笔记账（金额或账户不同）"),
    _("时限表缺少「{clock}」的默认行（no default time-limit row for {code}）"),
    _("{kind}的个人信息访问日志引用了该案件，不能删除（{model} {pk} has access-log rows）"),
    _("{head}: 至少需要两种标注"), _("{head}: 没有文本"),
]

# Notes and reasons the server writes on a timeline (stored in Chinese; shown through these).
NOTES = [
    _("{clock}已超期，系统自动{level}"),
    _("规则#{n}: {what} → {target}"), _("默认规则: 无匹配规则 → {target}"),
    # 分拨依据 after a step up (domain.routing.escalation_reason)
    _("逐级上报 → {target}（{level}）"), _("超期自动上报 → {target}（{level}）"),
    _("越级上报 → {target}（{level}），依据规则#{n}"),
    _("拆出：{text}"), _("随主单 {number}：{status}"), _("已转人民调解：{organisation}，案件编号 {number}"),
    _("人民调解未成：{ending}，事件回到受理，请重新派遣"),
    _("{source}；{organisation}：{why}；在办 {n} 件"), _("{organisation}：{why}；在办 {n} 件"),
    _("{source}；当事人/工作人员选定调解组织"), _("{source}；由{organisation}移交：{reason}"),
    _("由{organisation}移交：{reason}"), _("会讲{dialect}"),
    _("评查 {score} 分（{grade}）"),
    _("{month} 考核 {score} 分"), _("{month} 考核 {score} 分：{note}"),
    _("{kind} {hours} 小时：{content}"), _("{kind} {hours} 小时：{content}（{partner}）"),
    _("脱管 {n} 日后恢复监管。{note}"),
    _("{decider}{body}（{number}），应于 {day} 前报到、{docs_day} 前送达法律文书"),
    _("{ground}，{n} 个月：{facts}"), _("网格帮教走访：{note}"),
    _("{start}至{end} 前往{destination}：{reason}；由{authority}审批"),
    _("巡查 {number}"),
    _("来自调解案件 {number}（{organisation}）"), _("{time} {room}（{n} 分钟）"),
    _("确认串案（{n} 件，被告 {respondent}）"), _("参照示范案件 {number} 起草"),
    _("事件 {number}"),
    _("纸质票批次「{batch}」两人录入一致，计入 {n} 票"),
    _("兑换{item}×{n}"),
    # stored reasons: legal aid's means test, the 倒逼 cross-check's verdict
    _("免予经济困难审查：{exempt}"), _("{how}（地址一致 {n} 项，文字重合 {overlap}）"),
]

# The court's triage reasons are the domain's own templates ("标的额 {amount} 元，…").
PATTERNS = ERRORS + NOTES + [rule.reason for rule in court.RULES]

# Placeholders that take one of an enum's labels only: what separates two values written side by
# side ("人民法院漳州市芗城区人民法院" is {decider}{body}).
CHOICES = {"decider": [d.label for d in corrections.Decider]}
