from django.urls import path

from . import views

urlpatterns = [
    path("", views.people, name="people"),
    path("add/", views.cadre_add, name="cadre_add"),
    path("<str:code>/", views.cadre, name="cadre"),
    path("<str:code>/posts/add/", views.post_add, name="post_add"),
    path("<str:code>/posts/<int:post_id>/end/", views.post_end, name="post_end"),
]
