"""Logs that must be believed later (who read whose personal data) are written once and never
changed: a saved row refuses save() and delete(), and their querysets refuse update() and delete(),
so neither a view, a shell nor the admin can rewrite or thin them out."""
from django.db import models


class AppendOnlyError(RuntimeError):
    def __init__(self, model):
        super().__init__(f"{model._meta.verbose_name}只能追加，不能修改或删除（{model.__name__} is append-only）")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(self.model)

    def delete(self):
        raise AppendOnlyError(self.model)

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(self.model)


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(type(self))
        kwargs["force_insert"] = True   # never an UPDATE, even for a row built with a known pk
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(type(self))


class ReadOnlyAdminMixin:
    """For a ModelAdmin: no add, change or delete, superusers included — the admin of records only
    the services write (core.readonly_admin.ReadOnlyAdmin) and of django-axes' login records."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
