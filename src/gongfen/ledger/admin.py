from django.contrib import admin

from gongfen.common_admin import ReadOnlyAdmin

from .models import Entry, EntryEvent, RuleTotal


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("code", "cadre", "rule", "occurred_on", "quantity", "status", "kind", "amount", "recorded_at")
    list_filter = ("status", "kind", "period")
    search_fields = ("code", "cadre__code", "cadre__name", "rule__code")
    list_select_related = ("cadre", "rule")


@admin.register(EntryEvent)
class EntryEventAdmin(ReadOnlyAdmin):
    list_display = ("entry", "action", "at", "actor_label")
    list_filter = ("action",)
    list_select_related = ("entry",)


@admin.register(RuleTotal)
class RuleTotalAdmin(ReadOnlyAdmin):
    list_display = ("cadre", "scheme", "rule", "period", "amount", "count")
    list_filter = ("period",)
    list_select_related = ("cadre", "scheme", "rule")
