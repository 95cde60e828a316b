from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Bilans et tableaux de bord")

    def ready(self):
        from django.apps import apps

        from .triggers import restore_sqlite_triggers

        # SQLite loses a table's triggers when a migration rebuilds it (reports/triggers.py).
        # Django sends `post_migrate` once per app with models, after every migration ran; this
        # app has none, so the receiver listens to the project's own app.
        post_migrate.connect(
            restore_sqlite_triggers,
            sender=apps.get_app_config("contratville"),
            dispatch_uid="reports-sqlite-triggers",
        )
