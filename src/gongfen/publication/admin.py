"""The holiday calendar in the Django admin (组织部 staff): the days the objection window skips or counts.

Publications, snapshots, objections and overrides change only through the
services; the calendar is reference data, edited here or loaded with
``gongfen holidays load``. Every change made here is audited too.
"""

from django.contrib import admin

from gongfen.audit.services import audit_record
from gongfen.common import Actor

from .models import Holiday


def _row(obj: Holiday) -> dict:
    return {"day": obj.day.isoformat(), "working": obj.working, "name": obj.name}


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("day", "weekday", "working", "name")
    list_filter = ("working",)
    search_fields = ("name",)
    date_hierarchy = "day"
    ordering = ("day",)

    @admin.display(description="星期")
    def weekday(self, obj: Holiday) -> str:
        return "一二三四五六日"[obj.day.weekday()]

    def save_model(self, request, obj, form, change):
        before = _row(Holiday.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=Actor(request.user),
            action="holiday.change" if change else "holiday.add",
            object_type="publication.holiday",
            object_id=obj.day.isoformat(),
            before=before,
            after=_row(obj),
        )

    def delete_model(self, request, obj):
        audit_record(
            actor=Actor(request.user),
            action="holiday.delete",
            object_type="publication.holiday",
            object_id=obj.day.isoformat(),
            before=_row(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
