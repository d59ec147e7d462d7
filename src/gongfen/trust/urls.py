from django.urls import path

from . import views

urlpatterns = [
    path("proof/<str:group>/<str:period>/<str:cadre>/", views.proof, name="proof"),
    path("proof/<str:group>/<str:period>/<str:cadre>/proof.json", views.proof_json, name="proof_json"),
]
