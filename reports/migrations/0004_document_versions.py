"""Data versions: the dossiers' pieces (documents app) renew the tokens of what they change, since
the dossier filter `pieces=manquantes` (registered by the documents app on the shared filters)
reads them wherever the filters serve the figures: a piece received changes its dossier's year; a
checklist or one of its required pieces, every year ("global", as the reference data).

Same triggers as migration 0001's, from the frozen reports/migrations/_trigger_sql.py;
reports/triggers.py puts them back on SQLite after a table rebuild."""

from django.db import migrations

from reports.migrations import _trigger_sql

ALL = ("INSERT", "UPDATE", "DELETE")
WATCHED = {
    "documents_document": (
        "SELECT p.year::text FROM projects_project p WHERE p.id IN (SELECT project_id FROM {rows})",
        "SELECT CAST(p.year AS TEXT) AS k FROM projects_project p WHERE p.id = {row}.project_id",
        ALL,
    ),
    "documents_checklist": ("SELECT 'global' FROM {rows}", "SELECT 'global' AS k", ALL),
    "documents_requiredpiece": ("SELECT 'global' FROM {rows}", "SELECT 'global' AS k", ALL),
}


def install(apps, schema_editor):
    _trigger_sql.install(WATCHED, schema_editor)


def uninstall(apps, schema_editor):
    _trigger_sql.uninstall(WATCHED, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_data_version_moved_to_contratville"),
        ("documents", "0002_default_checklist"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
