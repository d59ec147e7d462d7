from django.urls import path

from . import views

urlpatterns = [
    path("", views.scheme_list, name="list"),
    path("derive/", views.scheme_derive, name="derive"),
    path("<str:code>/", views.scheme_detail, name="detail"),
    path("<str:code>/params/", views.scheme_params, name="params"),
    path("<str:code>/groups/<str:group>/publication/", views.group_publication, name="group_publication"),
    path("<str:code>/rules/add/", views.rule_add, name="rule_add"),
    path("<str:code>/rules/<str:rule_code>/edit/", views.rule_edit, name="rule_edit"),
    path("<str:code>/rules/<str:rule_code>/remove/", views.rule_remove, name="rule_remove"),
]
