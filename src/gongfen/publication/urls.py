from django.urls import path

from . import views

urlpatterns = [
    path("", views.publications, name="list"),
    path("objections/", views.queue, name="queue"),
    path("objections/mine/", views.my_objections, name="mine"),
    path("objections/<int:pk>/", views.objection, name="objection"),
    path("objections/<int:pk>/uphold/", views.uphold, name="uphold"),
    path("objections/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("objections/<int:pk>/evidence/", views.objection_evidence, name="evidence"),
    path("holidays/", views.holidays, name="holidays"),
    path("holidays/<int:year>/", views.holidays, name="holidays_year"),
    path("<str:group>/<str:period>/", views.board, name="board"),
    path("<str:group>/<str:period>/diff/<int:old>/<int:new>/", views.diff, name="diff"),
    path("<str:group>/<str:period>/object/", views.object_file, name="object"),
]
