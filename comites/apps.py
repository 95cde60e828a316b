from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ComitesConfig(AppConfig):
    name = "comites"
    verbose_name = _("Comités de programmation")

    def ready(self):
        from contratville.roles import ensure_roles_after_migrate

        # The roles are rebuilt once the last app's permissions exist (contratville/roles.py).
        post_migrate.connect(
            ensure_roles_after_migrate, sender=self, dispatch_uid="contratville_roles_comites"
        )
