from django.urls import path

from . import views

urlpatterns = [
    path("whatif/", views.whatif, name="whatif"),
    path("fairness/", views.fairness, name="fairness"),
    path("warnings/", views.warnings_list, name="warnings"),
    path("warnings/follow-up/", views.warning_follow_up, name="warning_follow_up"),
]
