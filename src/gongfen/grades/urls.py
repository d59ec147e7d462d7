from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("plans/save/", views.plan_save, name="plan_save"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/export.xlsx", views.plan_export, name="plan_export"),
    path("plans/<int:pk>/seats/", views.seats_propose, name="seats_propose"),
    path("seats/<int:pk>/confirm/", views.seats_confirm, name="seats_confirm"),
    path("sanctions/", views.sanctions, name="sanctions"),
    path("sanctions/add/", views.sanction_add, name="sanction_add"),
    path("not-graded/add/", views.not_graded_add, name="not_graded_add"),
    path("influence/", views.influence_set, name="influence_set"),
    path("sheets/new/", views.sheet_new, name="sheet_new"),
    path("sheets/<int:pk>/", views.sheet, name="sheet"),
    path("sheets/<int:pk>/export.xlsx", views.sheet_export, name="sheet_export"),
    path("sheets/<int:pk>/adjust/", views.adjust, name="adjust"),
    path("sheets/<int:pk>/move/<str:move>/", views.sheet_move, name="sheet_move"),
    path("sheets/<int:pk>/diff/<int:old>/<int:new>/", views.diff, name="diff"),
    path("mine/", views.mine, name="mine"),
    path("record/<str:cadre>/<int:year>/", views.record, name="record"),
    path("lines/<int:pk>/review/", views.review_file, name="review_file"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path("<int:year>/consequences/", views.consequences, name="consequences"),
    path("<int:year>/consequences/record/", views.follow_up, name="follow_up"),
]
