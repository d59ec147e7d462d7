from django.urls import path

from . import views

urlpatterns = [
    path("whatif/", views.whatif, name="whatif"),
    path("fairness/", views.fairness, name="fairness"),
]
