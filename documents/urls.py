"""The pieces' addresses: a dossier's pieces under its own address (`/projets/<id>/documents/`,
README « Les pièces des dossiers »), served by this app, and the checklists of required pieces."""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("projets/<int:pk>/documents/", views.project_documents, name="project-documents"),
    path(
        "projets/<int:pk>/documents/<int:document>/telecharger/",
        views.document_download,
        name="download",
    ),
    path("projets/<int:pk>/documents/<int:document>/retirer/", views.document_delete, name="delete"),
    path("pieces-requises/", views.checklist_edit, name="checklist"),
]
