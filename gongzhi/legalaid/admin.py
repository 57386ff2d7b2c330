"""Back office: exempt categories, 低保 standards, offices and the lawyer pool (as data).
Applications change only through the services, so they are read-only here."""
from django.contrib import admin

from gongzhi.core.readonly_admin import ReadOnlyAdmin

from .models import Application, ExemptCategory, Lawyer, LivingStandard, Office


@admin.register(ExemptCategory)
class ExemptCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "order", "active")
    list_editable = ("order", "active")


@admin.register(LivingStandard)
class LivingStandardAdmin(admin.ModelAdmin):
    list_display = ("area", "monthly", "since")


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "area", "supervisor", "active")
    filter_horizontal = ("staff",)


@admin.register(Lawyer)
class LawyerAdmin(admin.ModelAdmin):
    list_display = ("name", "firm", "practice_years", "criminal_years", "juvenile", "specialties", "active")
    list_filter = ("juvenile", "active")
    search_fields = ("name", "firm")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("number", "matter", "office", "lawyer", "status", "submitted_at")
    list_filter = ("status", "matter")
    search_fields = ("number",)
    # Personal data stays on the logged pages (domain.privacy: parties in full to the office only).
    exclude = ("applicant_name", "applicant_user", "id_number", "phone", "address", "monthly_income",
               "opposing_party", "summary")
