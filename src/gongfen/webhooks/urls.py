from django.urls import path

from . import views

urlpatterns = [
    path("", views.endpoints, name="endpoints"),
    path("new/", views.endpoint_add, name="endpoint_add"),
    path("<int:pk>/", views.endpoint, name="endpoint"),
    path("<int:pk>/active/", views.endpoint_active, name="endpoint_active"),
    path("deliveries/<uuid:uuid>/resend/", views.resend, name="resend"),
]
