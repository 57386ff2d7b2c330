"""Admin of the registry: read-only and masked.  Every registry write goes through the services
(history, scope, ID checks), so the admin only lists; ID numbers and phones are shown masked (the
full values are read on the logged pages, by those the policy lets unmask), special-group marks are
not here at all (administrators are not in domain.registry.MARK_READERS), and the change history,
case links and import runs can be neither edited nor deleted."""
from django.contrib import admin

from gongzhi.core.readonly_admin import ReadOnlyAdmin
from gongzhi.domain import privacy

from .models import CaseLink, Change, Claim, House, Household, ImportRun, Organisation, Person, Unit


class _Masked(ReadOnlyAdmin):
    """Read-only, and no field in full: the change page shows only what list_display shows."""

    def get_fields(self, request, obj=None):
        return [f for f in self.list_display if f != "__str__"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


@admin.register(Person)
class PersonAdmin(_Masked):
    list_display = ["name", "masked_id", "masked_phone", "gender", "residency", "grid", "house", "household",
                    "moved_out_on", "verified_at"]
    list_filter = ["residency", "gender"]
    search_fields = ["name"]
    list_select_related = ["grid", "house", "household__house"]

    @admin.display(description="证件号码")
    def masked_id(self, obj):
        return privacy.mask_id_number(obj.id_number)

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return privacy.mask_phone(obj.phone)


@admin.register(House)
class HouseAdmin(_Masked):
    list_display = ["address", "estate", "use", "grid", "owner_name", "masked_owner_phone"]
    list_filter = ["use"]
    search_fields = ["address", "estate"]
    list_select_related = ["grid"]

    @admin.display(description="产权人电话")
    def masked_owner_phone(self, obj):
        return privacy.mask_phone(obj.owner_phone)


@admin.register(Household)
class HouseholdAdmin(_Masked):
    list_display = ["__str__", "number", "head", "moved_in_on", "moved_out_on", "verified_at"]
    list_select_related = ["house", "head"]


@admin.register(Unit)
class UnitAdmin(_Masked):
    list_display = ["name", "kind", "grid", "address", "credit_code", "contact_name", "masked_contact_phone",
                    "department"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]
    list_select_related = ["grid", "department"]

    @admin.display(description="联系电话")
    def masked_contact_phone(self, obj):
        return privacy.mask_phone(obj.contact_phone)


@admin.register(Organisation)
class OrganisationAdmin(_Masked):
    list_display = ["name", "kind", "area", "address", "credit_code", "contact_name"]
    list_filter = ["kind"]


@admin.register(Claim)
class ClaimAdmin(_Masked):
    list_display = ["name", "masked_id", "grid", "address", "state", "reason", "decided_by", "decided_at",
                    "created_at"]
    list_filter = ["state"]

    @admin.display(description="身份证号码")
    def masked_id(self, obj):
        return privacy.mask_id_number(obj.id_number)


@admin.register(Change)
class ChangeAdmin(_Masked):
    list_display = ["at", "target", "target_id", "field", "masked_old", "masked_new", "source", "by", "note"]
    list_filter = ["target", "source"]

    @admin.display(description="原值")
    def masked_old(self, obj):
        return _mask(obj.field, obj.old)

    @admin.display(description="新值")
    def masked_new(self, obj):
        return _mask(obj.field, obj.new)


def _mask(field: str, value: str) -> str:
    if field == "id_number":
        return privacy.mask_id_number(value)
    if field.endswith("phone"):
        return privacy.mask_phone(value)
    return value


@admin.register(CaseLink)
class CaseLinkAdmin(_Masked):
    list_display = ["case_kind", "case_id", "person", "house", "unit", "note", "by", "at"]


@admin.register(ImportRun)
class ImportRunAdmin(_Masked):
    list_display = ["at", "kind", "filename", "by", "encoding", "rows", "created", "updated", "unchanged", "blank"]
