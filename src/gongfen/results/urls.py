from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("year/", views.years, name="years"),
    path("year/<str:group>/<int:year>/", views.year, name="year"),
    path("year/<str:group>/<int:year>/export.xlsx", views.year_export, name="year_export"),
    path("county/", views.county_index, name="county_index"),
    path("county/<str:key>/", views.county, name="county"),
    path("county/<str:key>/export.xlsx", views.county_export, name="county_export"),
    path("<str:group>/<str:period>/", views.actions, name="actions"),
    path("<str:group>/<str:period>/export.xlsx", views.actions_export, name="actions_export"),
    path("<str:group>/<str:period>/override/", views.override, name="override"),
    path("<str:group>/<str:period>/override/<int:pk>/confirm/", views.override_confirm, name="override_confirm"),
]
