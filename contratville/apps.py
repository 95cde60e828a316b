from django.apps import AppConfig, apps
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


class ContratvilleConfig(AppConfig):
    """The project's base layer as an app: the security signals, the data versions' model, and
    the roles rebuilt after every `migrate` (contratville/roles.py)."""

    name = "contratville"
    verbose_name = "Contrat de Ville"

    def ready(self):
        from . import auth

        auth.connect_signals()
        post_migrate.connect(_ensure_roles, dispatch_uid="contratville_roles")


def _ensure_roles(sender, **kwargs):
    # `post_migrate` is sent once per app: the roles are built at the last one, when every
    # app's permissions exist.
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label == last.label:
        from .roles import ensure_roles

        ensure_roles()


class ContratvilleAdminConfig(AdminConfig):
    """django.contrib.admin with the project's site, for administrators only
    (contratville/admin_site.py), as `django.contrib.admin.site`."""

    default_site = "contratville.admin_site.ContratvilleAdminSite"
