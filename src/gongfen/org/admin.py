from django.contrib import admin

from .models import Cadre, Post, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "path")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    readonly_fields = ("path",)


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    autocomplete_fields = ("unit",)


@admin.register(Cadre)
class CadreAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    inlines = [PostInline]
