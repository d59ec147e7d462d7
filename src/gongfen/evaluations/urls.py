from django.urls import path

from . import views

ROUND = "<str:group>/<str:period>/"

urlpatterns = [
    path("", views.rounds, name="list"),
    path("new/", views.new, name="new"),
    path("vote/public/", views.vote_public, name="vote_public"),
    path(ROUND, views.round_detail, name="round"),
    path(ROUND + "edit/", views.edit, name="edit"),
    path(ROUND + "open/", views.open_round, name="open"),
    path(ROUND + "close/", views.close_round, name="close"),
    path(ROUND + "reopen/", views.reopen, name="reopen"),
    path(ROUND + "voters/", views.voters, name="voters"),
    path(ROUND + "codes/", views.codes, name="codes"),
    path(ROUND + "turnout/", views.turnout, name="turnout"),
    path(ROUND + "vote/", views.vote, name="vote"),
]
