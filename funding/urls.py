"""Dossier pages (CONTRACTS.md §5). They live in `funding` because they show and write a
dossier together with its funding lines."""

from django.urls import path

from contratville import converters  # noqa: F401 - registers <int64:…>

from .views import detail, editing, imports, listing

app_name = "dossiers"

urlpatterns = [
    path("", listing.project_list, name="list"),
    path("export/", listing.project_export, name="export"),
    path("import/", imports.project_import, name="import"),
    path("import/modele.<str:fmt>", imports.import_template, name="import-template"),
    path("nouveau/", editing.project_create, name="create"),
    path("<int64:pk>/", detail.project_detail, name="detail"),
    path("<int64:pk>/modifier/", editing.project_update, name="update"),
]
