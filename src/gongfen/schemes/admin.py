from django.contrib import admin, messages

from gongfen.common import Actor, DomainError
from gongfen.common_admin import ReadOnlyAdmin

from .models import RankingGroup, Rule, RuleVersion, Scheme

CONTACT_FIELDS = ("objection_office", "objection_phone", "objection_address")


@admin.register(Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    """Read here, changed through the scheme editor or a bundle; only the objection contact (异议受理) may be
    edited here too, saved through ``scheme_contact_set`` (permission checked, audited)."""

    list_display = ("code", "name", "unit", "year", "derived_from", "objection_office")
    list_filter = ("year",)
    search_fields = ("code", "name")

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Scheme._meta.fields if f.name not in CONTACT_FIELDS]

    def save_model(self, request, obj, form, change):
        from .services import scheme_contact_set

        values = {name.removeprefix("objection_"): form.cleaned_data[name] for name in CONTACT_FIELDS}
        try:
            scheme_contact_set(actor=Actor(request.user), scheme=obj, reason="管理后台 (admin)", **values)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)


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
