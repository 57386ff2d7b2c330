"""Admin for 民事速裁's reference data: the court (its average wage, rooms), its team and the LPR
table.  The case files are read through court.scope (the court's staff), not here."""
from django.contrib import admin

from .models import Court, Lpr, Member


class MemberInline(admin.TabularInline):
    model = Member
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Court)
class CourtAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "avg_wage_fen", "wage_year", "active"]
    inlines = [MemberInline]

    def has_delete_permission(self, request, obj=None):
        # a court with cases is never deleted (they are PROTECTed), and Django's confirmation page
        # would list those cases' numbers to an administrator who reads no civil case: 在用 is unticked
        return False


@admin.register(Lpr)
class LprAdmin(admin.ModelAdmin):
    list_display = ["since", "one_year_pct"]
