"""Operators and the dossiers' workflow."""

from django.urls import path

from .views import operators, workflow

app_name = "projects"

urlpatterns = [
    path("porteurs/", operators.operator_list, name="operator-list"),
    path("porteurs/recherche/", operators.operator_search, name="operator-search"),
    path("porteurs/<int:pk>/", operators.operator_detail, name="operator-detail"),
    path("projets/<int:pk>/statut/", workflow.project_transition, name="project-transition"),
]
