from django.contrib import admin

from gongfen.common_admin import ReadOnlyAdmin

from .models import RankingGroup, Rule, RuleVersion, Scheme


@admin.register(Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "unit", "year", "derived_from")
    list_filter = ("year",)
    search_fields = ("code", "name")


@admin.register(Rule)
class RuleAdmin(ReadOnlyAdmin):
    """Rules change through the scheme editor or a bundle, which version them; here they are read."""

    list_display = ("scheme", "code", "name", "category", "points", "cap", "veto", "version")
    list_filter = ("category", "veto", "scheme__year")
    search_fields = ("code", "name", "scheme__code")


@admin.register(RuleVersion)
class RuleVersionAdmin(ReadOnlyAdmin):
    list_display = ("rule", "version", "points", "cap", "created_at", "created_by")


@admin.register(RankingGroup)
class RankingGroupAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "scheme", "select_unit", "select_position")
    search_fields = ("code", "name")
