"""Raw data for 组织部 staff, read-only. Votes, participations, drafts and codes are not registered:
the admin must offer no view that could set who voted beside what was voted."""

from django.contrib import admin

from gongfen.common_admin import ReadOnlyAdmin

from .models import Ballot, EvaluationRound


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ("scheme", "period", "cadre", "evaluator_class", "grade", "round")
    list_filter = ("period", "evaluator_class")
    list_select_related = ("scheme", "cadre", "round__group")


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(ReadOnlyAdmin):
    list_display = ("group", "period", "state", "opens_at", "closes_at", "allow_self")
    list_filter = ("state", "period")
    list_select_related = ("group",)
    exclude = ("cadres",)
