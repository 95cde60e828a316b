"""The project's addresses (docs/contracts.md §5)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

# <int64:…>: ids and years bounded to the database's integers, so that a huge one is a 404.
from contratville import converters  # noqa: F401

urlpatterns = [
    path("admin/", admin.site.urls),
    path("connexion/", auth_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    # A dossier's pieces (/projets/<id>/documents/...) are served by documents, not projects.
    path("", include("documents.urls")),
    # A dossier's payments (/projets/<id>/versements/) and the payments list, by funding.
    path("", include("funding.urls")),
    path("", include("projects.urls")),
    path("", include("reports.urls")),
    path("comites/", include("comites.urls")),
    # /courriers/… and a dossier's letters, /projets/<id>/courriers/ (courriers/urls.py).
    path("", include("courriers.urls")),
]

# Refused permissions are logged (contratville/auth.py) before the 403 page.
handler403 = "contratville.auth.permission_denied"
