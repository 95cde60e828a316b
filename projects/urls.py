"""Operators and the dossiers' workflow."""

from django.urls import path

from contratville import converters  # noqa: F401 - registers <int64:…>

from .views import operators, workflow

app_name = "projects"

urlpatterns = [
    path("porteurs/", operators.operator_list, name="operator-list"),
    path("porteurs/recherche/", operators.operator_search, name="operator-search"),
    path("porteurs/<int64:pk>/", operators.operator_detail, name="operator-detail"),
    path("projets/<int64:pk>/statut/", workflow.project_transition, name="project-transition"),
]
