from django.apps import AppConfig


class ContratvilleConfig(AppConfig):
    """The project package as an app, only to connect the security signals at start-up."""

    name = "contratville"
    verbose_name = "Contrat de Ville"

    def ready(self):
        from . import auth

        auth.connect_signals()
