from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class ContratvilleConfig(AppConfig):
    """The project package as an app, only to connect the security signals at start-up."""

    name = "contratville"
    verbose_name = "Contrat de Ville"

    def ready(self):
        from . import auth

        auth.connect_signals()


class ContratvilleAdminConfig(AdminConfig):
    """django.contrib.admin with the project's site, for administrators only
    (contratville/admin_site.py), as `django.contrib.admin.site`."""

    default_site = "contratville.admin_site.ContratvilleAdminSite"
