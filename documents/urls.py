"""The pieces' addresses: a dossier's pieces under its own address (`/projets/<id>/documents/`,
README « Les pièces des dossiers »), served by this app, and the checklists of required pieces."""

from django.urls import path

from contratville import converters  # noqa: F401 - registers <int64:…>

from . import views

app_name = "documents"

urlpatterns = [
    path("projets/<int64:pk>/documents/", views.project_documents, name="project-documents"),
    path(
        "projets/<int64:pk>/documents/<int64:document>/telecharger/",
        views.document_download,
        name="download",
    ),
    path("projets/<int64:pk>/documents/<int64:document>/retirer/", views.document_delete, name="delete"),
    path("pieces-requises/", views.checklist_edit, name="checklist"),
]
