from django.urls import path

from . import views

urlpatterns = [
    path("pending/", views.pending, name="pending"),
    path("pending/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("pending/<int:pk>/decline/", views.decline, name="decline"),
    path("sources/", views.sources, name="sources"),
    path("sources/<str:code>/", views.source_detail, name="source"),
    path("groups/", views.groups, name="groups"),
    path("groups/new/", views.group_new, name="group_new"),
    path("groups/<str:code>/", views.group_detail, name="group"),
    path("groups/<str:code>/decide/", views.group_decide, name="group_decide"),
    path("burden/", views.burden, name="burden"),
]
