"""The desk's background 台账 exports (issue 17): one row per job, its own module because
events/models.py is at its size limit (models.py imports it, so Django sees it as events').

The row is the state of record; the task queue only carries "run job N" (ADR 0020), so a lost
message is queued again by the periodic round and a repeated one finds the job no longer queued.
Every change of a running job is an UPDATE guarded by its status and ``run``: a run that was
given up on (stalled, then retried) can no longer write progress or claim the finish.
"""
from django.conf import settings
from django.db import models

from gongzhi.domain.exports import ExportStatus


class LedgerExport(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                              verbose_name="导出人")
    # The desk's filters as typed (events.desk.Filters, dates as ISO text); the scope is the
    # owner's when the job runs, read again then.
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    total = models.PositiveIntegerField("总数", default=0)
    done = models.PositiveIntegerField("已写入条数", default=0)
    status = models.CharField("状态", max_length=8, choices=ExportStatus.choices(), default=ExportStatus.QUEUED)
    # A random name under MEDIA_ROOT (core.files.storage_name, prefix "x"), served only by the
    # owner's checked view; empty until done and again once expired.
    file = models.FileField("文件", upload_to="x/", blank=True, max_length=200)
    run = models.PositiveSmallIntegerField("执行次数", default=0)
    error = models.CharField("失败原因", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间")
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    beat_at = models.DateTimeField("最近进展", null=True, blank=True)     # each progress UPDATE
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "台账导出"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "created_at"], name="ledger_export_owner"),
                   models.Index(fields=["status", "finished_at"], name="ledger_export_status")]
