"""Writing the one access log (core.models.AccessLog), and keeping logged cases from deletion."""
from __future__ import annotations

from django.db import models

from .models import AccessLog


def record(user, kind, case_id: int, what: str, reason: str = "") -> AccessLog:
    """Log one read of personal data in full.  ``what``: the data read (字段、文书、附件);
    ``reason``: the reader's stated purpose, where the policy asks for one (an unmask)."""
    return AccessLog.objects.create(user=user, kind=kind, case_id=case_id, what=what, reason=reason)


def keep_logged(model: type[models.Model], kind) -> None:
    """Refuse to delete a case of ``model`` whose reads the log holds — what PROTECT does for a
    foreign key, for a log that names its case by (kind, id).  As a pre_delete receiver it runs for
    every way of deleting (the instance, a queryset, a cascade from a deleted owner), inside the
    deletion's transaction, before any row goes.  Called from each case app's ready()."""
    def refuse(sender, instance, **kwargs):
        if AccessLog.objects.filter(kind=kind, case_id=instance.pk).exists():
            raise models.ProtectedError(
                f"{kind.label}的个人信息访问日志引用了该案件，不能删除"
                f"（{model.__name__} {instance.pk} has access-log rows）",
                {instance})
    models.signals.pre_delete.connect(refuse, sender=model, weak=False, dispatch_uid=f"keep-logged-{kind.value}")
