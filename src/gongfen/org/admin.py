from django.contrib import admin

from gongfen.audit.admin_mixins import AuditedAdmin

from .models import Cadre, Post, Unit


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "parent", "path")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    readonly_fields = ("path",)


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    autocomplete_fields = ("unit",)


@admin.register(Cadre)
class CadreAdmin(AuditedAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    inlines = [PostInline]
