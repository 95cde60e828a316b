from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Dossiers et référentiels")

    def ready(self):
        # Registers the French collation on every new SQLite connection.
        from contratville import collation  # noqa: F401
