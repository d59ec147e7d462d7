from django.contrib import admin

from gongfen.common_admin import ReadOnlyAdmin

from .models import Ballot


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ("scheme", "period", "cadre", "evaluator_class", "grade")
    list_filter = ("period", "evaluator_class")
    list_select_related = ("scheme", "cadre")
