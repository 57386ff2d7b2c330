from django.contrib import admin

from gongzhi.domain.privacy import mask_name

from .models import DocumentTemplate, Notice


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    """Override a document's wording; leave a kind out to use the built-in text."""

    list_display = ("doc", "title")

    def get_changeform_initial_data(self, request):
        from .documents import BUILTIN
        from .models import DocKind
        doc = request.GET.get("doc")
        if doc in DocKind._value2member_map_:
            title, body = BUILTIN[DocKind(doc)]
            return {"doc": doc, "title": title, "body": body}
        return {}


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "case_id", "subject", "to", "sent_at")
    list_filter = ("kind", "subject")
    exclude = ("recipient", "phone")   # the outbox is checked for delivery, not read for contacts

    @admin.display(description="收件人")
    def to(self, notice: Notice) -> str:
        return mask_name(notice.recipient)

    def has_change_permission(self, request, obj=None):
        return False
