from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Pièces des dossiers")

    def ready(self):
        from projects.filters.scope import register_dossier_condition
        from projects.models import Project

        from . import signals  # noqa: F401
        from .selectors import projects_with_missing_pieces

        # `?pieces=manquantes` on the dossier list, its export, the dashboard and the bulk
        # actions: the dossiers that miss a piece their year's checklist requires.
        register_dossier_condition(
            "pieces",
            "manquantes",
            "Pièces manquantes",
            lambda: projects_with_missing_pieces(Project.objects.all()),
            permission="documents.view_document",
        )
