"""The admin of records that are written only by the services (cases, events, the access log):
read-only for everyone, superusers included."""
from django.contrib import admin

from gongzhi.accounts.appendonly import ReadOnlyAdminMixin


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """No add, change or delete.  A case or event is never deleted here: its reads are logged by
    (kind, id) in core.models.AccessLog (kept by core.audit.keep_logged), and the log must keep
    pointing at what it was read for."""
