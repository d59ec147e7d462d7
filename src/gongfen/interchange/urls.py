from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("template/<str:kind>/", views.template, name="template"),
    path("export/<str:kind>/", views.export, name="export"),
    path("jobs/<uuid:uuid>/", views.job, name="job"),
    path("jobs/<uuid:uuid>/progress/", views.progress, name="progress"),
    path("jobs/<uuid:uuid>/confirm/", views.confirm, name="confirm"),
    path("jobs/<uuid:uuid>/discard/", views.discard, name="discard"),
]
