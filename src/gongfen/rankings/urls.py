from django.urls import path

from . import views

urlpatterns = [
    path("", views.boards, name="boards"),
    path("<str:group>/<str:period>/", views.board, name="board"),
    # the lifecycle moves come before a row's path, which would otherwise take "close" for a cadre's code
    path("<str:group>/<str:period>/close/", views.move, {"move": "close"}, name="close"),
    path("<str:group>/<str:period>/publish/", views.move, {"move": "publish"}, name="publish"),
    path("<str:group>/<str:period>/republish/", views.move, {"move": "republish"}, name="republish"),
    path("<str:group>/<str:period>/finalize/", views.move, {"move": "finalize"}, name="finalize"),
    path("<str:group>/<str:period>/<str:cadre>/", views.row, name="row"),
]
