from django.urls import path

from . import views

urlpatterns = [
    path("", views.boards, name="boards"),
    path("<str:group>/<str:period>/", views.board, name="board"),
    path("<str:group>/<str:period>/<str:cadre>/", views.row, name="row"),
]
