from django.urls import path

from . import views

urlpatterns = [
    path("notice/<str:group>/<str:period>/", views.notice, name="notice"),
    path("notice/<str:group>/<str:period>.pdf", views.notice_pdf, name="notice_pdf"),
    path("notice/<str:group>/<str:period>.json", views.snapshot_json, name="snapshot_json"),
    path("board/<str:group>/<str:period>.xlsx", views.board_xlsx, name="board_xlsx"),
    path("ledger/<str:cadre>.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("charts/distribution/<str:group>/<str:period>.svg", views.chart_distribution, name="chart_distribution"),
    path("charts/trend/<str:group>/<str:period>/<str:cadre>.svg", views.chart_trend, name="chart_trend"),
    path("charts/units/<str:period>.svg", views.chart_units, name="chart_units"),
]
