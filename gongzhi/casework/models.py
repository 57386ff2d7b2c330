"""What mediation and legal-aid cases share: their timeline, their notices and their documents.
A case is referred to as (kind, id); who read its parties' data is in core.models.AccessLog."""
from django.conf import settings
from django.db import models

from gongzhi.core.timeline import TimelineRow
from gongzhi.domain.enums import CaseKind, LabelledEnum

User = settings.AUTH_USER_MODEL


class DocKind(LabelledEnum):
    ACCEPTANCE = "acceptance", "受理通知书"
    REFUSAL = "refusal", "不予受理通知书"
    AGREEMENT = "agreement", "人民调解协议书"
    CONFIRMATION = "confirmation", "司法确认申请书"
    TERMINATION = "termination", "调解终止告知书"
    AID_APPROVAL = "aid_approval", "给予法律援助决定书"
    AID_DENIAL = "aid_denial", "不予法律援助决定书"
    AID_ASSIGNMENT = "aid_assignment", "指派通知书"
    CORR_NOTICE = "corr_notice", "入矫告知书"
    CORR_PLAN = "corr_plan", "社区矫正方案"
    CORR_PRAISE = "corr_praise", "表扬决定书"
    CORR_ADMONISH = "corr_admonish", "训诫决定书"
    CORR_WARN = "corr_warn", "警告决定书"
    CORR_PROPOSAL = "corr_proposal", "提请建议书"
    CORR_RELEASE = "corr_release", "解除社区矫正证明书"
    CORR_ANSWER = "corr_answer", "检察建议回复函"
    CIVIL_RECORD = "civil_record", "要素式庭审笔录"
    CIVIL_JUDGMENT = "civil_judgment", "要素式民事判决书（草稿）"
    CIVIL_MEDIATION = "civil_mediation", "民事调解书（草稿）"
    FUND_RELEASE = "fund_release", "资金处置决定书"
    FUND_GRANT = "fund_grant", "人民调解救助金发放决定书"


class CaseLog(TimelineRow):
    """The timeline of every case kind but events (core.timeline: one row schema)."""

    kind = models.CharField(max_length=16, choices=CaseKind.choices())
    case_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=24)
    label = models.CharField(max_length=40)
    at = models.DateTimeField()
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件时间线"
        indexes = [models.Index(fields=["kind", "case_id", "at"], name="caselog_case")]
        ordering = ["at", "id"]


class Notice(models.Model):
    """An outbox of notices to parties (受理、不予受理、调解提醒 …); an SMS gateway drains it."""

    kind = models.CharField(max_length=16, choices=CaseKind.choices())
    case_id = models.PositiveBigIntegerField()
    subject = models.CharField(max_length=40)
    recipient = models.CharField(max_length=64)
    phone = models.CharField(max_length=20, blank=True)
    text = models.TextField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知（待发送）"
        indexes = [models.Index(fields=["kind", "case_id"], name="notice_case"),
                   models.Index(fields=["sent_at"], name="notice_outbox")]
        ordering = ["created_at", "id"]


class DocumentTemplate(models.Model):
    """An admin's wording of a document; without a row the built-in wording is used.

    ``body`` is Django template text; each line becomes a paragraph, "# " starts a heading and
    "| 左 | 右" a two-column signature row."""

    doc = models.CharField("文书", max_length=16, choices=DocKind.choices(), unique=True)
    title = models.CharField("标题", max_length=60)
    body = models.TextField("正文模板")

    class Meta:
        verbose_name = verbose_name_plural = "文书模板"

    def __str__(self) -> str:
        return self.title


def _document_path(instance, filename):
    # Random (gongzhi.core.files), never "mediation-7-agreement.docx": a name must not be guessable.
    from gongzhi.core.files import extension_of, storage_name
    return storage_name("d", extension_of(filename) or "docx", instance.created_at)


class Document(models.Model):
    """A generated .docx kept as issued (what the parties signed is what stays)."""

    kind = models.CharField(max_length=16, choices=CaseKind.choices())
    case_id = models.PositiveBigIntegerField()
    doc = models.CharField(max_length=16, choices=DocKind.choices())
    title = models.CharField(max_length=60)
    file = models.FileField(upload_to=_document_path)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "案件文书"
        indexes = [models.Index(fields=["kind", "case_id"], name="document_case")]
        ordering = ["created_at", "id"]
