"""The payments' addresses: a dossier's payments under its own address
(`/projets/<id>/versements/`), served by this app, and the payments list (`/versements/`)."""

from django.urls import path

from contratville import converters  # noqa: F401 - registers <int64:…>

from . import views

app_name = "funding"

urlpatterns = [
    path("projets/<int64:pk>/versements/", views.project_payments, name="project-payments"),
    path("versements/", views.payment_list, name="payments"),
    path("comptes-rendus/import/", views.compte_rendu_import_view, name="compte-rendu-import"),
    path("donnees-ouvertes/subventions-<int64:year>.csv", views.scdl_csv, name="scdl"),
    path("projets/<int64:pk>/compte-rendu/", views.project_compte_rendu, name="project-compte-rendu"),
]
