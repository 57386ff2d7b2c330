"""What mediation and legal-aid cases share: their timeline, their notices, their documents and
the log of who read the parties' personal data.  A case is referred to as (kind, id)."""
from django.conf import settings
from django.db import models

from gongzhi.accounts.appendonly import AppendOnly
from gongzhi.domain.enums import LabelledEnum
from gongzhi.domain.privacy import Visibility

User = settings.AUTH_USER_MODEL


class CaseKind(LabelledEnum):
    MEDIATION = "mediation", "调解案件"
    LEGAL_AID = "legalaid", "法律援助案件"


class DocKind(LabelledEnum):
    ACCEPTANCE = "acceptance", "受理通知书"
    REFUSAL = "refusal", "不予受理通知书"
    AGREEMENT = "agreement", "人民调解协议书"
    CONFIRMATION = "confirmation", "司法确认申请书"
    TERMINATION = "termination", "调解终止告知书"
    AID_APPROVAL = "aid_approval", "给予法律援助决定书"
    AID_DENIAL = "aid_denial", "不予法律援助决定书"
    AID_ASSIGNMENT = "aid_assignment", "指派通知书"


class CaseLog(models.Model):
    """Append-only timeline of a case: who did what, when, from which status to which."""

    kind = models.CharField(max_length=16, choices=CaseKind.choices())
    case_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=24)
    label = models.CharField(max_length=40)
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField()
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    reason = models.TextField(blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Who may read the row (domain.privacy.ROW_READERS), from the case kind's visibility table.
    visibility = models.CharField("可见范围", max_length=12, choices=Visibility.choices(),
                                  default=Visibility.INTERNAL)
    # The applicant acted (fixed when written, like EventAction.by_subject).
    by_subject = models.BooleanField("申请人本人操作", default=False)

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


class AccessLog(AppendOnly):
    """Every read of a case's personal data in full (parties, income, ID numbers).
    Append-only (accounts.appendonly): the record of who read what cannot be edited or thinned."""

    user = models.ForeignKey(User, verbose_name="查阅人", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("案件类型", max_length=16, choices=CaseKind.choices())
    case_id = models.PositiveBigIntegerField("案件ID")
    purpose = models.CharField("查阅内容", max_length=100)
    at = models.DateTimeField("查阅时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件个人信息查阅日志"
        indexes = [models.Index(fields=["kind", "case_id"], name="access_case")]
        ordering = ["-at"]


def keep_logged(model: type[models.Model], kind: CaseKind) -> None:
    """Refuse to delete a case of ``model`` whose reads AccessLog holds — what PROTECT does for a
    foreign key, for a log that names its case by (kind, id).  As a pre_delete receiver it runs for
    every way of deleting (the instance, a queryset, a cascade from a deleted owner), inside the
    deletion's transaction, before any row goes.  Called from each case app's ready()."""
    def refuse(sender, instance, **kwargs):
        if AccessLog.objects.filter(kind=kind, case_id=instance.pk).exists():
            raise models.ProtectedError(
                f"{kind.label}的个人信息查阅日志引用了该案件，不能删除"
                f"（{model.__name__} {instance.pk} has access-log rows）",
                {instance})
    models.signals.pre_delete.connect(refuse, sender=model, weak=False, dispatch_uid=f"keep-logged-{kind.value}")
