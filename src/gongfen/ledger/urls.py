from django.urls import path

from . import views

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("declare/", views.declare, name="declare"),
    path("declarations/", views.declarations, name="declarations"),
    path("review/", views.review, name="review"),
    path("review/bulk/", views.review_bulk, name="review_bulk"),
    path("review/<str:code>/", views.review_decide, name="review_decide"),
    path("entry/<str:code>/", views.entry, name="entry"),
    path("entry/<str:code>/submit/", views.submit, name="submit"),
    path("entry/<str:code>/revoke/", views.revoke, name="revoke"),
    path("entry/<str:code>/withdraw/", views.withdraw, name="withdraw"),
    path("entry/<str:code>/edit/", views.draft_edit, name="draft_edit"),
    path("entry/<str:code>/delete/", views.draft_delete, name="draft_delete"),
    path("entry/<str:code>/adjust/", views.adjust, name="adjust"),
    path("entry/<str:code>/evidence/<str:token>/", views.evidence, name="evidence"),
]
