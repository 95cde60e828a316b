"""The dossiers' pages (`/projets/`) and the porteurs' (`/porteurs/`): this app owns the dossier,
its financial plan, its workflow and its import/export (docs/architecture.md)."""

from django.urls import include, path

from contratville import converters  # noqa: F401 - registers <int64:…>

from .views import bulk, detail, editing, imports, listing, operators, workflow

app_name = "projects"

dossier_patterns = [
    path("", listing.project_list, name="list"),
    path("export/", listing.project_export, name="export"),
    path("selection/", bulk.selection_action, name="selection"),
    path("import/", imports.project_import, name="import"),
    path("import/modele.<str:fmt>", imports.import_template, name="import-template"),
    path("nouveau/", editing.project_create, name="create"),
    path("<int64:pk>/", detail.project_detail, name="detail"),
    path("<int64:pk>/modifier/", editing.project_update, name="update"),
    path("<int64:pk>/statut/", workflow.project_transition, name="project-transition"),
]

urlpatterns = [
    path("projets/", include(dossier_patterns)),
    path("porteurs/", operators.operator_list, name="operator-list"),
    path("porteurs/recherche/", operators.operator_search, name="operator-search"),
    path("porteurs/<int64:pk>/", operators.operator_detail, name="operator-detail"),
    path("porteurs/<int64:pk>/modifier/", operators.operator_update_view, name="operator-update"),
]
