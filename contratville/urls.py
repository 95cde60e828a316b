"""The project's addresses (CONTRACTS.md §5)."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Contrat de Ville — administration"
admin.site.site_title = "Contrat de Ville"
admin.site.index_title = "Administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("reports.urls")),
]
