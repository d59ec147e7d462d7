"""Audited editing in the Django admin: every add, change and delete made there writes an audit row.

The admin runs ``save_model``/``save_related``/``delete_model`` inside one
transaction (``changeform_view``/``delete_view``), so the row is written with
the change. The "after" is taken once related rows (many-to-many fields,
inlines) are saved; an inline row is recorded against its parent (a post
against its cadre), so a unit administrator's scope finds it.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from gongfen.common import Actor

from .services import audit_record, model_snapshot


def _object_id(obj) -> str:
    if hasattr(obj, "get_username"):
        return obj.get_username()
    return str(getattr(obj, "code", None) or obj.pk)


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every write leaves an audit row: who, what, before and after."""

    def _audit(self, request, action: str, obj, before=None, after=None, summary: str = "", parent=None) -> None:
        target = parent if parent is not None else obj
        audit_record(
            actor=Actor(request.user),
            action=f"admin.{action}",
            obj=target,
            object_id=_object_id(target),
            summary=summary or f"管理后台：{obj._meta.verbose_name} {obj}",
            before=before,
            after=after,
        )

    def save_model(self, request, obj, form, change):
        before = model_snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change and obj.pk else None
        request._gongfen_audit_before = (change, before)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        was_change, before = getattr(request, "_gongfen_audit_before", (change, None))
        after = model_snapshot(obj)
        if not was_change or before != after:
            self._audit(request, "change" if was_change else "add", obj, before=before, after=after)

    def save_formset(self, request, form, formset, change):
        deleted = [(f.instance, model_snapshot(f.instance)) for f in formset.deleted_forms if f.instance.pk]
        changed_before = {
            f.instance.pk: model_snapshot(type(f.instance)._default_manager.get(pk=f.instance.pk))
            for f in formset.forms
            if f.instance.pk and f.has_changed() and f not in formset.deleted_forms
        }
        super().save_formset(request, form, formset, change)
        parent = form.instance
        for obj in formset.new_objects:
            self._audit(request, "add", obj, after=model_snapshot(obj), parent=parent)
        for obj, _fields in formset.changed_objects:
            self._audit(
                request, "change", obj, before=changed_before.get(obj.pk), after=model_snapshot(obj), parent=parent
            )
        for obj, before in deleted:
            self._audit(request, "delete", obj, before=before, parent=parent)

    def delete_model(self, request, obj):
        self._audit(request, "delete", obj, before=model_snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
